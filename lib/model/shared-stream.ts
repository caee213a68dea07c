// The shared network's per-system statistics from a training set left on disk: each system is
// read a chunk of whole frames at a time, folded into the shared inputs (foldFrames works frame by
// frame, so a chunk folds to exactly those frames' rows), and its readout moments and species
// means are accumulated chunk by chunk. Memory is a chunk plus the moments (F² + a few numbers per
// frame), whatever the number of frames; the TrainingSystem equals trainingSystemsOf's bit for bit.
import { NpyFile } from '../npy-file';
import type { TrainingSystem } from './committee';
import type { DatasetManifest, LoadedSystem } from './dataset';
import { DiskDataset, DiskSystem, diskTargetLambda } from './dataset-files';
import { plainSubsets, trainingSystem } from './nested';
import { Column, MomentsAccumulator } from './readout';
import { datasetLayout, SpeciesMeansAccumulator, toSharedSystem } from './shared-dataset';
import type { SharedLayout } from './shared-features';

/** Frames per chunk: about 1 MB of raw features. */
function framesPerChunk(system: DiskSystem): number {
  const rowBytes = system.species.reduce((a, s) => a + s.ions * s.columns * 4, 0);
  return Math.max(1, Math.floor((1 << 20) / Math.max(1, rowBytes)));
}

export function streamedTrainingSystem(system: DiskSystem, manifest: DatasetManifest, layout: SharedLayout, subsets: Record<string, Column[]>, chunk = framesPerChunk(system)): TrainingSystem {
  const files = system.species.map((s) => (s.ions > 0 ? { x: NpyFile.open(s.featuresFile), y: NpyFile.open(s.lambdaFile) } : null));
  let moments: [string, MomentsAccumulator][] | null = null;
  let means: [string, SpeciesMeansAccumulator][] | null = null;
  try {
    for (let first = 0; first < system.frames; first += chunk) {
      const count = Math.min(chunk, system.frames - first);
      // These frames as a system of their own: what toSharedSystem folds.
      const part: LoadedSystem = {
        name: system.name, frames: count, info: system.info, folder: system.folder,
        species: system.species.map((s, k) => ({
          ions: s.ions,
          features: files[k] ? (files[k]!.x.readRows(first, count) as Float32Array) : new Float32Array(0),
          lambda: files[k] ? (files[k]!.y.readRows(first, count) as Float64Array) : new Float64Array(0),
        })),
      };
      const shared = toSharedSystem(part, manifest, layout);
      const whole = { ...shared, frames: system.frames };
      const d = shared.species[0];
      moments ??= Object.entries(subsets).map(([k, cols]) => [k, new MomentsAccumulator(whole, d.ions, cols)]);
      means ??= plainSubsets(subsets).map(([k, cols]) => [k, new SpeciesMeansAccumulator(whole, d.ions, cols)]);
      for (const [, m] of moments) m.add(d.features, d.lambda, count);
      for (const [, m] of means) m.add(d.features, d.lambda, count);
    }
  } finally {
    for (const f of files) {
      f?.x.close();
      f?.y.close();
    }
  }
  if (!moments || !means) throw new Error(`${system.name}: no frames`);
  const eh = system.info.lambdaEh;
  const reference = eh && Number.isFinite(eh.value) && Number.isFinite(eh.error) ? eh.value : diskTargetLambda(system);
  return trainingSystem(
    system,
    Object.fromEntries(moments.map(([k, m]) => [k, m.finish()])),
    Object.fromEntries(means.map(([k, m]) => [k, m.finish()])),
    reference,
  );
}

/** trainingSystemsOf(toSharedDataset(loadDatasets(...)).systems, subsets), one chunk at a time from disk. */
export function streamedTrainingSystems(dataset: DiskDataset, subsets: Record<string, Column[]>): { layout: SharedLayout; systems: TrainingSystem[] } {
  const layout = datasetLayout(dataset.manifest);
  return { layout, systems: dataset.systems.map((s) => streamedTrainingSystem(s, dataset.manifest, layout, subsets)) };
}
