#!/usr/bin/python3
"""Peer for scripts/bench/transport.ts: the same transport correlations (per-species MSD, <|J|^2>,
<dR_a . dR_b>) for a Brownian walk of N ions over T frames, with
  --method mdanalysis : MDAnalysis EinsteinMSD per species (fft=False: Debian has no tidynamics, so
                        MDAnalysis uses its windowed all-lags algorithm, O(T^2 N)), plus NumPy FFT for
                        the collective <|J|^2> and <dR_a . dR_b> (MDAnalysis has no conductivity);
  --method numpy-fft  : the FFT all-origins algorithm MDAnalysis uses with tidynamics (fft=True),
                        written in NumPy, for every quantity.
Both hold the whole trajectory in memory (as MDAnalysis does). Prints one JSON line with the
time of the correlation step, frames/s and peak RSS.
"""
import argparse
import json
import resource
import time
import warnings

import numpy as np

warnings.filterwarnings("ignore")


def fft_msd_fast(x):
    """All-origins MSD of a (T, 3) series for every lag (the S1 - 2 S2 FFT algorithm)."""
    n = len(x)
    d = np.sum(x * x, axis=1)
    s2 = np.fft.irfft(np.abs(np.fft.rfft(x, n=2 * n, axis=0)) ** 2, axis=0)[:n].sum(axis=1) / (n - np.arange(n))
    head = np.concatenate(([0.0], np.cumsum(d[:-1])))
    tail = np.concatenate(([0.0], np.cumsum(d[::-1][:-1])))
    s1 = (2 * d.sum() - head - tail) / (n - np.arange(n))
    return s1 - 2 * s2


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--frames", type=int, required=True)
    ap.add_argument("--atoms", type=int, default=1000)
    ap.add_argument("--method", choices=["mdanalysis", "numpy-fft"], required=True)
    a = ap.parse_args()
    rng = np.random.default_rng(1)
    n, T = a.atoms, a.frames
    half = n // 2
    pos = np.cumsum(rng.standard_normal((T, n, 3), dtype=np.float32), axis=0, dtype=np.float32)
    z = np.where(np.arange(n) < half, 1.0, -1.0)
    t0 = time.perf_counter()
    # Collective series (both methods): dR_a(t) = sum_{i in a} r_i(t), J = sum z_i r_i.
    R = [pos[:, :half].sum(axis=1, dtype=np.float64), pos[:, half:].sum(axis=1, dtype=np.float64)]
    J = R[0] - R[1]
    jj = fft_msd_fast(J)
    # <dR_a . dR_b> = (MSD(R_a + R_b) - MSD(R_a) - MSD(R_b)) / 2 for a != b
    mR0, mR1 = fft_msd_fast(R[0]), fft_msd_fast(R[1])
    cross = [mR0, 0.5 * (fft_msd_fast(R[0] + R[1]) - mR0 - mR1), mR1]
    if a.method == "numpy-fft":
        msd = [np.zeros(T), np.zeros(T)]
        for i in range(n):
            msd[0 if i < half else 1] += fft_msd_fast(pos[:, i].astype(np.float64))
        msd = [m / half for m in msd]
    else:
        import MDAnalysis as mda
        from MDAnalysis.analysis.msd import EinsteinMSD
        from MDAnalysis.coordinates.memory import MemoryReader
        u = mda.Universe.empty(n, trajectory=False)
        u.add_TopologyAttr("type", ["1"] * half + ["2"] * (n - half))
        u.load_new(pos, format=MemoryReader, order="fac")
        msd = [EinsteinMSD(u, select=f"type {s}", msd_type="xyz", fft=False).run().results.timeseries for s in ("1", "2")]
    seconds = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"tool": a.method, "atoms": n, "frames": T, "seconds": seconds, "framesPerS": T / seconds,
                      "peakRssMb": peak_mb, "check_msd1_lag1": float(msd[0][1]), "check_jj_lag1": float(jj[1]),
                      "check_cross01_lag1": float(cross[1][1])}))


if __name__ == "__main__":
    main()
