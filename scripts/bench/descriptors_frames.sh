#!/usr/bin/env bash
# Makes the benchmark frames: N charged soft spheres (ion diameter 1, two species, half each) at
# number density 0.38 in a cubic periodic box, minimised and run briefly with LAMMPS so the
# structure is liquid-like. Usage: descriptors_frames.sh <N> <frames> <out.lammpstrj>
set -euo pipefail
n="$1"; frames="$2"; out="$3"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
half=$((n / 2))
side=$(/usr/bin/python3 -c "print(($n/0.38)**(1/3))")
cat > "$work/in.lmp" <<LMP
units lj
atom_style charge
boundary p p p
region box block 0 $side 0 $side 0 $side
create_box 2 box
create_atoms 1 random $half 1234 box
create_atoms 2 random $((n - half)) 5678 box
mass * 1.0
set type 1 charge 1.0
set type 2 charge -1.0
pair_style lj/cut/coul/cut 1.122462 2.5
pair_coeff * * 1.0 1.0
pair_modify shift yes
dielectric 10.0
neighbor 0.3 bin
minimize 1e-3 1e-5 500 5000
velocity all create 1.5 99 mom yes
fix 1 all nvt temp 1.5 1.5 0.5
timestep 0.002
run 1000
dump d all custom 50 frames.lammpstrj id type x y z
dump_modify d sort id
run $((50 * frames))
LMP
(cd "$work" && /usr/bin/lmp -in in.lmp -log none -screen none)
cp "$work/frames.lammpstrj" "$out"
