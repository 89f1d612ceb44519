#!/usr/bin/env bash
# Builds the Swift output of every corpus spec (../shared/corpus/specs, except those in
# tests/swift/corpus-skip.txt) and of tests/swift/specs/*.yaml with one `swift build`: a
# package with one target per spec, each holding that spec's generated module. A spec that
# fails to generate fails the run. Run through tests/swift/run.sh, or on its own after it.
# `SWIFT_CORPUS_ALL=1` builds the skipped specs too.
set -euo pipefail
cd "$(dirname "$0")/../.."

cli=target/debug/sync-patterns
work=.tmp/swift-work/corpus
package="$work/package"
mkdir -p "$work/gen" "$package/Sources"
find "$work/gen" "$package/Sources" -mindepth 1 -maxdepth 1 -exec rm -rf {} +

skipped() {
  [ "${SWIFT_CORPUS_ALL:-}" = 1 ] && return 1
  grep -v '^#' tests/swift/corpus-skip.txt | awk '{print $1}' | grep -qx "$1"
}

targets=()
for spec in ../shared/corpus/specs/*.json ../shared/corpus/specs/*.yaml tests/swift/specs/*.yaml; do
  file="$(basename "$spec")"
  name="${file%.*}"
  out="$work/gen/$name"
  if ! "$cli" generate "$spec" --lang swift --out "$out" >/dev/null 2>"$work/gen/$name.log"; then
    cat "$work/gen/$name.log" >&2
    echo "error: sync-patterns could not generate Swift for $spec" >&2
    exit 1
  fi
  if skipped "$file"; then
    echo "generated, not compiled (corpus-skip.txt): $file"
    continue
  fi
  target="Spec_$(printf '%s' "$name" | tr -c 'A-Za-z0-9' '_')"
  cp -r "$out"/Sources/*/ "$package/Sources/$target"
  targets+=("$target")
done

{
  echo "// swift-tools-version:5.9"
  echo "// Every corpus spec's generated module, one target each, built together."
  echo "import PackageDescription"
  echo
  echo "let package = Package("
  echo "    name: \"SwiftCorpus\","
  echo "    platforms: [.iOS(.v17), .macOS(.v14)],"
  echo "    targets: ["
  for target in "${targets[@]}"; do echo "        .target(name: \"$target\"),"; done
  echo "    ]"
  echo ")"
} >"$package/Package.swift"

echo "building ${#targets[@]} generated modules"
log="$work/build.log"
started=$SECONDS
if ! bash scripts/swift-toolchain.sh build "$package" -j 2 >"$log" 2>&1; then
  grep -E 'error:' "$log" | sort -u | head -50 >&2
  echo "error: the corpus' Swift output does not build (full log: $log)" >&2
  exit 1
fi
warnings="$(grep -E 'warning:' "$log" | grep -v '^warning: ' | sort -u || true)"
if [ -n "$warnings" ]; then
  echo "$warnings" | head -50 >&2
  echo "error: the corpus' Swift output builds with warnings (full log: $log)" >&2
  exit 1
fi
echo "built ${#targets[@]} modules in $((SECONDS - started)) s"
