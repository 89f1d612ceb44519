#!/usr/bin/env bash
# The Kotlin client's checks, from a clean clone (Java 17 + Maven; packages from Maven Central,
# cached in <repo>/.tmp/m2):
#   runtime    the run-time module (runtimes/kotlin) compiles with -Werror and its JUnit tests pass
#   golden     generated files for the contacts spec equal golden/ (UPDATE_GOLDEN=1 to accept)
#   contacts   one JUnit suite against the real contacts-server, run against three generated
#              clients (shape, rest, push): round trips, optimistic writes, rejections, the
#              Shape stream, offline writes across a JVM restart
#   corpus     every corpus spec (and specs/injection.yaml) generates and compiles, all in one
#              Maven reactor; the largest are left to corpus-report.md (KOTLIN_CORPUS_EXCLUDE)
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
repo="-Dmaven.repo.local=$root/.tmp/m2"
mvn_flags=(-B -ntp "$repo")
export SYNC_PATTERNS="$target/debug/sync-patterns"
# Compiled by hand, not in CI: see corpus-report.md for why and the figures.
export KOTLIN_CORPUS_EXCLUDE="${KOTLIN_CORPUS_EXCLUDE-box github-api github-webhooks stripe stripe-yaml}"

passed=0
failed=0
step() {
  local name="$1"
  shift
  echo "== kotlin: $name"
  local started=$SECONDS
  if "$@"; then
    passed=$((passed + 1))
    echo "== kotlin: $name passed in $((SECONDS - started)) s"
  else
    failed=$((failed + 1))
    echo "!! kotlin: $name failed after $((SECONDS - started)) s"
  fi
}

set -e
cargo build --quiet --manifest-path "$root/Cargo.toml" -p sync-build --bin sync-patterns
cargo build --quiet --manifest-path "$root/Cargo.toml" -p contacts-server
set +e

# The contacts spec three ways, as tests/typescript makes them.
generate_contacts() {
  local spec="$root/examples/contacts/openapi.yaml" dir="$here/.gen/contacts"
  rm -rf "$dir"
  mkdir -p "$dir/specs"
  cp "$spec" "$dir/specs/shape.yaml"
  # Without x-sync-shape the live resource syncs through its REST list.
  awk '/^    x-sync-shape:/ {skip = 1; next} skip && /^      / {next} {skip = 0; print}' "$spec" >"$dir/specs/rest.yaml"
  sed 's/x-sync: live/x-sync: push/' "$dir/specs/rest.yaml" >"$dir/specs/push.yaml"
  for mode in shape rest push; do
    "$SYNC_PATTERNS" generate "$dir/specs/$mode.yaml" --lang kotlin --out "$dir/$mode" \
      --kotlin-package contacts.client >/dev/null || return 1
  done
}

golden() {
  local status=0 file
  for mode in shape push; do
    for file in pom.xml README.md src/main/kotlin/contacts/client/Models.kt src/main/kotlin/contacts/client/Api.kt \
      src/main/kotlin/contacts/client/Resources.kt; do
      local generated="$here/.gen/contacts/$mode/$file" expected="$here/golden/contacts-$mode/$file"
      if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
        mkdir -p "$(dirname "$expected")"
        cp "$generated" "$expected"
      elif ! diff -u "$expected" "$generated"; then
        status=1
      fi
    done
  done
  [ "$status" -eq 0 ] || echo "golden files differ; run with UPDATE_GOLDEN=1 to accept the new output"
  return "$status"
}

corpus() {
  bash "$here/corpus.sh" || return 1
  cat "$here/.gen/corpus/skipped.txt"
  mvn "${mvn_flags[@]}" -q -fae -f "$here/.gen/corpus/pom.xml" compile
}

step "generate contacts" generate_contacts
step runtime mvn "${mvn_flags[@]}" -q -f "$root/runtimes/kotlin/pom.xml" test
step golden golden
# Known race (open): in shape mode a snapshot that began before a write was confirmed can
# drop that write's optimistic overlay when it lands (LiveCollection.applyBatch, `batch.reset`),
# so a read shows the old row until the change arrives. It failed RoundTripTest once in three
# runs here; until the runtime is fixed, a failed run is retried once and says so.
contacts_suite() {
  mvn "${mvn_flags[@]}" -f "$here/contacts/pom.xml" -Dcontacts.server="$target/debug/contacts-server" test && return 0
  echo "!! kotlin: contacts failed; RETRYING ONCE because of the known shape-mode race (see run.sh)"
  mvn "${mvn_flags[@]}" -f "$here/contacts/pom.xml" -Dcontacts.server="$target/debug/contacts-server" test
}
step contacts contacts_suite
step corpus corpus
echo "kotlin: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
