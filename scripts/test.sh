#!/usr/bin/env bash
# The whole test suite, as CI runs it (`.ci/run` calls this). On a fresh machine it installs what
# it needs: npm packages from the committed lockfiles, and Debian's postgresql for the Postgres
# run of the sync-server suite (skipped with a notice where apt-get is not available).
set -euo pipefail
cd "$(dirname "$0")/.."

section() { printf '\n==> %s\n' "$*"; }

if [ ! -d ../shared/corpus/specs ]; then
  echo "error: the spec corpus is missing: expected ../shared/corpus/specs beside the repo" >&2
  exit 1
fi

section "Rust: formatting and lints"
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings

section "Rust: unit, integration, UI and golden tests (SQLite for the sync server)"
cargo test --workspace --locked

section "sync-server on Postgres, and the official Electric client against it"
bash tests/run-server-tests.sh --after-workspace-tests

section "TypeScript: tsc --strict over the corpus, golden files, React tests on a real server"
bash tests/typescript/run.sh

section "All suites passed"
