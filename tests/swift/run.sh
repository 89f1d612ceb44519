#!/usr/bin/env bash
# The Swift client's checks, with a real Swift toolchain (Debian 13's swiftlang in a chroot,
# set up once by scripts/swift-toolchain.sh):
#   1. the run-time package (runtimes/swift) builds and its XCTests pass;
#   2. the contacts spec, generated live (as written) and flipped to push, passes one shared
#      XCTest body plus mode-specific tests against the real contacts-server on loopback;
#   3. every valid corpus spec's output, and the spec-injection spec's, builds: one package
#      with a target per spec, one `swift build` (specs in corpus-skip.txt are left out, each
#      with its reason).
# The golden files and the unit tests of the emitter run with `cargo test -p sync-build`.
set -euo pipefail
cd "$(dirname "$0")/../.."

section() { printf '\n==> %s\n' "$*"; }
toolchain=scripts/swift-toolchain.sh
work=.tmp/swift-work
started=$SECONDS

section "Swift toolchain (chroot under .tmp/swift-chroot)"
bash "$toolchain" setup

section "Building sync-patterns and contacts-server"
cargo build --locked -p sync-build --bin sync-patterns
cargo build --locked -p contacts-server --bins
cli=target/debug/sync-patterns

section "runtimes/swift: swift test"
t=$SECONDS
bash "$toolchain" test runtimes/swift
echo "runtime tests: $((SECONDS - t)) s"

section "Contacts client, live and push, against contacts-server"
gen="$work/gen"
rm -rf "$gen"
mkdir -p "$gen"
"$cli" generate examples/contacts/openapi.yaml --lang swift --out "$gen/live" >/dev/null
sed 's/x-sync: live/x-sync: push/' examples/contacts/openapi.yaml >"$gen/contacts-push.yaml"
grep -q 'x-sync: live' "$gen/contacts-push.yaml" && { echo "the push copy still has live paths" >&2; exit 1; }
"$cli" generate "$gen/contacts-push.yaml" --lang swift --out "$gen/push" 2>/dev/null >/dev/null
harness="$work/harness"
mkdir -p "$harness"
# Keep .build between runs; replace everything else.
find "$harness" -mindepth 1 -maxdepth 1 ! -name .build -exec rm -rf {} +
cp -r tests/swift/harness/. "$harness/"
rm -rf "$harness/Shared"
cp -r "$gen/live/Sources/ContactsAPI" "$harness/Sources/ContactsLive"
cp -r "$gen/push/Sources/ContactsAPI" "$harness/Sources/ContactsPush"
cp tests/swift/harness/Shared/ContactsBody.swift "$harness/Tests/LiveTests/"
cp tests/swift/harness/Shared/ContactsBody.swift "$harness/Tests/PushTests/"
mkdir -p "$harness/bin"
cp target/debug/contacts-server "$harness/bin/contacts-server"
# Servers the tests start are theirs to stop; should a test process die first, none may
# outlive this script: stop exactly the processes running this copy of the binary.
# (SIGKILL: a test that died may have left its server stopped with SIGSTOP.)
stop_test_servers() {
  for proc in /proc/[0-9]*; do
    if [ "$proc/exe" -ef "$harness/bin/contacts-server" ]; then kill -9 "${proc#/proc/}" 2>/dev/null || true; fi
  done
}
trap stop_test_servers EXIT
t=$SECONDS
bash "$toolchain" build "$harness"
SWIFT_TEST_ENV="CONTACTS_SERVER=bin/contacts-server" timeout 600 bash "$toolchain" test "$harness"
echo "client tests: $((SECONDS - t)) s"

section "Corpus and spec-injection output: one package, one swift build"
t=$SECONDS
bash tests/swift/corpus.sh
echo "corpus build: $((SECONDS - t)) s"

section "Swift checks passed in $((SECONDS - started)) s"
