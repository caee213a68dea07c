#!/usr/bin/env bash
# Builds the libFuzzer harnesses (native/fuzz/fuzz_dcd.cpp, fuzz_xtc.cpp, fuzz_lammps_dump.cpp, fuzz_xyz.cpp:
# the readers; fuzz_xtc_codec.cpp:
# encode/decode round trip) with clang, AddressSanitizer and UndefinedBehaviorSanitizer, and runs
# each for SECONDS (default 300) at the lowest CPU priority, seeded with real-writer fixtures.
#   scripts/fuzz.sh [SECONDS] [dcd|xtc|xtc_codec ...]
# Logs, corpora and any crashing inputs land in build-fuzz/. A crash input belongs in
# test/fixtures/formats/fuzz-regressions/<format>/ once fixed (test_fuzz_regressions reads them).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-300}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(dcd xtc xtc_codec lammps_dump xyz gro)
bash scripts/install-system-deps.sh --for-fuzz
build=build-fuzz
flags="-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined"
cmake -S . -B "$build" -DIONFIELD_FUZZ=ON -DIONFIELD_CUDA=OFF -DIONFIELD_BUILD_TESTS=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="" >/dev/null
cmake --build "$build" -j2 --target $(printf 'fuzz_%s ' "${targets[@]}") >/dev/null
for f in "${targets[@]}"; do
  corpus="$build/corpus/$f"
  mkdir -p "$corpus" "$build/artifacts/$f"
  # The committed corpus of the recorded campaign (docs/reliability.md) starts every run where it ended.
  for seed in test/fixtures/formats/binary/*."$f" test/fixtures/formats/fuzz-seeds/"$f"/* \
              test/fixtures/formats/fuzz-regressions/"$f"/* test/fixtures/formats/fuzz-corpus/"$f"/*; do
    [ -f "$seed" ] && cp "$seed" "$corpus/"
  done
  echo "fuzzing $f for ${seconds}s (corpus $corpus)"
  nice -n 19 "$build/fuzz_$f" "$corpus" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 \
    -timeout="${FUZZ_TIMEOUT:-10}" -artifact_prefix="$build/artifacts/$f/" -print_final_stats=1 >"$build/fuzz_$f.log" 2>&1 || true
  grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec|stat::new_units_added|stat::peakRssMb)' "$build/fuzz_$f.log" || true
  grep -E 'ERROR: (AddressSanitizer|libFuzzer)|runtime error|deadly signal' "$build/fuzz_$f.log" | head -5 || true
  ls "$build/artifacts/$f"
done
