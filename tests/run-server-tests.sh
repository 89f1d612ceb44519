#!/usr/bin/env bash
# Server side of live mode: sync-server (the embedded Electric Shape endpoint) and the contacts
# reference server, on SQLite, then the same suites on a throwaway Postgres (tests/pg.sh).
# The benchmarks are separate: `cargo bench -p sync-server` (add DATABASE_URL for Postgres);
# so are the libFuzzer targets (sync-server/fuzz/README.md), whose entry points
# sync-server/tests/randomized.rs exercises here on stable.
#
#   tests/run-server-tests.sh                          everything
#   tests/run-server-tests.sh --after-workspace-tests  skip the SQLite Rust suites, which
#                                                      `cargo test --workspace` has just run
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" != "--after-workspace-tests" ]; then
  cargo test -p sync-server -p contacts-server
fi
# 200 woken long polls with a lowered file-descriptor limit: the read pool keeps them within it.
(ulimit -n 512 && cargo test -p sync-server --test hardening -- woken_long_polls_share_a_bounded_read_pool)
cargo build -p contacts-server
# The conformance harness runs the binary just built, wherever cargo put it.
export CONTACTS_SERVER_BIN="${CONTACTS_SERVER_BIN:-${CARGO_TARGET_DIR:-$PWD/target}/debug/contacts-server}"

(cd tests/electric-conformance && npm ci --no-audit --no-fund --loglevel=error && npm test)

tests/pg.sh bash -c 'cargo test -p sync-server -p contacts-server --tests && cd tests/electric-conformance && npm test'
