#!/usr/bin/env bash
# Installs the Debian packages ionfield's scripts and tests use, when they are missing.
#   --for-tests   what `npm test` needs: LAMMPS (end-to-end simulation test),
#                 python3-mdanalysis and python3-ase (independent references)
#   --for-bench   the above plus the benchmark peers (python3-torch)
#   --for-fuzz    clang for libFuzzer
# The package itself (npm install) needs only cmake, make, g++ and zlib headers.
set -euo pipefail
want=(lammps python3-mdanalysis python3-ase zlib1g-dev cmake)
for arg in "$@"; do
  case "$arg" in
    --for-tests) ;;
    --for-bench) want+=(python3-torch hyperfine) ;;  # torch: the descriptor reference in scripts/bench/descriptors_peers.py
    --for-fuzz) want+=(clang libclang-rt-14-dev) ;;
    *) echo "unknown option $arg" >&2; exit 2 ;;
  esac
done
missing=()
for p in "${want[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "ionfield needs these Debian packages: ${missing[*]}" >&2
  echo "install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "installing ${missing[*]} ..." >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq "${missing[@]}" >/dev/null
