#!/usr/bin/env bash
# The whole test suite, after scripts/setup.sh has installed and built:
# import-direction lint and type check, the suites that are not vitest
# (C unit tests, arm64 under qemu, the React Native jest cross-check), then
# every vitest project (unit, scenario, crash matrix, browser, interop).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== lint: import direction and types"
pnpm run --silent lint

echo "== package suites outside vitest"
pnpm -r --workspace-concurrency=1 --if-present run test:extra

echo "== vitest"
pnpm exec vitest run "$@"
