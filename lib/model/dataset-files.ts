// Training sets left on disk: the systems of dataset folders as their .npy files, checked as
// loadDatasets checks them (existence, checksum, dtype, shape, finite values: the same messages)
// but read a chunk of frames at a time, so opening and training on a set does not hold it in
// memory. The native trainer reads the frames of each mini-batch itself (NativeNnDiskSystem).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { verifyNpyChecksum } from '../npy';
import { NpyFile } from '../npy-file';
import type { NativeNnDiskSystem } from '../native';
import { collectSystems, DatasetManifest, DatasetSystemInfo } from './dataset';

export interface DiskSpecies {
  ions: number;
  featuresFile: string;
  featuresOffset: number;
  lambdaFile: string;
  lambdaOffset: number;
  /** Feature columns (F). */
  columns: number;
}

export interface DiskSystem extends NativeNnDiskSystem {
  species: DiskSpecies[];
  info: DatasetSystemInfo;
  folder: string;
}

export interface DiskDataset {
  manifest: DatasetManifest;
  folders: string[];
  systems: DiskSystem[];
}

function fail(file: string, what: string): never {
  throw new Error(`${file}: ${what}`);
}

/** Checks one array without holding it: returns the offset of its data. */
function checkArray(file: string, dtype: 'float32' | 'float64', shape: number[], checksum?: string): number {
  if (!fs.existsSync(file)) fail(file, 'missing');
  verifyNpyChecksum(file, path.join(path.dirname(file), 'system.json'), checksum);
  const npy = NpyFile.open(file);
  try {
    if (npy.dtype !== dtype) fail(file, `expected ${dtype} data`);
    const got = npy.shape;
    if (got.length !== shape.length || got.some((d, i) => d !== shape[i])) fail(file, `shape (${got.join(', ')}), expected (${shape.join(', ')})`);
    const per = npy.rowLength;
    for (const { first, data } of npy.chunks()) {
      for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) fail(file, `non-finite value at flat index ${first * per + i}`);
    }
    return npy.dataOffset;
  } finally {
    npy.close();
  }
}

function openSystem(folder: string, m: DatasetManifest, info: DatasetSystemInfo): DiskSystem {
  const dir = path.join(folder, info.name);
  const sums = info.checksums as Record<string, string> | undefined;
  const species = m.species.map((s) => {
    const ions = info.ions?.[s] ?? 0;
    const F = m.featureColumns[s].length;
    const featuresFile = path.resolve(dir, `features-${s}.npy`);
    const lambdaFile = path.resolve(dir, `lambda-${s}.npy`);
    // Messages name the paths as given (as loadDatasets does); the native reader gets absolute ones.
    const featuresOffset = checkArray(path.join(dir, `features-${s}.npy`), 'float32', [info.frames, ions, F], sums?.[`features-${s}.npy`]);
    const lambdaOffset = checkArray(path.join(dir, `lambda-${s}.npy`), 'float64', [info.frames, ions], sums?.[`lambda-${s}.npy`]);
    return { ions, featuresFile, featuresOffset, lambdaFile, lambdaOffset, columns: F };
  });
  return { name: info.name, frames: info.frames, species, info, folder };
}

export function isDiskDataset(d: { systems: { species: object[] }[] }): d is DiskDataset {
  return d.systems.some((s) => s.species.some((x) => 'featuresFile' in x));
}

/** The systems of the dataset folders, on disk (all, or those named in `only`); as loadDatasets. */
export function openDatasets(folders: string[], only?: string[]): DiskDataset {
  return collectSystems(folders, only, openSystem);
}

/**
 * Species k of a system in chunks of whole frames, in frame order (each valid until the next): the features
 * [count × ions × F] and λ [count × ions] of frames [first, first + count).
 */
export function* systemChunks(system: DiskSystem, k: number, framesPerChunk?: number): Generator<{ first: number; count: number; features: Float32Array; lambda: Float64Array }> {
  const s = system.species[k];
  if (s.ions === 0 || system.frames === 0) return;
  const x = NpyFile.open(s.featuresFile);
  const y = NpyFile.open(s.lambdaFile);
  try {
    const rows = Math.min(system.frames, framesPerChunk ?? x.rowsPerChunk());
    // One buffer each, reused: a chunk is valid until the next one is asked for.
    const bx = new ArrayBuffer(rows * x.rowLength * 4), by = new ArrayBuffer(rows * y.rowLength * 8);
    for (let first = 0; first < system.frames; first += rows) {
      const count = Math.min(rows, system.frames - first);
      yield { first, count, features: x.readRows(first, count, bx) as Float32Array, lambda: y.readRows(first, count, by) as Float64Array };
    }
  } finally {
    x.close();
    y.close();
  }
}

/** Λ of a system from its targets, as targetLambda: λ summed in the same order, chunk by chunk. */
export function diskTargetLambda(system: DiskSystem): number {
  let sum = 0;
  let n = 0;
  system.species.forEach((s, k) => {
    for (const c of systemChunks(system, k)) for (let i = 0; i < c.lambda.length; i++) sum += c.lambda[i];
    n += system.frames * s.ions;
  });
  return sum / n;
}
