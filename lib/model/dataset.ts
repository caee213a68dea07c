// Reads training sets in the format of /docs/dataset.md (schema ionfield.dataset/2): dataset.json plus
// per system features-<S>.npy (float32 [frames, n_S, F_S]) and lambda-<S>.npy (float64 [frames, n_S]).
// Several dataset folders can be combined when they share descriptors, species, τ and units.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readNpy, verifyNpyChecksum } from '../npy';
import type { NativeNnSystem } from '../native';
import { upgradeLegacyDocument } from '../legacy-document';

export interface DatasetSystemInfo {
  name: string;
  source?: string;
  frames: number;
  ions: Record<string, number>;
  charges: Record<string, number>;
  temperature?: number;
  volumeMean?: number;
  lambdaMean?: number;
  ehAtTau?: number;
  lambdaEh?: { value: number; error: number } | null;
  parameters?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface DatasetColumn {
  name: string;
  [key: string]: unknown;
}

export interface DatasetManifest {
  schema: string;
  descriptorSet: unknown;
  featureColumns: Record<string, DatasetColumn[]>;
  species: string[];
  /** How the species are labelled: 'type' (the file's labels; absent in older folders) or 'charge'. */
  speciesLabels?: 'type' | 'charge';
  tau: number;
  tauFrames: number;
  /** Shorter lag of the two-lag target (absent or null: the single-lag target). */
  tauShort?: number | null;
  units: string;
  /** Multiplier the descriptor set's lengths were bound with (sets written in ion diameters). */
  lengthScale?: number;
  systems: DatasetSystemInfo[];
}

export interface LoadedSystem extends NativeNnSystem {
  info: DatasetSystemInfo;
  folder: string;
}

export interface Dataset {
  /** Shared definition: descriptors, species, columns, τ, units (from the first folder). */
  manifest: DatasetManifest;
  folders: string[];
  systems: LoadedSystem[];
}

function fail(file: string, what: string): never {
  throw new Error(`${file}: ${what}`);
}

export function readManifest(folder: string): DatasetManifest {
  const file = path.join(folder, 'dataset.json');
  if (!fs.existsSync(file)) fail(folder, 'not a dataset folder (no dataset.json)');
  let m: DatasetManifest;
  try {
    m = upgradeLegacyDocument(JSON.parse(fs.readFileSync(file, 'utf8')) as DatasetManifest);
  } catch (err) {
    fail(file, `not valid JSON (${(err as Error).message})`);
  }
  if (m.schema !== 'ionfield.dataset/2') fail(file, `schema is '${m.schema}', expected 'ionfield.dataset/2'`);
  if (!Array.isArray(m.species) || m.species.length === 0) fail(file, 'species must be a non-empty array');
  if (!Array.isArray(m.systems)) fail(file, 'systems must be an array');
  for (const s of m.species)
    if (!Array.isArray(m.featureColumns?.[s]) || m.featureColumns[s].length === 0) fail(file, `featureColumns has no columns for species '${s}'`);
  if (!(m.tau > 0)) fail(file, 'tau must be a positive number');
  if (typeof m.units !== 'string') fail(file, 'units must be a string');
  return m;
}

/** What must agree between datasets (and between a model and a trajectory): a readable difference or null. */
export function definitionDifference(a: DatasetManifest, b: DatasetManifest): string | null {
  if (JSON.stringify(a.species) !== JSON.stringify(b.species)) return `species ${JSON.stringify(a.species)} vs ${JSON.stringify(b.species)}`;
  if ((a.speciesLabels ?? 'type') !== (b.speciesLabels ?? 'type')) return `species labelled by ${a.speciesLabels ?? 'type'} vs by ${b.speciesLabels ?? 'type'}`;
  if (a.units !== b.units) return `units '${a.units}' vs '${b.units}'`;
  if (Math.abs(a.tau - b.tau) > 1e-9 * Math.abs(a.tau)) return `tau ${a.tau} vs ${b.tau}`;
  if ((a.tauShort ?? null) !== (b.tauShort ?? null)) return `two-lag target τa ${a.tauShort ?? 'none'} vs ${b.tauShort ?? 'none'}`;
  if (JSON.stringify(a.featureColumns) !== JSON.stringify(b.featureColumns)) return 'feature columns (descriptor sets) differ';
  if ((a.lengthScale ?? 1) !== (b.lengthScale ?? 1)) return `descriptor length scale ${a.lengthScale ?? 1} vs ${b.lengthScale ?? 1}`;
  return null;
}

function loadArray(file: string, dtype: 'float32' | 'float64', shape: number[], checksum?: string): Float32Array | Float64Array {
  if (!fs.existsSync(file)) fail(file, 'missing');
  verifyNpyChecksum(file, path.join(path.dirname(file), 'system.json'), checksum);
  const { shape: got, data } = readNpy(file);
  if ((dtype === 'float32') !== data instanceof Float32Array) fail(file, `expected ${dtype} data`);
  if (got.length !== shape.length || got.some((d, i) => d !== shape[i]))
    fail(file, `shape (${got.join(', ')}), expected (${shape.join(', ')})`);
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) fail(file, `non-finite value at flat index ${i}`);
  return data;
}

