#!/usr/bin/env bash
# Regenerates the shipped demo trajectory data/demo/electrolyte.lammpstrj.gz with real LAMMPS
# (Debian package `lammps`, /usr/bin/lmp) from data/demo/electrolyte.in.
# About 1.5 minutes on one core. Deterministic for a given LAMMPS build and seed.
#   scripts/make-demo.sh [extra lmp -var arguments, e.g. -var nprod 100000]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
lmp="${LMP:-lmp}"
command -v "$lmp" >/dev/null || { echo "make-demo: LAMMPS ($lmp) not found; run scripts/install-system-deps.sh" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
start=$(date +%s)
"$lmp" -in "$root/data/demo/electrolyte.in" -var dumpfile "$work/electrolyte.lammpstrj" -log "$work/log.lammps" -screen none "$@"
gzip -9 -n electrolyte.lammpstrj
# Keep the log (thermo output, LAMMPS version, timings) beside the data; write both atomically.
cp log.lammps "$root/data/demo/electrolyte.log.tmp" && mv "$root/data/demo/electrolyte.log.tmp" "$root/data/demo/electrolyte.log"
cp electrolyte.lammpstrj.gz "$root/data/demo/electrolyte.lammpstrj.gz.tmp" && mv "$root/data/demo/electrolyte.lammpstrj.gz.tmp" "$root/data/demo/electrolyte.lammpstrj.gz"
echo "make-demo: wrote data/demo/electrolyte.lammpstrj.gz ($(du -h "$root/data/demo/electrolyte.lammpstrj.gz" | cut -f1)) in $(( $(date +%s) - start )) s"
