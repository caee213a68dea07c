#!/usr/bin/env bash
# g_ab(r) for all species pairs: `ionfield analyze` (which also computes C_ab(r), n_ab(r),
# distributions and ion-pair classes) against MDAnalysis InterRDF (three InterRDF runs), on the
# same frames of one trajectory, same machine, same run.
#   scripts/bench/rdf.sh TRAJ STRIDE R_MAX BINS [TIMESTEP]
# Needs /usr/bin/python3 with MDAnalysis and GNU time; builds dist/ first (npx tsc).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
traj="$1"; stride="$2"; rmax="$3"; bins="$4"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
natoms=$(node "$root/bin/ionfield.js" info "$traj" --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).atoms))')
nframes=$(node "$root/bin/ionfield.js" info "$traj" --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).frames))')
sel=$(( (nframes + stride - 1) / stride ))
node -e "
const {writeNpy}=require('$root/dist/lib/analysis/npy.js');
writeNpy('$work/ones.npy',{shape:[$sel,$natoms],data:new Float64Array($sel*$natoms).fill(1)});"
echo "trajectory $traj: $nframes frames x $natoms atoms; every ${stride}th frame ($sel frames), r < $rmax, $bins bins"
/usr/bin/time -f "ionfield analyze: %e s wall, %M KiB max RSS" node "$root/bin/ionfield.js" analyze "$traj" --field "$work/ones.npy" --stride "$stride" --r-max "$rmax" --bins "$bins" --out "$work/out" --pair-cutoff 1.5 >/dev/null
/usr/bin/time -f "MDAnalysis InterRDF (3 pairs): %e s wall, %M KiB max RSS" /usr/bin/python3 "$root/scripts/validate/rdf-vs-mdanalysis.py" "$traj" "$stride" "$rmax" "$bins" >/dev/null 2>"$work/mda.err" || { cat "$work/mda.err"; exit 1; }
grep "InterRDF\|wall" "$work/mda.err" || true
