#!/usr/bin/env bash
# The GPU check anyone lent a GPU can run (issue 16), in one call, in under 8 minutes, with no
# network:
#   1. builds the native core, its tests and native/bench/gpu_check with nvcc (IONFIELD_CUDA=ON);
#   2. runs the native tests that hold the CUDA twins (test_neighbors, test_descriptors);
#   3. gpu_check: CUDA = CPU for neighbour lists (identical pair sets) and symmetry functions
#      (float64 to 1e-10, float32 to 2e-7) on W1-like frames (4,096 ions, cubic and triclinic) and
#      on 10⁵ and 10⁶ ions, with CPU (1 thread, all threads) and CUDA wall times;
#   4. where Node.js and node_modules are present: the addon, the CUDA agreement mocha test and
#      `ionfield bench` on CUDA and CPU;
#   5. writes everything under docs/benchmarks/gpu/<date>-<host>/ (or $IONFIELD_GPU_OUT).
# Without nvcc or without a GPU it still runs the CPU parts and says plainly that no GPU is present
# (exit 0). Exit 1 only when something ran and failed (a build, a test, a disagreement).
#
#   scripts/gpu/check.sh                      # full check (sizes 4096, 1e5, 1e6)
#   IONFIELD_GPU_SIZES=4096,20000 scripts/gpu/check.sh   # smaller, e.g. on a CPU-only machine
#
# The device machines of this workplace have nvcc, CMake and ninja but (as far as their package
# list says) no Node.js; steps 1–3 need only those, a C++ compiler and zlib's header. If zlib.h is
# missing there, carry it: scripts/gpu/prepare-carry.sh fills .gpu-carry/ (ignored by git) with
# zlib's headers (and Node.js plus a trimmed node_modules when they fit the carry limit), and this
# script uses .gpu-carry/ when it exists.
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
started=$(date +%s)
sizes=${IONFIELD_GPU_SIZES:-4096,100000,1000000}
stamp=$(date -u +%Y-%m-%d)-$(hostname | tr -cd 'A-Za-z0-9._-' | cut -c1-24)
out=${IONFIELD_GPU_OUT:-docs/benchmarks/gpu/$stamp}
build=${IONFIELD_GPU_BUILD:-build-gpu}
carry=$root/.gpu-carry
mkdir -p "$out"
log=$out/check.log
: >"$log"
say() { echo "$*" | tee -a "$log"; }
failed=0
fail() { say "FAILED: $*"; failed=1; }
elapsed() { echo $(($(date +%s) - started)); }

# ---- what is here
[ -d "$carry/bin" ] && export PATH=$carry/bin:$PATH
[ -d "$carry/node_modules" ] && [ ! -e node_modules ] && ln -s "$carry/node_modules" node_modules
cores=$(nproc)
say "# ionfield GPU check, $(date -u +%FT%TZ) on $(hostname), $cores cores"
say "commit: $(git rev-parse HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (modified)')"
nvcc_path=$(command -v nvcc || ls /usr/local/cuda/bin/nvcc 2>/dev/null || true)
if [ -n "$nvcc_path" ]; then say "nvcc: $("$nvcc_path" --version | tail -1)"; else say "nvcc: NOT FOUND — the CUDA kernels cannot be built"; fi
if command -v nvidia-smi >/dev/null && nvidia-smi -L >/dev/null 2>&1; then
  gpu_line=$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | head -1)
  say "GPU: $gpu_line"
else
  gpu_line=''
  say "GPU: NONE PRESENT (nvidia-smi finds no device) — the CPU parts run; CUDA agreement and timings are skipped"
fi
have_node=0
# IONFIELD_GPU_NO_NODE=1 takes the native-only path even where Node.js exists (how the device machines run it).
if [ -z "${IONFIELD_GPU_NO_NODE:-}" ] && command -v node >/dev/null && [ -d node_modules/cmake-js ] && [ -d node_modules/node-addon-api ]; then have_node=1; fi
say "Node.js with node_modules: $([ $have_node = 1 ] && node --version || echo 'no — steps 4 (addon, mocha, ionfield bench) are skipped')"

# ---- 1. build (CUDA on when nvcc exists; sm_90 only unless CMAKE_CUDA_ARCHITECTURES says otherwise)
defines=(-DIONFIELD_CUDA=ON -DIONFIELD_BUILD_TESTS=ON -DCMAKE_BUILD_TYPE=Release)
[ -n "$nvcc_path" ] && defines+=(-DCMAKE_CUDA_COMPILER="$nvcc_path" -DCMAKE_CUDA_ARCHITECTURES="${CMAKE_CUDA_ARCHITECTURES:-90}")
if ! printf '#include <zlib.h>\n' | ${CXX:-c++} -x c++ -fsyntax-only - 2>/dev/null; then
  if [ -f "$carry/zlib/zlib.h" ]; then
    zlib_so=$(ldconfig -p | awk '/libz\.so\.1 .*x86-64/ {print $NF; exit}')
    defines+=(-DZLIB_INCLUDE_DIR="$carry/zlib" -DZLIB_LIBRARY="$zlib_so")
    say "zlib.h: from .gpu-carry/zlib, library $zlib_so"
  else
    say "zlib.h: missing and not carried (run scripts/gpu/prepare-carry.sh where it exists)"
  fi
