#!/usr/bin/env bash
# Server side of live mode: sync-server (the embedded Electric Shape endpoint) and the contacts
# reference server, on SQLite, then the same suites on a throwaway Postgres (tests/pg.sh).
# The benchmark is separate: `cargo bench -p sync-server` (add DATABASE_URL for Postgres).
#
#   tests/run-server-tests.sh                          everything
#   tests/run-server-tests.sh --after-workspace-tests  skip the SQLite Rust suites, which
#                                                      `cargo test --workspace` has just run
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" != "--after-workspace-tests" ]; then
  cargo test -p sync-server -p contacts-server
fi
cargo build -p contacts-server

(cd tests/electric-conformance && npm ci --no-audit --no-fund --loglevel=error && npm test)

tests/pg.sh bash -c 'cargo test -p sync-server --tests && cd tests/electric-conformance && npm test'
