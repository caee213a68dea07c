#!/usr/bin/env bash
# Read throughput of ionfield's LAMMPS text dump reader beside MDAnalysis, in the same run.
# Generates a large dump (scripts/bench/make-large-dump.py: random walk, LAMMPS `dump custom`
# layout and %g numbers) at two sizes (FRAMES and 2 x FRAMES) plus a gzip copy of the first, then
# reads each whole file with
#   ionfield  — the public JS API, batches of 64 frames (node scripts/bench/read-ionfield.js),
#               as stored and with unwrapping from the image flags;
#   MDAnalysis — Universe(file, format='LAMMPSDUMP') and iterating every frame (Debian's python).
# Reports MB/s (uncompressed bytes), frames/s, the ratio, and from /usr/bin/time the process's
# CPU time (user + sys, whole process including start-up: robust when the machine is shared) and
# peak RSS (at two sizes: whether memory stays flat as the file grows).
# usage: scripts/bench/read-throughput.sh [ATOMS=1000] [FRAMES=5000]   (needs `npm run build`)
#        BENCH_DIR=/path (default /tmp/ionfield-bench) keeps the generated files between runs.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
atoms="${1:-1000}"
frames="${2:-5000}"
dir="${BENCH_DIR:-/tmp/ionfield-bench}"
py=/usr/bin/python3
mkdir -p "$dir"
small="$dir/dump-${atoms}x${frames}.lammpstrj"
large="$dir/dump-${atoms}x$((2 * frames)).lammpstrj"
[ -s "$small" ] || "$py" "$here/make-large-dump.py" "$small" "$atoms" "$frames" 1
[ -s "$large" ] || "$py" "$here/make-large-dump.py" "$large" "$atoms" "$((2 * frames))" 1
[ -s "$small.gz" ] || gzip -6 -k -c "$small" > "$small.gz"
results="$dir/results.jsonl"
: > "$results"

# run LABEL FILE BYTES command...: one JSON line with the reader's own timing and peak RSS.
run() {
  local label="$1" file="$2" bytes="$3"; shift 3
  local out rss
  out=$( { /usr/bin/time -f "RSS %M %U %S" "$@" 2>&1 1>&3 | grep '^RSS' > "$dir/rss"; } 3>&1 )
  rss=$(awk '{print $2}' "$dir/rss")
  cpu=$(awk '{print $3 + $4}' "$dir/rss")
  echo "$out" | "$py" -c "
import json,sys
r=json.loads(sys.stdin.read().strip().splitlines()[-1]); r.update(label='$label', file='$(basename "$file")', bytes=$bytes, rss_kb=$rss, cpu_s=$cpu)
print(json.dumps(r))" >> "$results"
  tail -1 "$results" >&2
}

cd "$root"
for f in "$small" "$large" "$small.gz"; do
  bytes=$(stat -c %s "${f%.gz}")   # uncompressed size: MB/s of text parsed
  run "ionfield (as stored)" "$f" "$bytes" node scripts/bench/read-ionfield.js "$f"
  run "ionfield (unwrapped)" "$f" "$bytes" node scripts/bench/read-ionfield.js "$f" --unwrap
  run "MDAnalysis" "$f" "$bytes" "$py" -W ignore "$here/read-mdanalysis.py" "$f"
done

"$py" - "$results" "$atoms" <<'PY'
import json, sys, platform, os
rows = [json.loads(l) for l in open(sys.argv[1])]
print(f"\n{sys.argv[2]} atoms per frame; machine: {platform.machine()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end\n")
print("| file | reader | frames | MB | s | MB/s | frames/s | vs MDAnalysis | process CPU s | peak RSS (MB) |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
peer = {r["file"]: r["seconds"] for r in rows if r["label"] == "MDAnalysis"}
for r in rows:
    mb = r["bytes"] / 1e6
    ratio = peer[r["file"]] / r["seconds"]
    print(f"| {r['file']} | {r['label']} | {r['frames']} | {mb:.0f} | {r['seconds']:.2f} | {mb / r['seconds']:.0f} | "
          f"{r['frames'] / r['seconds']:.0f} | {ratio:.1f}x | {r['cpu_s']:.2f} | {r['rss_kb'] / 1024:.0f} |")
PY
