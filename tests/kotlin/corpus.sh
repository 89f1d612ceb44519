#!/usr/bin/env bash
# Generates the Kotlin client of every corpus spec into .gen/corpus/<spec>/ and writes
# .gen/corpus/pom.xml, a reactor over all of them, so one Maven run compiles them all (each
# with its own generated pom.xml, as a user would build it). Specs the loader rejects are
# listed in .gen/corpus/skipped.txt with the first line of the reason.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
corpus="${CORPUS_DIR:-$root/../shared/corpus/specs}"
generator="${SYNC_PATTERNS:-$root/target/debug/sync-patterns}"
out="${KOTLIN_CORPUS_OUT:-$here/.gen/corpus}"
# Specs compiled outside CI (see corpus-report.md): too large to compile in the suite's budget.
excluded=" ${KOTLIN_CORPUS_EXCLUDE-} "
# When set, only these specs (for the by-hand run of the large ones).
only=" ${KOTLIN_CORPUS_ONLY-} "

rm -rf "$out"
mkdir -p "$out"
: >"$out/skipped.txt"
modules=()
for spec in "$corpus"/*.json "$corpus"/*.yaml "$corpus"/*.yml "$here"/specs/*.yaml; do
  [ -f "$spec" ] || continue
  name="$(basename "$spec")"
  name="${name%.*}"
  if [ -n "${KOTLIN_CORPUS_ONLY-}" ] && [[ "$only" != *" $name "* ]]; then
    continue
  fi
  if [[ "$excluded" == *" $name "* ]]; then
    echo "$name: excluded (see corpus-report.md)" >>"$out/skipped.txt"
    continue
  fi
  package="corpus.$(printf '%s' "$name" | tr -c 'a-zA-Z0-9\n' '_' | tr 'A-Z' 'a-z')"
  if "$generator" generate "$spec" --lang kotlin --out "$out/$name" --kotlin-package "$package" \
    >/dev/null 2>"$out/$name.stderr"; then
    rm -f "$out/$name.stderr"
    modules+=("$name")
  else
    echo "$name: $(grep -m1 -i 'error' "$out/$name.stderr" || head -n1 "$out/$name.stderr")" >>"$out/skipped.txt"
    rm -rf "${out:?}/$name"
  fi
done
{
  echo '<?xml version="1.0" encoding="UTF-8"?>'
  echo '<project xmlns="http://maven.apache.org/POM/4.0.0">'
  echo '  <modelVersion>4.0.0</modelVersion>'
  echo '  <groupId>corpus</groupId>'
  echo '  <artifactId>corpus-reactor</artifactId>'
  echo '  <version>0</version>'
  echo '  <packaging>pom</packaging>'
  echo '  <modules>'
  for module in "${modules[@]}"; do echo "    <module>$module</module>"; done
  echo '  </modules>'
  echo '</project>'
} >"$out/pom.xml"
echo "corpus: generated ${#modules[@]} projects; $(wc -l <"$out/skipped.txt") skipped"
