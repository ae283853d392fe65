#!/usr/bin/env bash
# The crash core's C tests (CI runs this as @crashfree/native's test:extra):
#  1. host build: unit + handler tests, Crashpad cases included;
#  2. breakpad's minidump_stackwalk reads the in-process and Crashpad dumps
#     with the right crash reason and, with dump_syms symbols, the right function;
#  3. arm64 cross-build run under qemu-aarch64 (the out-of-process path is
#     excluded: no ptrace under qemu-user), its dump read by the same tools.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=build/ctest-out
rm -rf "$OUT" && mkdir -p "$OUT"
BIN=$(node -p "require('path').dirname(require.resolve('minidump/package.json'))" 2>/dev/null)/bin/linux-x64
pass=0 fail=0
step() { # name, then the command
  local name=$1; shift
  if "$@" >"$OUT/$name.log" 2>&1; then pass=$((pass + 1)); echo "PASS $name"
  else fail=$((fail + 1)); echo "FAIL $name (log: native/$OUT/$name.log)"; tail -20 "$OUT/$name.log" | sed 's/^/    /'; fi
}

# A failed build must never leave an old binary to be tested.
build_host() {
  rm -f build/ctest/cf_core_tests
  cmake -S . -B build/ctest -DCF_BUILD_TESTS=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo && cmake --build build/ctest -j2
}
run_host() { build/ctest/cf_core_tests "$OUT/host"; }

# stackwalk DUMP REASON FUNCTION: the dump's crash reason and crashing frame.
stackwalk() {
  local dump=$1 reason=$2 fn=$3 syms="$OUT/symbols" text
  text=$("$BIN/minidump_stackwalk" "$dump" "$syms" 2>/dev/null) || { echo "stackwalk failed on $dump"; return 1; }
  echo "$text" | head -30
  # breakpad prints "SIGSEGV SEGV_MAPERR" but "SIGFPE / FPE_INTDIV".
  echo "$text" | grep -Eq "Crash reason: +${reason%% *} / ?${reason##* }\$" || { echo "expected crash reason $reason"; return 1; }
  echo "$text" | grep -A1 '(crashed)' | grep -q "!$fn " || { echo "expected crashing function $fn"; return 1; }
}
symbols_for() { # BINARY: breakpad symbol store layout
  local sym="$OUT/sym.tmp" id name
  "$BIN/dump_syms" "$1" >"$sym" 2>/dev/null || return 1
  read -r _ _ _ id name <"$sym"
  mkdir -p "$OUT/symbols/$name/$id" && mv "$sym" "$OUT/symbols/$name/$id/$name.sym"
}
check_dumps_host() {
  symbols_for build/ctest/cf_core_tests &&
    stackwalk "$OUT/host/handler_segv_inprocess/inprocess.dmp" "SIGSEGV SEGV_MAPERR" crash_null &&
    stackwalk "$OUT/host/handler_integer_divide/inprocess.dmp" "SIGFPE FPE_INTDIV" crash_fpe &&
    stackwalk "$(ls "$OUT"/host/handler_crashpad/crashpad/pending/*.dmp | head -1)" "SIGSEGV SEGV_MAPERR" crash_null
}

build_arm64() {
  rm -f build/ctest-arm64/cf_core_tests
  cmake -S . -B build/ctest-arm64 -DCF_BUILD_TESTS=ON -DCF_TEST_CRASHPAD=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_SYSTEM_NAME=Linux -DCMAKE_SYSTEM_PROCESSOR=aarch64 \
    -DCMAKE_C_COMPILER=aarch64-linux-gnu-gcc &&
    cmake --build build/ctest-arm64 -j2
}
run_arm64() { qemu-aarch64 -L /usr/aarch64-linux-gnu build/ctest-arm64/cf_core_tests "$OUT/arm64"; }
check_dumps_arm64() {
  symbols_for build/ctest-arm64/cf_core_tests &&
    stackwalk "$OUT/arm64/handler_segv_inprocess/inprocess.dmp" "SIGSEGV SEGV_MAPERR" crash_null
}

# The variant for platforms without POSIX signals must at least compile.
build_none() { ${CC:-cc} -std=gnu11 -Wall -Wextra -Werror -fsyntax-only -Isrc/core src/core/handler_none.c src/core/state.c; }

step host-build build_host
step none-variant-compiles build_none
step host-tests run_host
step host-minidumps check_dumps_host
if command -v aarch64-linux-gnu-gcc >/dev/null && command -v qemu-aarch64 >/dev/null; then
  step arm64-build build_arm64
  step arm64-tests run_arm64
  step arm64-minidumps check_dumps_arm64
else
  fail=$((fail + 1)); echo "FAIL arm64: aarch64-linux-gnu-gcc or qemu-aarch64 missing (scripts/setup.sh installs them)"
fi
echo "native C tests: $pass passed, $fail failed"
[ "$fail" = 0 ]
