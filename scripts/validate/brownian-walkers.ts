// Brownian walkers with known transport coefficients, shared by the tests, the error-calibration
// study and the benchmark. Deterministic (seeded) so every run sees the same data.

/** Seeded standard normal deviates (mulberry32 + Box–Muller). */
export function normals(seed: number): () => number {
  let s = seed >>> 0;
  const uniform = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

export interface Walkers {
  pairs: number;
  Dc: number; // shared by cation i and anion i (imposed correlation)
  DrPlus: number; // own part of each cation
  DrMinus: number;
  dt: number; // time per frame
  seed: number;
}

/**
 * Cation i (atoms 0..P−1) and anion i (atoms P..2P−1) take steps a_i + b_i± with a_i shared.
 * With charges ±1, volume V and temperature T (k_B = e = 1):
 *   D± = Dc + Dr±,  σ = P (Dr+ + Dr−)/(V T)  (J = Σ_i b_i+ − b_i−: the shared part cancels),
 *   L++ = P D+/(V T),  L−− = P D−/(V T),  L+− = P Dc/(V T),  t+ = Dr+/(Dr+ + Dr−),
 *   ionicity σ/σ_NE = (Dr+ + Dr−)/(2 Dc + Dr+ + Dr−).
 */
export function exact(w: Walkers, volume: number, temperature = 1) {
  const P = w.pairs, VT = volume * temperature;
  return {
    dPlus: w.Dc + w.DrPlus,
    dMinus: w.Dc + w.DrMinus,
    sigma: (P * (w.DrPlus + w.DrMinus)) / VT,
    lPlusPlus: (P * (w.Dc + w.DrPlus)) / VT,
    lMinusMinus: (P * (w.Dc + w.DrMinus)) / VT,
    lPlusMinus: (P * w.Dc) / VT,
    tPlus: w.DrPlus / (w.DrPlus + w.DrMinus),
    ionicity: (w.DrPlus + w.DrMinus) / (2 * w.Dc + w.DrPlus + w.DrMinus),
  };
}

/** Frames in batches: positions are batch × 2P × 3, unwrapped. */
export function* walkerBatches(w: Walkers, frames: number, batch: number): Generator<{ positions: Float64Array; frames: number }> {
  const n = 2 * w.pairs, g = normals(w.seed);
  const sc = Math.sqrt(2 * w.Dc * w.dt), sp = Math.sqrt(2 * w.DrPlus * w.dt), sm = Math.sqrt(2 * w.DrMinus * w.dt);
  const r = new Float64Array(3 * n);
  for (let i = 0; i < 3 * n; i++) r[i] = 10 * g();
  for (let f0 = 0; f0 < frames; f0 += batch) {
    const m = Math.min(batch, frames - f0);
    const out = new Float64Array(m * 3 * n);
    for (let k = 0; k < m; k++) {
      if (f0 + k > 0) {
        for (let i = 0; i < w.pairs; i++)
          for (let d = 0; d < 3; d++) {
            const a = sc * g();
            r[3 * i + d] += a + sp * g();
            r[3 * (w.pairs + i) + d] += a + sm * g();
          }
      }
      out.set(r, k * 3 * n);
    }
    yield { positions: out, frames: m };
  }
}

/** Species (0 cations, 1 anions) and charges (±1) per atom for the correlator. */
export function walkerAtoms(pairs: number): { species: Int32Array; charges: Float64Array } {
  const species = new Int32Array(2 * pairs).map((_, i) => (i < pairs ? 0 : 1));
  return { species, charges: Float64Array.from(species, (s) => (s === 0 ? 1 : -1)) };
}
