#!/usr/bin/env bash
# One idempotent set-up step shared by `npm run demo` and `npm test`:
# system packages (apt, when root), pnpm, workspace dependencies, build.
# A second run on a set-up machine costs a few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=10.34.8
# What the test suite and the demo need from Debian:
#  chromium            browser tests, and chromium-common's chrome_crashpad_handler
#  wrk                 request-throughput benchmarks
#  cmake, g++          the native addon (built from source in the workspace)
#  gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user   arm64 crash-core tests
#  g++-aarch64-linux-gnu  the linux-arm64 prebuilt addon (native/scripts/prebuild.js)
APT_PACKAGES=(chromium chromium-common wrk cmake g++ gcc-aarch64-linux-gnu g++-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user)

log() { printf '[setup] %s\n' "$*"; }

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    log "not root: install these Debian packages first, then run again:"
    log "  sudo apt-get update && sudo apt-get install -y ${missing[*]}"
    exit 1
  fi
fi

if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  log "installing pnpm@$PNPM_VERSION through npm"
  npm install -g --silent "pnpm@$PNPM_VERSION" >/dev/null
fi

log "installing workspace dependencies"
if [ -f pnpm-lock.yaml ]; then
  pnpm install --frozen-lockfile --reporter=silent
else
  pnpm install --reporter=silent
fi

log "building packages"
pnpm run --silent build
log "ready"
