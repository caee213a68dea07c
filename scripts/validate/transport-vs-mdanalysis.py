#!/usr/bin/python3
"""Checks `ionfield transport` against independent implementations on the real LAMMPS demo.

  /usr/bin/python3 scripts/validate/transport-vs-mdanalysis.py [trajectory.lammpstrj[.gz]]

- self-diffusion: MDAnalysis EinsteinMSD (all time origins, every lag) per species;
- conductivity: the mean-squared displacement of J(t) = sum_i z_i r_i(t), all origins, NumPy FFT;
- both fitted over the fit window that ionfield reports (OLS with intercept on every integer lag),
  and compared with ionfield's values within ionfield's stated (jackknife) error.
Also compares the correlation curves lag by lag on ionfield's lag grid. Exit 1 on disagreement.
Needs Debian's python3-mdanalysis (scripts/install-system-deps.sh) and a built ionfield.
"""
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np

warnings.filterwarnings("ignore")
import MDAnalysis as mda  # noqa: E402
from MDAnalysis.analysis.msd import EinsteinMSD  # noqa: E402

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
traj = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "data", "demo", "electrolyte.lammpstrj.gz")
temperature = 1.0

t0 = time.time()
out = subprocess.run(["node", os.path.join(root, "bin", "ionfield.js"), "transport", traj, "--units", "lj",
                      "--temperature", str(temperature), "--json"], check=True, capture_output=True, text=True)
rep = json.loads(out.stdout)
t_ionfield = time.time() - t0
dt = rep["frameInterval"]["value"]
start, stop = rep["fitWindow"]["start"], rep["fitWindow"]["stop"]
volume = rep["volume"]["value"]

tmp = tempfile.mkdtemp()
try:
    plain = os.path.join(tmp, "traj.lammpstrj")
    opener = gzip.open if traj.endswith(".gz") else open
    # MDAnalysis 2.4's dump reader expects each frame to start with ITEM: TIMESTEP: drop the
    # optional ITEM: TIME records (LAMMPS `dump_modify time yes`) on the way.
    with opener(traj, "rt") as src, open(plain, "w") as dst:
        skip = False
        for line in src:
            if skip:
                skip = False
                continue
            if line.startswith("ITEM: TIME") and not line.startswith("ITEM: TIMESTEP"):
                skip = True
                continue
            dst.write(line)
    t0 = time.time()
    u = mda.Universe(plain, format="LAMMPSDUMP", topology_format="LAMMPSDUMP",
                     lammps_coordinate_convention="unwrapped")
    lags = np.arange(u.trajectory.n_frames) * dt
    window = (lags >= start - 1e-9) & (lags <= stop + 1e-9)

    def slope(y):
        return np.polyfit(lags[window], y[window], 1)[0]

    failures = 0
    print(f"trajectory {traj}: {u.trajectory.n_frames} frames, {len(u.atoms)} atoms, frame interval {dt}")
    print(f"fit window (from ionfield): {start} .. {stop} {rep['fitWindow']['units']}")
    print(f"{'quantity':<10} {'ionfield':>12} {'± error':>10} {'independent':>12} {'diff/error':>10}")
    for s in rep["species"]:
        label = s["label"]
        msd = EinsteinMSD(u, select=f"type {label}", msd_type="xyz", fft=False).run().results.timeseries
        d_ref = slope(msd) / 6
        d = rep["diffusion"][label]
        z = (d["value"] - d_ref) / d["error"]
        print(f"{'D(' + label + ')':<10} {d['value']:>12.6g} {d['error']:>10.2g} {d_ref:>12.6g} {z:>10.2f}")
        failures += abs(z) > 1
        # Lag-by-lag: ionfield's curve at its grid lags against MDAnalysis (exact at level-0 lags;
        # decimated origins at longer lags, so compare those within a loose tolerance).
        grid = np.rint(np.array(rep["curves"]["time"]) / dt).astype(int)
        ours = np.array(rep["curves"]["msd"][label], dtype=float)
        exact = grid <= 32
        rel0 = np.max(np.abs(ours[exact] / msd[grid[exact]] - 1))
        inwin = (grid * dt <= stop + 1e-9)
        rel1 = np.max(np.abs(ours[inwin] / msd[grid[inwin]] - 1))
        print(f"           MSD curve: max rel. diff {rel0:.1e} at all-origin lags (1..32 frames), {rel1:.1e} up to the fit stop")
        failures += rel0 > 1e-6

    # <|J|^2>(lag) over all origins from the positions MDAnalysis read, by FFT (Wiener-Khinchin).
    # Charges per type as the report states them (MDAnalysis 2.4 does not read the dump's q column).
    zmap = {s["label"]: s["charge"] for s in rep["species"]}
    q = np.array([zmap[t] for t in u.atoms.types], dtype=float)
    J = np.empty((u.trajectory.n_frames, 3))
    for k, ts in enumerate(u.trajectory):
        J[k] = q @ u.atoms.positions.astype(np.float64)
    n = len(J)
    sq = np.sum(J * J, axis=1)
    f = np.fft.rfft(J, n=2 * n, axis=0)
    acf = np.fft.irfft(f * np.conj(f), axis=0)[:n].sum(axis=1) / (n - np.arange(n))
    s1 = (2 * np.sum(sq) - np.concatenate(([0.0], np.cumsum(sq[:-1])))
          - np.concatenate(([0.0], np.cumsum(sq[::-1][:-1])))) / (n - np.arange(n))
    jmsd = s1 - 2 * acf
    sigma_ref = slope(jmsd) / (6 * volume * temperature)
    sig = rep["conductivity"]
    z = (sig["value"] - sigma_ref) / sig["error"]
    print(f"{'sigma':<10} {sig['value']:>12.6g} {sig['error']:>10.2g} {sigma_ref:>12.6g} {z:>10.2f}")
    failures += abs(z) > 1
    grid = np.rint(np.array(rep["curves"]["time"]) / dt).astype(int)
    ours = np.array(rep["curves"]["chargeMsd"], dtype=float)
    exact = grid <= 32
    rel0 = np.max(np.abs(ours[exact] / jmsd[grid[exact]] - 1))
    print(f"           <|J|^2> curve: max rel. diff {rel0:.1e} at all-origin lags")
    failures += rel0 > 1e-6
    t_ref = time.time() - t0
    print(f"time: ionfield {t_ionfield:.2f} s (whole CLI run), MDAnalysis + NumPy {t_ref:.2f} s")
finally:
    shutil.rmtree(tmp)
print("AGREE" if failures == 0 else f"DISAGREE ({failures} checks)")
sys.exit(1 if failures else 0)
