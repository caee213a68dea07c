#!/usr/bin/env bash
# Regenerates test/fixtures/descriptors/: a small charged soft-sphere binary mixture (reduced
# units, ion diameter 1) at number density ~0.38 in a triclinic periodic cell, run with LAMMPS;
# 4 frames of 96 ions with wrapped coordinates and image flags (LAMMPS type 1: cation, 2: anion).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
out="$here/test/fixtures/descriptors"
mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat > "$work/in.ions" <<'LMP'
units lj
atom_style charge
boundary p p p
lattice sc 0.38
region box prism 0 4 0 4 0 6 0.8 -0.6 0.5 units lattice
create_box 2 box
create_atoms 1 random 48 4821 box
create_atoms 2 random 48 9133 box
mass * 1.0
set type 1 charge 1.0
set type 2 charge -1.0
pair_style lj/cut/coul/cut 1.122462 3.0
pair_coeff * * 1.0 1.0
pair_modify shift yes
dielectric 10.0
minimize 1e-4 1e-6 1000 10000
velocity all create 1.5 2026 mom yes
fix 1 all nvt temp 1.5 1.5 0.5
timestep 0.002
thermo 500
run 2000
dump d all custom 500 ions.lammpstrj id type q x y z ix iy iz
dump_modify d sort id
run 1500
LMP
(cd "$work" && /usr/bin/lmp -in in.ions -log none -screen none)
cp "$work/ions.lammpstrj" "$out/ions-triclinic.lammpstrj"
echo "wrote $out/ions-triclinic.lammpstrj"
