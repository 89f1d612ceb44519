#!/usr/bin/env bash
# Times TypeScript generation for the GitHub spec of the corpus (13 MB), side by side on this
# machine: sync-patterns (types, fetch client and React hooks), openapi-typescript (types only)
# and @hey-api/openapi-ts (types and SDK). Prints the median wall time of each and the ratios.
# Not part of CI: the compared tools are installed here, from bench/package.json.
#   RUNS=5 ./bench.sh            runs per tool (default 3; hey-api takes a minute or more a run)
#   SPEC=path/to/spec.json ./bench.sh
set -euo pipefail
cd "$(dirname "$0")"
root="$(cd ../.. && pwd)"
spec="${SPEC:-$root/../shared/corpus/specs/github-api.json}"
runs="${RUNS:-3}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

(cd bench && npm install --no-audit --no-fund --loglevel=error)
cargo build --quiet --release --manifest-path "$root/Cargo.toml" -p sync-build --bin sync-patterns
ours="$root/target/release/sync-patterns"

# Median wall time in ms of running "$@" $runs times.
median_ms() {
  local times=()
  for _ in $(seq "$runs"); do
    local start end
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1
    end=$(date +%s%N)
    times+=($(((end - start) / 1000000)))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}

echo "spec: $spec ($(du -h "$spec" | cut -f1)), $runs runs each, median wall time"
sp=$(median_ms "$ours" generate "$spec" --lang typescript --out "$out/sp")
oat=$(median_ms bench/node_modules/.bin/openapi-typescript "$spec" -o "$out/oat.ts")
hey=$(median_ms bench/node_modules/.bin/openapi-ts -i "$spec" -o "$out/hey")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fx", a / b }'; }
printf '%-44s %8s ms\n' "sync-patterns (types, client, hooks)" "$sp"
printf '%-44s %8s ms  sync-patterns is %s faster\n' "openapi-typescript 7.13.0 (types only)" "$oat" "$(ratio "$oat" "$sp")"
printf '%-44s %8s ms  sync-patterns is %s faster\n' "@hey-api/openapi-ts 0.95.0 (types, sdk)" "$hey" "$(ratio "$hey" "$sp")"
echo "output lines: sync-patterns $(cat "$out"/sp/*.ts | wc -l), openapi-typescript $(wc -l < "$out/oat.ts"), hey-api $(find "$out/hey" -name '*.ts' -exec cat {} + | wc -l)"
