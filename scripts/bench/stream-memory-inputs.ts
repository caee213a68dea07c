// Synthetic inputs of any size for the streaming memory benchmark and its test: a field to analyse
// (random walkers in an XTC + topology, and a per-ion λ field .npy of the same frames) and a
// training set (test/helpers/synthetic-dataset.ts: known ground truth, any number of frames).
import * as path from 'node:path';
import { native } from '../../lib/native';
import { NpyWriter } from '../../lib/npy';
import { writeTopology } from '../../lib/dataset/topology';
import { gaussian, rng } from '../../lib/analysis/stats';
import { writeSyntheticDataset } from '../../test/helpers/synthetic-dataset';

/** Walkers in a cubic box (ρ ≈ 0.5, half cations '1', half anions '2') and a float32 field [frames, atoms]. */
export function writeFieldInputs(dir: string, natoms: number, frames: number, seed = 1): { trajectory: string; topology: string; field: string } {
  const trajectory = path.join(dir, 'walkers.xtc');
  const topology = path.join(dir, 'walkers.topology.json');
  const field = path.join(dir, 'field.npy');
  const u = rng(seed);
  const normal = gaussian(rng(seed + 1));
  const L = Math.cbrt(natoms / 0.5);
  const positions = Float64Array.from({ length: 3 * natoms }, () => u() * L);
  const box = Float64Array.from([L, 0, 0, 0, L, 0, 0, 0, L]);
  const w = new (native().NativeTrajectoryWriter)(trajectory, 'xtc');
  const values = new NpyWriter(field, 'float32', [natoms]);
  const row = new Float32Array(natoms);
  for (let k = 0; k < frames; k++) {
    for (let i = 0; i < positions.length; i++) positions[i] += (u() - 0.5) * 0.2;
    w.write({ positions, box, step: 10 * k, time: 0.02 * k });
    for (let i = 0; i < natoms; i++) row[i] = (i % 2 ? 0.5 : 1) + 0.3 * normal();
    values.append(row, 1);
  }
  w.close();
  values.close();
  writeTopology(topology, Array.from({ length: natoms }, (_, i) => (i % 2 ? '2' : '1')), { '1': 1, '2': -1 }, true);
  return { trajectory, topology, field };
}

/** Two training systems and one held out, `frames` frames each, `ions` per species, `features` columns. */
export function writeTrainingSet(dir: string, frames: number, ions: number, features: number): string {
  return writeSyntheticDataset(path.join(dir, 'ds'), [
    { name: 'a', frames, ions: { '1': ions, '2': ions }, noise: 0.3, seed: 1 },
    { name: 'b', frames, ions: { '1': ions, '2': ions }, noise: 0.3, seed: 2 },
    { name: 'held', frames, ions: { '1': ions, '2': ions }, noise: 0.3, seed: 3 },
  ], ['1', '2'], features);
}
