#!/usr/bin/env bash
# CI's short fuzzing run: every libFuzzer harness (scripts/fuzz.sh: the DCD, XTC, LAMMPS dump,
# XYZ and .gro readers and the XTC codec, under ASan + UBSan) for SECONDS each (default 15),
# seeded with the committed corpora. A crash, sanitizer report or unexpected exception fails it.
# Prints "fuzz: N passed, M failed" last. The long campaign is docs/reliability.md.
set -uo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-15}
mkdir -p build-fuzz
# A unit slower than 60 s is a hang; 10 s (fuzz.sh's default) trips on a busy 2-core machine under ASan.
if ! FUZZ_TIMEOUT=60 bash scripts/fuzz.sh "$seconds" >build-fuzz/smoke.log 2>&1; then
  tail -20 build-fuzz/smoke.log
  echo "fuzz: 0 passed, 1 failed (build or run)"
  exit 1
fi
passed=0 failed=0
for log in build-fuzz/fuzz_*.log; do
  name=$(basename "$log" .log)
  target=${name#fuzz_}
  runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' || echo 0)
  # crash-, leak-, timeout- and oom- artifacts are findings; slow-unit- ones only say the machine was busy.
  findings=$(ls "build-fuzz/artifacts/$target" 2>/dev/null | grep -Ev '^slow-unit-' || true)
  if grep -qE 'ERROR: (AddressSanitizer|libFuzzer)|runtime error|deadly signal' "$log" || [ -n "$findings" ]; then
    failed=$((failed + 1)); echo "  FAIL $name after ${runs} inputs"; grep -E 'ERROR|runtime error' "$log" | head -5
  else
    passed=$((passed + 1)); echo "  ok   $name: ${runs} inputs in ${seconds} s, no crash"
  fi
done
echo "fuzz: ${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]
