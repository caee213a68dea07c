#!/usr/bin/env bash
# Installs the Debian packages ionfield's scripts and tests use, when they are missing.
#   --for-tests   what `npm test` needs: LAMMPS (end-to-end simulation tests), python3-mdanalysis,
#                 python3-ase and gromacs (independent references; GROMACS reads ionfield's XTC
#                 files with `gmx dump`), chromium (the HTML report is opened headless in a test)
#   --for-bench   the above plus the benchmark peers (python3-torch, python3-numpy) and timing tools
#   --for-fuzz    clang for libFuzzer
#   --soft        never fail: print what is missing and how to install it, exit 0 (used by
#                 `npm test`, whose tests that need a missing program skip with that reason)
# The package itself (npm install) needs only cmake, make, g++ and zlib headers.
set -euo pipefail
soft=0
want=(lammps python3-mdanalysis python3-ase gromacs chromium zlib1g-dev cmake)
for arg in "$@"; do
  case "$arg" in
    --for-tests) ;;
    --for-fixtures) ;;  # kept for older instructions: gromacs is now part of --for-tests
    --soft) soft=1 ;;
    --for-bench) want+=(python3-torch python3-numpy hyperfine time gzip) ;;  # numpy: scripts/bench/kmc_numpy.py; torch: descriptor and training peers (scripts/bench)
    --for-fuzz) want+=(clang libclang-rt-14-dev) ;;
    *) echo "unknown option $arg" >&2; exit 2 ;;
  esac
done
missing=()
for p in "${want[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
[ ${#missing[@]} -eq 0 ] && exit 0
give_up() {
  echo "ionfield: these Debian packages are missing: ${missing[*]}" >&2
  echo "install them with: sudo apt-get install -y ${missing[*]}" >&2
  [ "$soft" = 1 ] && exit 0
  exit 1
}
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then give_up; fi
echo "installing ${missing[*]} (apt-get) ..." >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null || give_up
apt-get install -y -qq "${missing[@]}" >/dev/null || give_up
