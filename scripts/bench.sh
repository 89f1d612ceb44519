#!/usr/bin/env bash
# One benchmark: code generation speed and memory, beside the tools people use today.
#
#   bash scripts/bench.sh [--runs N] [--no-peers] [--no-check]
#
# For the GitHub spec (13 MB, 1,225 operations), Stripe's and a small one, it prints the wall
# time (median of N runs) and peak RSS of sync-patterns per language and for all languages in one
# run, and beside it, in the same run on the same spec with runs interleaved (A B A B), the pinned
# peers: openapi-typescript 7.13.0 (types only), @hey-api/openapi-ts 0.99.0 (with typescript
# 5.9.3), orval 8.38.0 and cargo-progenitor 0.15.1, with the ratios. Then the `cargo check` cost
# (time, peak RSS) of our generated GitHub crate, whole and as the `repos`+`issues` subset, and of
# our crate beside progenitor's on a spec progenitor accepts (PROGENITOR_SPEC, default
# tests/rust/specs/progenitor-compatible.yaml).
#
# Not part of CI. Peers are installed from their registries into target/bench-peers (npm) and
# target/bench-peers/cargo (cargo install): nothing outside the repo.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
runs=3
peers=true
check=true
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift ;;
    --no-peers) peers=false ;;
    --no-check) check=false ;;
    *) echo "usage: $0 [--runs N] [--no-peers] [--no-check]" >&2; exit 2 ;;
  esac
  shift
done
corpus="$root/../shared/corpus/specs"
peer_dir="$root/target/bench-peers"
out="$root/target/bench-out"
mkdir -p "$peer_dir" "$out"

cargo build --quiet --release -p sync-build --bin sync-patterns
ours="$root/target/release/sync-patterns"
langs=$("$ours" generate --help | sed -n 's/.*possible values: \(.*\)\]/\1/p' | tr -d ' ')
# Only the languages that are built: a language that fails with "not built yet" is skipped.
built=()
for lang in ${langs//,/ }; do
  if "$ours" generate "$corpus/petstore-3.1.json" --lang "$lang" --out "$out/probe-$lang" >/dev/null 2>&1; then
    built+=("$lang")
  fi
done
all=$(IFS=,; echo "${built[*]}")

if $peers; then
  if [ ! -x "$peer_dir/node_modules/.bin/orval" ]; then
    (cd "$peer_dir" && [ -f package.json ] || echo '{"private": true}' > package.json
     npm install --no-audit --no-fund --loglevel=error --save-exact \
       openapi-typescript@7.13.0 @hey-api/openapi-ts@0.99.0 typescript@5.9.3 orval@8.38.0)
  fi
  if [ ! -x "$peer_dir/cargo/bin/cargo-progenitor" ]; then
    cargo install --quiet --root "$peer_dir/cargo" cargo-progenitor --version 0.15.1 || echo "note: cargo-progenitor did not install; skipped"
  fi
fi
bin="$peer_dir/node_modules/.bin"

# measure NAME CMD...: one run; appends "seconds peak_kib" to $out/NAME.times
measure() {
  local name=$1
  shift
  /usr/bin/time -f "%e %M" -o "$out/.one" "$@" >/dev/null 2>&1 || echo "fail fail" > "$out/.one"
  cat "$out/.one" >> "$out/$name.times"
}
# report NAME LABEL [BASE]: median time and max peak of NAME, and its ratio to BASE
median() { grep -v fail "$out/$1.times" | awk '{print $1}' | sort -n | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]; else print "fail"}'; }
peak() { grep -v fail "$out/$1.times" | awk 'BEGIN{m=0} {if ($2>m) m=$2} END {printf "%.0f", m/1024}'; }
report() {
  local name=$1 label=$2 base=${3:-}
  local t
  t=$(median "$name")
  if [ "$t" = fail ]; then
    printf '  %-46s %9s\n' "$label" "failed"
    return
  fi
  local ratio=""
  if [ -n "$base" ] && [ "$(median "$base")" != fail ]; then
    ratio=$(awk -v a="$t" -v b="$(median "$base")" 'BEGIN { if (b > 0) printf "%.1fx ours", a / b }')
  fi
  printf '  %-46s %7.2f s %7s MB  %s\n' "$label" "$t" "$(peak "$name")" "$ratio"
}

