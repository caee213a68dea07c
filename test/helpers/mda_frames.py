"""Prints the frames of XTC or DCD files as MDAnalysis reads them (an independent reader), as
JSON: positions and box in Angstrom (MDAnalysis converts nm), time in ps. Used by
test/formats-binary.test.ts; run with Debian's /usr/bin/python3."""
import json
import sys
import warnings

warnings.filterwarnings("ignore")
from MDAnalysis.coordinates.DCD import DCDReader  # noqa: E402
from MDAnalysis.coordinates.XTC import XTCReader  # noqa: E402

# MDAnalysis saves a frame-offset cache beside the file it reads: read a copy in a temporary
# folder so that fixtures stay untouched.
import os  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402



def read(source, fmt):
    tmp = tempfile.mkdtemp(prefix="ionfield-mda-")
    try:
        path = os.path.join(tmp, os.path.basename(source))
        shutil.copy(source, path)
        reader = XTCReader(path) if fmt == "xtc" else DCDReader(path)
        frames = []
        for ts in reader:
            frames.append({
                "positions": [float(v) for v in ts.positions.ravel()],
                "dimensions": None if ts.dimensions is None else [float(v) for v in ts.dimensions],
                "time": float(ts.time),
                "step": int(ts.data.get("step", ts.frame)),
            })
        reader.close()
        return {"frames": frames}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# Arguments: FILE FORMAT [FILE FORMAT ...]; prints one JSON list, one entry per file (one Python
# start-up for many files keeps the tests quick).
pairs = list(zip(sys.argv[1::2], sys.argv[2::2]))
json.dump([read(source, fmt) for source, fmt in pairs], sys.stdout)
