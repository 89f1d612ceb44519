#!/usr/bin/env bash
# Side by side: sync-patterns' Rust generation vs progenitor's, on one spec both accept.
# Prints generation time, peak RSS and `cargo check` time of the generated crate for each.
#
#   tests/rust/bench/compare-progenitor.sh [--install] [SPEC]
#
# Run by hand, not in CI. progenitor is not a dependency of this repo: its CLI is looked up on
# PATH or in $PROGENITOR_ROOT/bin (default /tmp/progenitor-bench/bin); `--install` installs it
# there with `cargo install cargo-progenitor`. Its generated crate goes to a scratch folder
# outside the repo.
#
# progenitor 0.15 rejects every spec in ../shared/corpus/specs (OpenAPI 3.1, deepObject query
# parameters, operations without operationId, several media types per body; it panics on
# github-api.json), so pass a spec it accepts, e.g. Oxide's `nexus.json` from progenitor's own
# `sample_openapi/` folder.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../../.." && pwd)"
root="${PROGENITOR_ROOT:-/tmp/progenitor-bench}"
install=false
spec="$root/nexus.json"
for arg in "$@"; do
  case "$arg" in
    --install) install=true ;;
    *) spec="$(cd "$(dirname "$arg")" && pwd)/$(basename "$arg")" ;;
  esac
done
export PATH="$root/bin:$PATH"
if [ ! -f "$spec" ]; then
  echo "error: no spec at $spec; pass one progenitor accepts (see the comment at the top)" >&2
  exit 1
fi

echo "== sync-patterns on $(basename "$spec")"
cd "$repo"
cargo bench --quiet -p sync-tests --bench rust_emit -- "$spec" --check

if ! command -v cargo-progenitor >/dev/null; then
  if $install; then
    cargo install --root "$root" cargo-progenitor
  else
    echo "== progenitor: not installed (rerun with --install to put it in $root)"
    exit 0
  fi
fi

echo "== progenitor on $(basename "$spec")"
out="$root/out"
rm -rf "$out"
# GNU time's %e (seconds) and %M (peak RSS, KiB) of the generator alone.
/usr/bin/time -f "generate:            %e s, peak RSS %M KiB" \
  cargo progenitor -i "$spec" -o "$out" -n progenitor-bench -v 0.0.0 >/dev/null
echo "output:              $(cat "$out"/src/*.rs | wc -l) lines"
cd "$out"
export CARGO_TARGET_DIR="$root/target"
cargo check --quiet # dependencies, untimed
cargo clean --quiet -p progenitor-bench
start=$(date +%s.%N)
cargo check --quiet
echo "cargo check (crate): $(echo "$(date +%s.%N) - $start" | bc) s"
