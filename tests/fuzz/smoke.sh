#!/usr/bin/env bash
# ctest fuzz_smoke: builds the libFuzzer targets (fuzz/) with clang into BUILD/fuzz, replays every
# input under fuzz/regressions (each once crashed a reader), then fuzzes each target for
# FUZZ_SMOKE_S seconds (default 10). Skips (exit 77) when clang-15 or libFuzzer is missing.
#   tests/fuzz/smoke.sh SOURCE_DIR BUILD_DIR
set -uo pipefail
src="${1:?usage: smoke.sh SOURCE_DIR BUILD_DIR}"
build="${2:?usage: smoke.sh SOURCE_DIR BUILD_DIR}/fuzz"
cxx="${FUZZ_CXX:-clang++-15}"
seconds="${FUZZ_SMOKE_S:-10}"

if ! command -v "$cxx" >/dev/null 2>&1; then
  echo "fuzz_smoke: SKIP: $cxx not found (scripts/install-deps.sh installs clang-15 libfuzzer-15-dev)"
  exit 77
fi
if ! ls "$("$cxx" -print-resource-dir)"/lib/linux/libclang_rt.fuzzer-*.a >/dev/null 2>&1; then
  echo "fuzz_smoke: SKIP: no libFuzzer for $cxx (apt-get install libfuzzer-15-dev)"
  exit 77
fi

start=$(date +%s)
cmake -S "$src/fuzz" -B "$build" -DCMAKE_CXX_COMPILER="$cxx" >"$build.configure.log" 2>&1 ||
  { cat "$build.configure.log"; exit 1; }
cmake --build "$build" -j "${FUZZ_JOBS:-2}" >"$build.build.log" 2>&1 || { tail -40 "$build.build.log"; exit 1; }
echo "fuzz_smoke: built the targets in $(($(date +%s) - start)) s"

status=0
bash "$src/fuzz/run.sh" "$build" replay || status=1
bash "$src/fuzz/run.sh" "$build" "$seconds" || status=1
exit $status