fi
say "## 1. build ($build, $(elapsed) s)"
if [ $have_node = 1 ]; then
  # cmake-js builds core, addon, native tests and gpu_check in one tree.
  IONFIELD_BUILD_DIR=$build IONFIELD_CUDA=ON CMAKE_CUDA_ARCHITECTURES=${CMAKE_CUDA_ARCHITECTURES:-90} \
    node scripts/build-native.js >>"$log" 2>&1 || fail "native build (cmake-js)"
  [ -f dist/lib/cli.js ] || node_modules/.bin/tsc -p tsconfig.json >>"$log" 2>&1 || fail "TypeScript build"
else
  generator=(); command -v ninja >/dev/null && generator=(-G Ninja)
  { cmake -S . -B "$build" "${generator[@]}" "${defines[@]}" && cmake --build "$build" -j "$cores" --target ionfield_core test_neighbors test_descriptors gpu_check; } >>"$log" 2>&1 ||
    fail "native build (cmake)"
fi
kernels=$(grep -E 'ionfield: CUDA kernels' "$log" | tail -1)
say "${kernels:-build configured earlier (CUDA kernels as then; see $build/CMakeCache.txt IONFIELD_CUDA)}"

# ---- 2. native tests with the CUDA twins
say "## 2. native CUDA tests ($(elapsed) s)"
for t in test_neighbors test_descriptors; do
  exe=$build/native-tests/$t
  if [ ! -x "$exe" ]; then fail "$t was not built"; continue; fi
  if "$exe" >"$out/$t.txt" 2>&1; then say "$t: passed"; else fail "$t (see $out/$t.txt)"; fi
  grep -E "CUDA|SKIP" "$out/$t.txt" | sed 's/^/  /' | tee -a "$log"
done

# ---- 3. CUDA = CPU at scale, and timings
say "## 3. gpu_check, sizes $sizes ($(elapsed) s)"
if [ -x "$build/native-bench/gpu_check" ]; then
  "$build/native-bench/gpu_check" --sizes "$sizes" --json "$out/gpu-check.json" >"$out/gpu-check.md" 2>&1 || fail "gpu_check (CUDA differs from CPU, or it crashed; see $out/gpu-check.md)"
  tee -a "$log" <"$out/gpu-check.md"
else
  fail "gpu_check was not built"
fi

# ---- 4. addon: mocha CUDA agreement, ionfield bench on CUDA and CPU
if [ $have_node = 1 ] && [ -f dist/lib/cli.js ]; then
  say "## 4. addon ($(elapsed) s)"
  export IONFIELD_BUILD_DIR=$build IONFIELD_NO_PROGRESS=1
  node bin/ionfield.js info --devices | tee -a "$log"
  node_modules/.bin/mocha --no-config --import=tsx --timeout 300000 -g 'CUDA' test/descriptors.test.ts >"$out/mocha-cuda.txt" 2>&1 || fail "mocha CUDA test (see $out/mocha-cuda.txt)"
  # "1 pending" means the test skipped itself: no GPU usable from the addon.
  grep -E "passing|failing|pending|SKIP" "$out/mocha-cuda.txt" | sed 's/^ */  mocha: /' | tee -a "$log"
  bench_sizes=$(echo "$sizes" | tr ',' '\n' | awk '$1 >= 10000' | paste -sd, -)
  [ -n "$bench_sizes" ] || bench_sizes=$sizes
  # One CPU setting (all cores) for NL and SF: gpu_check above already has the one-core times.
  node bin/ionfield.js bench --cases nl,sf --sizes "$bench_sizes" --threads "$cores" --budget 5 --repeats 3 --out "$out/bench-nl-sf.json" | tee "$out/bench-nl-sf.txt" >>"$log" || fail "ionfield bench nl,sf"
  node bin/ionfield.js bench --quick --cases predict,transport,kmc --sizes 1e4,1e5 --threads "1,$cores" --budget 5 --out "$out/bench-pipeline.json" | tee "$out/bench-pipeline.txt" >>"$log" || fail "ionfield bench predict,transport,kmc"
  cat "$out/bench-nl-sf.txt" "$out/bench-pipeline.txt"
else
  say "## 4. skipped: no Node.js with node_modules here (the native steps above cover CUDA = CPU and the NL/SF timings)"
fi

say "## done in $(elapsed) s; results in $out"
if [ -z "$gpu_line" ]; then
  say "NO GPU PRESENT: CPU parts only. Nothing about the CUDA path was measured."
fi
exit $failed
