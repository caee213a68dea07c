#!/usr/bin/env bash
# An all-atom example made here with Debian's GROMACS and the OPLS-AA force field it ships:
# 10 LiPF6 in SPC/E water (1,775 atoms, ~0.95 M), 2.6 nm box, NVT at 300 K. Li+ is oplsaa.ff's
# LI (opls_406), PF6- uses oplsaa.ff's PF6 atom types (opls_785/786) with the bonded terms of
# pf6.itp, water is oplsaa.ff/spce.itp. Energy minimisation, 20 ps of equilibration, then NS ns
# (default 0.5; docs/transport.md reports 9.52 ns: NS=9.5) of production, frames every 1 ps, one thread
# (12–20 min per ns on an idle core). Output: OUT/production.xtc (every part of the production run
# joined) with OUT/topol.top (and md.tpr, c.gro for MDAnalysis).
#
# Longer and resumable: once OUT holds a production checkpoint (OUT/md.cpt), the same command with a
# larger NS continues that run to NS ns instead of starting again (gmx convert-tpr -until, then
# mdrun -cpi -noappend: each continuation writes its own md.partNNNN.* files), and an interrupted
# run is resumed by running the command again (from its last checkpoint, written every 15 min by
# mdrun). Every part is then joined by gmx trjcat, which keeps the later part's frames where two
# overlap (a restart re-writes the frames after its checkpoint).
# usage: [NS=4] scripts/examples/lipf6-water/make.sh [OUT] (default /tmp/ionfield-lipf6)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-/tmp/ionfield-lipf6}"
ns="${NS:-0.5}"
gmx="gmx -quiet"
mkdir -p "$out"
cd "$out"
join_parts() {
  # md.xtc, then md.part0002.xtc, md.part0003.xtc, ... (names sort in time order)
  $gmx trjcat -f md.xtc $(ls md.part*.xtc 2>/dev/null) -o production.xtc >> build.log 2>&1
  echo "production.xtc: $(gmx -quiet check -f production.xtc 2>&1 | awk '/^Step/ {print $2}') frames"
}
if [ -f md.cpt ]; then
  until_ps=$(python3 -c "print(round($ns * 1000, 3))")
  $gmx convert-tpr -s md.tpr -until "$until_ps" -o md_ext.tpr >> build.log 2>&1
  $gmx mdrun -nt 1 -s md_ext.tpr -cpi md.cpt -deffnm md -noappend >> build.log 2>&1
  join_parts
  exit 0
fi
cp "$here"/pf6.itp "$here"/pf6.gro "$here"/li.gro "$here"/em.mdp "$here"/nvt.mdp .
$gmx insert-molecules -box 2.6 2.6 2.6 -ci pf6.gro -nmol 10 -seed 20 -o a.gro > build.log 2>&1
$gmx insert-molecules -f a.gro -ci li.gro -nmol 10 -seed 21 -o b.gro >> build.log 2>&1
cat > topol.top <<'TOP'
#include "oplsaa.ff/forcefield.itp"
#include "pf6.itp"
#include "oplsaa.ff/spce.itp"
#include "oplsaa.ff/ions.itp"

[ system ]
10 LiPF6 in SPC/E water

[ molecules ]
PF6   10
LI    10
TOP
$gmx solvate -cp b.gro -cs spc216.gro -o c.gro -p topol.top >> build.log 2>&1
$gmx grompp -f em.mdp -c c.gro -p topol.top -o em.tpr >> build.log 2>&1
$gmx mdrun -nt 1 -deffnm em >> build.log 2>&1
$gmx grompp -f nvt.mdp -c em.gro -p topol.top -o eq.tpr >> build.log 2>&1
$gmx mdrun -nt 1 -deffnm eq >> build.log 2>&1
steps=$(python3 -c "print(int(round($ns * 500000)))")
sed -e "s/^nsteps .*/nsteps = $steps/" -e 's/^gen_vel .*/gen_vel = no/' nvt.mdp > md.mdp
$gmx grompp -f md.mdp -c eq.gro -t eq.cpt -p topol.top -o md.tpr >> build.log 2>&1
$gmx mdrun -nt 1 -deffnm md >> build.log 2>&1
grep -A1 "Performance" md.log | tail -1
join_parts
