"""Prints the frames of an XTC or DCD file as MDAnalysis reads them (an independent reader), as
JSON: positions and box in Angstrom (MDAnalysis converts nm), time in ps. Used by
test/formats-binary.test.ts; run with Debian's /usr/bin/python3."""
import json
import sys
import warnings

warnings.filterwarnings("ignore")
from MDAnalysis.coordinates.DCD import DCDReader  # noqa: E402
from MDAnalysis.coordinates.XTC import XTCReader  # noqa: E402

path, fmt = sys.argv[1], sys.argv[2]
reader = XTCReader(path) if fmt == "xtc" else DCDReader(path)
frames = []
for ts in reader:
    frames.append({
        "positions": [float(v) for v in ts.positions.ravel()],
        "dimensions": None if ts.dimensions is None else [float(v) for v in ts.dimensions],
        "time": float(ts.time),
        "step": int(ts.data.get("step", ts.frame)),
    })
json.dump({"frames": frames}, sys.stdout)
