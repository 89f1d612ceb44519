#!/usr/bin/env bash
# Sets up (once) and uses a real Swift toolchain on a Debian 12 host.
#
# Debian 13 ("trixie") ships `swiftlang` (Swift 6.0.3 with Foundation, FoundationNetworking,
# Dispatch, XCTest and Observation). The host has no Swift, so we debootstrap a trixie chroot
# under the gitignored .tmp/ and run the compiler there. The chroot shares the host network, so
# tests inside it reach servers on 127.0.0.1.
#
# Usage:
#   scripts/swift-toolchain.sh setup                     # idempotent; reused when present
#   scripts/swift-toolchain.sh run <package-dir> <cmd…>  # e.g. run runtimes/swift swift test
#   scripts/swift-toolchain.sh build <package-dir> [args…]   # swift build with our link flags
#   scripts/swift-toolchain.sh test  <package-dir> [args…]   # swift test  with our link flags
#
# The package directory is bind-mounted under /pkgs inside the chroot (read-write: SwiftPM
# writes .build/ next to Package.swift); commands run in it. Link flag: Debian's libswiftObservation.so leaves
# `swift::threading::fatal` undefined, hence `-Xlinker --allow-shlib-undefined`.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CHROOT="${SWIFT_CHROOT:-$ROOT/.tmp/swift-chroot}"
STAMP="$CHROOT/.sync-patterns-ready"
LINK_FLAGS=(-Xlinker --allow-shlib-undefined)

log() { echo "swift-toolchain: $*" >&2; }

need_root() {
  if [ "$(id -u)" != 0 ]; then
    log "must run as root (debootstrap, chroot and mount need it)"
    exit 1
  fi
}

mount_proc() {
  mkdir -p "$CHROOT/proc"
  if ! mountpoint -q "$CHROOT/proc"; then
    mount -t proc proc "$CHROOT/proc"
  fi
  # /dev is not bind-mounted: debootstrap made the device nodes Swift needs (null, urandom,
  # ...), and a bind mount would let a careless `rm -rf .tmp` reach the host's /dev.
}

setup() {
  need_root
  if [ -f "$STAMP" ]; then
    mount_proc
    return 0
  fi
  if ! command -v debootstrap >/dev/null 2>&1; then
    log "installing debootstrap on the host"
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y debootstrap
  fi
  if [ ! -x "$CHROOT/usr/bin/apt-get" ]; then
    log "debootstrap trixie into $CHROOT"
    rm -rf "$CHROOT"
    mkdir -p "$CHROOT"
    debootstrap --variant=minbase trixie "$CHROOT"
  fi
  mount_proc
  cp /etc/resolv.conf "$CHROOT/etc/resolv.conf" 2>/dev/null || true
  log "installing swiftlang in the chroot"
  chroot "$CHROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    DEBIAN_FRONTEND=noninteractive \
    sh -c 'apt-get update && apt-get install -y --no-install-recommends swiftlang libc6-dev libstdc++-14-dev ca-certificates'
  chroot "$CHROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root swift --version >&2
  touch "$STAMP"
  log "ready: $CHROOT"
}

# run <package-dir> <command…>: runs a command in the chroot, in the package's directory. Each
# package gets its own mount point (/pkgs/<name>-<hash of its host path>), so several runs at
# once do not trip over each other. Paths the command is given should be relative to the package.
run_in() {
  need_root
  [ -f "$STAMP" ] || setup
  mount_proc
  local pkg
  pkg="$(cd "$1" && pwd)"
  shift
  local inside="/pkgs/$(basename "$pkg")-$(printf '%s' "$pkg" | cksum | cut -d' ' -f1)"
  local target="$CHROOT$inside"
  mkdir -p "$target"
  if ! mountpoint -q "$target"; then
    mount --bind "$pkg" "$target"
  fi
  local rc=0
  chroot "$CHROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    LANG=C.UTF-8 ${SWIFT_TEST_ENV:-} \
    sh -c 'cd "$0" && exec "$@"' "$inside" "$@" || rc=$?
  # Another run on the same package may still use the mount: a lazy unmount detaches it once
  # the last one is done.
  umount -l "$target" 2>/dev/null || true
  return "$rc"
}

cmd="${1:-setup}"
shift || true
case "$cmd" in
  setup) setup ;;
  run) run_in "$@" ;;
  build)
    pkg="$1"
    shift
    run_in "$pkg" swift build "${LINK_FLAGS[@]}" "$@"
    ;;
  test)
    pkg="$1"
    shift
    run_in "$pkg" swift test "${LINK_FLAGS[@]}" "$@"
    ;;
  *)
    log "unknown command: $cmd (setup | run | build | test)"
    exit 2
    ;;
esac
