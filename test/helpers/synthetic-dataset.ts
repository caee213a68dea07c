// Writes small training sets in the dataset format (docs/dataset.md) with a known ground truth:
// λ_i = g_S(G_i) + Gaussian noise, so that tests can check what a trained model recovers.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NpyWriter } from '../../lib/npy';

// The seeded generators are the library's own (mulberry32, Box–Muller): fixtures never use Math.random.
import { gaussian, rng } from '../../lib/analysis/stats';
export { gaussian, rng };

/** Ground truth per species on raw features (3 columns, offset 2 and scale 1.5 before standardisation). */
export function truth(species: string, x: ArrayLike<number>): number {
  const u = (x[0] - 2) / 1.5;
  const v = (x[1] - 2) / 1.5;
  return species === '1' ? 1.0 + 0.6 * Math.tanh(u) - 0.2 * v * v : 0.6 + 0.3 * u * v;
}

export interface SyntheticSystem {
  name: string;
  frames: number;
  ions: Record<string, number>;
  noise: number;
  seed: number;
}

export const FEATURES = 3;

export function writeSyntheticDataset(dir: string, systems: SyntheticSystem[], species = ['1', '2'], FEATURES = 3): string {
  fs.mkdirSync(dir, { recursive: true });
  const columns = (s: string) =>
    Array.from({ length: FEATURES }, (_, k) => ({ name: `G2_${s}_${k}`, centre: s, neighbours: [s], type: 'G2', parameters: { eta: k, rs: 0 } }));
  const entries = systems.map((sys) => {
    const sdir = path.join(dir, sys.name);
    fs.mkdirSync(sdir, { recursive: true });
    const normal = gaussian(rng(sys.seed));
    let lsum = 0;
    let ln = 0;
    for (const s of species) {
      const n = sys.ions[s] ?? 0;
      const fw = new NpyWriter(path.join(sdir, `features-${s}.npy`), 'float32', [n, FEATURES]);
      const lw = new NpyWriter(path.join(sdir, `lambda-${s}.npy`), 'float64', [n]);
      for (let t = 0; t < sys.frames; t++) {
        const x = new Float32Array(n * FEATURES);
        const l = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          for (let k = 0; k < FEATURES; k++) x[i * FEATURES + k] = 2 + 1.5 * normal();
          l[i] = truth(s, x.subarray(i * FEATURES, (i + 1) * FEATURES)) + sys.noise * normal();
          lsum += l[i];
          ln++;
        }
        fw.append(x, 1);
        lw.append(l, 1);
      }
      fw.close();
      lw.close();
    }
    fs.writeFileSync(path.join(sdir, 'frames.json'), JSON.stringify({ frames: Array.from({ length: sys.frames }, (_, t) => t) }));
    const mean = lsum / ln;
    return {
      name: sys.name, source: 'synthetic', frames: sys.frames, ions: sys.ions, charges: { '1': 1, '2': -1 }, temperature: 1,
      volumeMean: 1000, formulaUnits: sys.ions['1'] ?? 0, K: 1, lambdaMean: mean, ehAtTau: mean, sumRuleRelativeError: 0,
      lambdaEh: { value: mean, error: 0 }, parameters: { synthetic: true },
    };
  });
  const manifest = {
    schema: 'ionfield.dataset/2',
    descriptorSet: { schema: 'ionfield.descriptor-set/2', name: 'synthetic', functions: [] },
    featureColumns: Object.fromEntries(species.map((s) => [s, columns(s)])),
    species, tau: 10, tauFrames: 20, units: 'lj', systems: entries,
  };
  fs.writeFileSync(path.join(dir, 'dataset.json'), JSON.stringify(manifest, null, 2));
  return dir;
}
