#!/usr/bin/env bash
# Builds the native core and its unit tests with AddressSanitizer and UndefinedBehaviorSanitizer
# (g++, no CUDA) in build-asan/ and runs every test executable; any sanitizer report fails it.
# Prints one line per test and a last line "sanitized: N passed, M failed". Used by .ci/run.
set -uo pipefail
cd "$(dirname "$0")/../.."
build=${IONFIELD_ASAN_BUILD:-build-asan}
flags="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined"
cmake -S . -B "$build" -DIONFIELD_CUDA=OFF -DIONFIELD_BUILD_TESTS=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null \
  || { echo "sanitized: 0 passed, 1 failed (cmake configure)"; exit 1; }
if ! cmake --build "$build" -j"$(nproc)" >"$build/build.log" 2>&1; then
  tail -20 "$build/build.log"
  echo "sanitized: 0 passed, 1 failed (build)"
  exit 1
fi
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
passed=0 failed=0
for t in "$build"/native-tests/test_*; do
  name=$(basename "$t")
  if out=$("$t" 2>&1); then
    passed=$((passed + 1)); echo "  ok   $name"
  else
    failed=$((failed + 1)); echo "  FAIL $name"; echo "$out" | grep -E "ERROR: AddressSanitizer|runtime error|FAIL|SUMMARY" | head -10
  fi
done
echo "sanitized: ${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]
