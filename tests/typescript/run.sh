#!/usr/bin/env bash
# The TypeScript client's checks, from a clean clone: installs the pinned npm packages, builds
# the generator and the contacts server, generates, then runs
#   corpus     tsc --strict --exactOptionalPropertyTypes over the output for every corpus spec
#   hooks      every GET of Stripe, GitHub and train-travel has a React hook
#   package    the generated package.fragment.json installs fresh (no lockfile) and the client
#              compiles with NodeNext and `--ts-import-extension .js` (scripts/check-package.mjs)
#   component  the React test components compile unchanged against push and live output
#   golden     generated files for a few specs equal golden/ (UPDATE_GOLDEN=1 to accept)
#   prettier   all generated output is already prettier-formatted
#   vitest     components against the real contacts-server in shape, rest and push mode; the
#              outbox against a scripted loopback server; encodings against a loopback server
set -uo pipefail
cd "$(dirname "$0")"
root="$(cd ../.. && pwd)"

step() {
  echo "== $1"
  shift
  if "$@"; then
    passed=$((passed + 1))
  else
    echo "!! failed: $*"
    failed=$((failed + 1))
  fi
}

set -e
npm ci --no-audit --no-fund --loglevel=error
cargo build --quiet --manifest-path "$root/Cargo.toml" -p sync-build --bin sync-patterns
cargo build --quiet --manifest-path "$root/Cargo.toml" -p contacts-server
node scripts/generate.mjs
set +e

passed=0
failed=0
step corpus node scripts/check-corpus.mjs
step hooks node scripts/check-hooks.mjs
step package node scripts/check-package.mjs
step component node scripts/check-component.mjs
step golden node scripts/golden.mjs
# --ignore-path: prettier skips what .gitignore lists (all of .gen/) unless told otherwise.
step prettier node_modules/.bin/prettier --check --ignore-path /dev/null --log-level warn ".gen/{contacts,corpus}/**/*.{ts,json,md}" "golden/**/*"
step vitest node_modules/.bin/vitest run
echo "typescript: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