function loadSystem(folder: string, m: DatasetManifest, info: DatasetSystemInfo): LoadedSystem {
  const dir = path.join(folder, info.name);
  const species = m.species.map((s) => {
    const ions = info.ions?.[s] ?? 0;
    const F = m.featureColumns[s].length;
    const sums = info.checksums as Record<string, string> | undefined;
    const features = loadArray(path.join(dir, `features-${s}.npy`), 'float32', [info.frames, ions, F], sums?.[`features-${s}.npy`]) as Float32Array;
    const lambda = loadArray(path.join(dir, `lambda-${s}.npy`), 'float64', [info.frames, ions], sums?.[`lambda-${s}.npy`]) as Float64Array;
    return { ions, features, lambda };
  });
  return { name: info.name, frames: info.frames, species, info, folder };
}

/**
 * The systems of the given dataset folders (all, or only those named in `only`: an unknown name is
 * an error that lists the known ones), each made by `open` — held in memory (loadDatasets) or
 * left on disk (openDatasets, dataset-files.ts). The folders must share their definition.
 */
export function collectSystems<S>(folders: string[], only: string[] | undefined, open: (folder: string, m: DatasetManifest, info: DatasetSystemInfo) => S): { manifest: DatasetManifest; folders: string[]; systems: S[] } {
  if (folders.length === 0) throw new Error('no dataset folders given');
  const manifests = folders.map(readManifest);
  const first = manifests[0];
  manifests.forEach((m, i) => {
    const diff = definitionDifference(first, m);
    if (diff) throw new Error(`${folders[i]}: does not fit ${folders[0]}: ${diff}`);
  });
  const systems: S[] = [];
  const seen = new Map<string, string>();
  manifests.forEach((m, i) => {
    for (const info of m.systems) {
      if (seen.has(info.name)) throw new Error(`${folders[i]}: system '${info.name}' is also in ${seen.get(info.name)}`);
      seen.set(info.name, folders[i]);
      if (!only || only.includes(info.name)) systems.push(open(folders[i], m, info));
    }
  });
  const unknown = (only ?? []).filter((name) => !seen.has(name));
  if (unknown.length) throw new Error(`${folders.join(', ')}: no system named ${unknown.map((n) => `'${n}'`).join(', ')} (systems: ${[...seen.keys()].join(', ')})`);
  return { manifest: first, folders, systems };
}

/** Loads the systems of the given dataset folders into memory (features are float32). */
export function loadDatasets(folders: string[], only?: string[]): Dataset {
  return collectSystems(folders, only, loadSystem);
}

/** Λ of a system from its targets: the mean of λ over all ions of all species and all frames. */
export function targetLambda(system: NativeNnSystem): number {
  let sum = 0;
  let n = 0;
  for (const s of system.species) {
    for (let i = 0; i < s.lambda.length; i++) sum += s.lambda[i];
    n += s.lambda.length;
  }
  return sum / n;
}
