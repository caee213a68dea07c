#!/usr/bin/env bash
# Run HERE (a machine with network and Debian's packages), before lending a GPU node the check:
# fills .gpu-carry/ (ignored by git) with what scripts/gpu/check.sh may lack on a GPU node that
# has nvcc, CMake and a compiler but nothing else, and prints its size against the carry limit.
#   zlib/   zlib.h and zconf.h (the native core reads .gz; the node's runtime libz.so.1 is used)
# Node.js is not packed: its binary alone is ~24 MB compressed (99 MB unpacked), and onnxruntime-node
# another 45 MB, beyond the 64 MiB that travels with this ~46 MB tree; check.sh then runs its
# native steps (CUDA = CPU, timings) and skips `ionfield bench`, saying so.
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p .gpu-carry/zlib
for h in zlib.h zconf.h; do
  src=$(printf '#include <%s>\n' "$h" | ${CXX:-c++} -x c++ -M - 2>/dev/null | tr ' \\' '\n\n' | grep "/$h\$" | head -1)
  [ -n "$src" ] || { echo "prepare-carry: $h not found here (apt-get install zlib1g-dev)" >&2; exit 1; }
  cp "$src" .gpu-carry/zlib/
done
tree_mb=$(git ls-files -z | du -c --files0-from=- -m | tail -1 | cut -f1)
carry_mb=$(du -sm .gpu-carry | cut -f1)
echo "prepare-carry: .gpu-carry is ${carry_mb} MB; tracked tree ${tree_mb} MB; limit 64 MiB together"
echo "device call: run(command='scripts/gpu/check.sh', carry=['.gpu-carry'], timeout_s=540)"