for spec in github-api.json stripe.json petstore-3.1.json; do
  path="$corpus/$spec"
  rm -f "$out"/*.times
  for _ in $(seq "$runs"); do
    for lang in "${built[@]}"; do
      measure "ours-$lang" "$ours" generate "$path" --lang "$lang" --out "$out/ours-$lang"
    done
    # A B A B: ours (all languages) before each peer run.
    measure ours-all "$ours" generate "$path" --lang "$all" --out "$out/ours-all"
    if $peers; then
      measure oat "$bin/openapi-typescript" "$path" -o "$out/oat.ts"
      measure ours-all "$ours" generate "$path" --lang "$all" --out "$out/ours-all"
      measure hey "$bin/openapi-ts" -i "$path" -o "$out/hey"
      measure ours-all "$ours" generate "$path" --lang "$all" --out "$out/ours-all"
      measure orval "$bin/orval" --input "$path" --output "$out/orval/api.ts"
      if [ -x "$peer_dir/cargo/bin/cargo-progenitor" ]; then
        measure ours-all "$ours" generate "$path" --lang "$all" --out "$out/ours-all"
        measure progenitor "$peer_dir/cargo/bin/cargo-progenitor" progenitor -i "$path" -o "$out/progenitor" -n bench -v 0.0.0
      fi
    fi
  done
  echo "$spec ($(du -h "$path" | cut -f1)), median of $runs runs, peak RSS:"
  for lang in "${built[@]}"; do report "ours-$lang" "sync-patterns $lang"; done
  report ours-all "sync-patterns, all of: $all"
  if $peers; then
    report oat "openapi-typescript 7.13.0 (types only)" ours-all
    report hey "@hey-api/openapi-ts 0.99.0 (types, sdk)" ours-all
    report orval "orval 8.38.0 (types, client)" ours-all
    [ -f "$out/progenitor.times" ] && report progenitor "cargo-progenitor 0.15.1 (Rust)" ours-all
  fi
  echo
done

if $check; then
  echo "cargo check of the generated Rust (time, peak RSS; dependencies built first, untimed):"
  ws="$root/target/bench-check"
  mkdir -p "$ws"
  # timed_check NAME DIR: `cargo check` of the crate in DIR once untimed (dependencies), then
  # again after touching its sources, printing that second run's time and peak RSS.
  timed_check() {
    local name=$1 dir=$2
    (cd "$dir" && CARGO_TARGET_DIR="$ws/target" cargo check --quiet --lib >/dev/null 2>&1 || true)
    touch "$dir"/src/*.rs
    if (cd "$dir" && /usr/bin/time -f "%e %M" -o "$out/.check" env CARGO_TARGET_DIR="$ws/target" cargo check --quiet --lib >/dev/null 2>&1); then
      read -r secs kib < "$out/.check"
      printf '  %-46s %7.1f s %7.0f MB peak\n' "$name" "$secs" "$(awk -v k="$kib" 'BEGIN { print k / 1024 }')"
    else
      printf '  %-46s %9s\n' "$name" "does not compile"
    fi
  }
  check_crate() { # NAME SRC_RS
    local name=$1 src=$2 dir="$ws/$1"
    mkdir -p "$dir/src"
    cp "$src" "$dir/src/lib.rs"
    printf '[package]\nname = "%s"\nversion = "0.0.0"\nedition = "2024"\n\n[dependencies]\nsync-runtime = { path = "%s", default-features = false }\n\n[workspace]\n\n[profile.dev]\ndebug = false\n' \
      "$name" "$root/sync-runtime" > "$dir/Cargo.toml"
    cp "$root/Cargo.lock" "$dir/Cargo.lock"
    timed_check "$name" "$dir"
  }
  "$ours" generate "$corpus/github-api.json" --lang rust --out "$out/gh-whole" >/dev/null
  "$ours" generate "$corpus/github-api.json" --lang rust --tags repos,issues --out "$out/gh-subset" >/dev/null
  check_crate github-whole "$out/gh-whole/api.rs"
  check_crate github-repos-issues "$out/gh-subset/api.rs"
  prog_spec="${PROGENITOR_SPEC:-$root/tests/rust/specs/progenitor-compatible.yaml}"
  if [ -f "$prog_spec" ] && [ -x "$peer_dir/cargo/bin/cargo-progenitor" ]; then
    "$ours" generate "$prog_spec" --lang rust --out "$out/p-ours" >/dev/null
    check_crate "ours-$(basename "$prog_spec" | cut -d. -f1)" "$out/p-ours/api.rs"
    rm -rf "$out/p-prog"
    if "$peer_dir/cargo/bin/cargo-progenitor" progenitor -i "$prog_spec" -o "$out/p-prog" -n pbench -v 0.0.0 >/dev/null 2>&1; then
      timed_check "progenitor-$(basename "$prog_spec" | cut -d. -f1)" "$out/p-prog"
    else
      echo "  progenitor rejects $(basename "$prog_spec")"
    fi
  fi
fi
