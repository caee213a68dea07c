// A synthetic trajectory on disk for the predict benchmark, which times the whole pipeline from
// the file on: DCD (float32, uncompressed: reading is cheap, as for most MD output) with a
// topology beside it that gives the species, charges (+1/−1) and diameters (1) the shipped model needs.
import * as path from 'node:path';
import { native } from '../native';
import { topologyPathFor, writeTopology } from '../dataset/topology';
import { randomBatch } from './frames';

/** Writes `frames` frames of `natoms` random ions to dir/ions-<natoms>.dcd; returns its path. */
export function writeSyntheticTrajectory(dir: string, natoms: number, frames: number): string {
  const file = path.join(dir, `ions-${natoms}.dcd`);
  const writer = new (native().NativeTrajectoryWriter)(file, 'dcd');
  try {
    for (let f = 0; f < frames; f++) {
      const b = randomBatch(natoms, 1, 11 + f);
      writer.write({ positions: b.positions, box: b.boxes!, origin: b.origins, step: f, time: f });
    }
    writer.close();
  } catch (err) {
    writer.abort();
    throw err;
  }
  const types = randomBatch(natoms, 0).types!;
  writeTopology(topologyPathFor(file), types, { 1: 1, 2: -1 }, false, { 1: 1, 2: 1 });
  return file;
}
