// `ionfield predict`: descriptors of every frame (native, async) -> the model's ONNX graph (ONNX
// Runtime on a worker thread) -> per-ion λ̂ streamed to .npy, and Λ_ML = mean λ̂ over ions and frames
// with a block-average error. The next batch's descriptors are computed while ONNX Runtime runs the
// current one; memory holds two batches.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../native';
import { onnx } from 'onnx-proto';
import { bindSet, BoundSet, DescriptorSetDef, parseSetJson } from '../descriptor-sets';
import { computeBatch, columnsDocument, Device, resolveDevice, rowMap, RowMap } from '../descriptors';
import { NpyWriter } from '../npy';
import { chargeLabel, FrameBatch, openTrajectory, TrajectoryOptions } from '../trajectory';
import { addIonSums, FieldColumns, speciesTable, SpeciesSummary } from './species-table';
import { OnnxPredictor, Provider } from './inference';
import { ModelMetadata, parseMetadataProps } from './onnx-export';
import { predictShared } from './predict-shared';
import { labelRecord } from '../label-record';
import { LongCallOptions, stageReporter } from '../progress';
import { molarConductivityUnits } from '../transport/units';

export class ModelMismatchError extends Error {
  readonly code = 'IONFIELD_BAD_INPUT';
}

export interface LoadedModel {
  path: string;
  bytes: Uint8Array;
  metadata: ModelMetadata;
  /** The descriptor set (metadata descriptorSet, JSON set form) and the length scale it was used with. */
  set: DescriptorSetDef;
  lengthScale: number;
}

/** The model's bytes and metadata, without binding its descriptor set (enough to run it on features). */
export function readModelFile(file: string): Pick<LoadedModel, 'path' | 'bytes' | 'metadata'> {
  if (!fs.existsSync(file)) throw new ModelMismatchError(`${file}: no such model file`);
  const bytes = fs.readFileSync(file);
  let proto: onnx.ModelProto;
  try {
    proto = onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw new ModelMismatchError(`${file}: not an ONNX model (${(err as Error).message})`);
  }
  const props: Record<string, string> = {};
  for (const p of proto.metadataProps) if (p.key) props[p.key] = p.value ?? '';
  let metadata: ModelMetadata;
  try {
    metadata = parseMetadataProps(props, file);
  } catch (err) {
    throw new ModelMismatchError((err as Error).message);
  }
  return { path: file, bytes: new Uint8Array(bytes), metadata };
}

/** The shipped model: the shared committee of docs/model.md, trained on the whole family. */
export function defaultModelPath(): string {
  return path.join(packageRoot(), 'data', 'models', 'default.onnx');
}

export function readModel(file: string): LoadedModel {
  const { bytes, metadata } = readModelFile(file);
  const training = metadata.training as { lengthScale?: number };
  let set: DescriptorSetDef;
  try {
    set = parseSetJson(JSON.stringify(metadata.descriptorSet), `${file} (metadata ionfield.descriptorSet)`);
  } catch (err) {
    throw new ModelMismatchError((err as Error).message);
  }
  return { path: file, bytes, metadata, set, lengthScale: training.lengthScale ?? 1 };
}

/** The label given to atoms left out with --ignore-species: no model species has it, so they are
 * neither descriptor centres nor neighbours. */
export const IGNORED = '(ignored)';

function columnNames(bound: BoundSet, map: RowMap): Record<string, string[]> {
  const doc = columnsDocument(bound, map, { array: '', frames: 0, steps: [], source: '', scale: 1 }) as { columns: Record<string, { name: string }[]> };
  return Object.fromEntries(Object.entries(doc.columns).map(([s, c]) => [s, c.map((x) => x.name)]));
}

/**
 * Binds the model's descriptor set to a trajectory and checks that it fits: same species, same
 * units, and the columns the set yields here are the columns the model was trained on.
 */
export function bindModel(model: LoadedModel, labels: string[], units: string, source: string): { bound: BoundSet; map: RowMap } {
  const meta = model.metadata;
  const problems: string[] = [];
  if (meta.target.units !== units) problems.push(`units: the model's targets are in '${meta.target.units}', the trajectory is read as '${units}' (--units)`);
  const present = [...new Set(labels)];
  const missing = meta.species.filter((s) => !present.includes(s));
  const extra = present.filter((s) => !meta.species.includes(s) && s !== IGNORED);
  // Labels by charge: a model trained on 1:1 and 2:1 salts has +1, +2 and -1, and a 2:1 trajectory
  // simply has no +1 ion (that network gets 0 rows). Labels by type keep the strict check.
  if (missing.length && meta.speciesLabels !== 'charge') problems.push(`species: the model has ${missing.map((s) => `'${s}'`).join(', ')} which the trajectory lacks`);
  if (extra.length)
    problems.push(`species: the trajectory has ${extra.map((s) => `'${s}'`).join(', ')} which the model does not know (model species: ${meta.species.join(', ')}; ${meta.speciesLabels === 'charge' ? 'the model labels ions by charge, so it has not seen ions of that charge' : 'use --type-map'}; leave atoms out with --ignore-species)`);
  if (present.every((s) => !meta.species.includes(s))) problems.push('species: no ion of the trajectory is one of the model species');
  if (problems.length) throw new ModelMismatchError(`${model.path} does not fit ${source}:\n  ${problems.join('\n  ')}`);
  // The dataset builder stores the set expanded with its lengths already scaled (bind at scale 1); a
  // set in its original form needs the recorded length scale. The column names (which carry every
  // parameter) decide which one reproduces the model's columns.
  let difference = '';
  for (const scale of model.lengthScale === 1 ? [1] : [1, model.lengthScale]) {
    const bound = bindSet(model.set, meta.species, scale);
    const map = rowMap(bound, labels);
    const here = columnNames(bound, map);
    difference = '';
    for (const s of meta.species) {
      const want = (meta.featureColumns[s] ?? []).map((c) => (c as { name: string }).name);
      const got = here[s] ?? [];
      const k = want.findIndex((w, i) => w !== got[i]);
      if (want.length !== got.length || k >= 0) {
        difference = `descriptor columns of species '${s}' differ ` +
          (want.length !== got.length ? `(${want.length} in the model, ${got.length} from its set here)` : `at column ${k}: model '${want[k]}', from its set '${got[k]}'`);
        break;
      }
    }
    if (!difference) return { bound, map };
  }
  throw new ModelMismatchError(`${model.path} does not fit ${source}: ${difference}`);
}

/** Standard error of the mean of a correlated series by blocking (Flyvbjerg–Petersen): the largest
 * estimate over block lengths 1, 2, 4, ... with at least 4 blocks (conservative at the plateau). */
export function blockError(series: ArrayLike<number>): { error: number; blockFrames: number; blocks: number } {
  let values = Array.from(series);
  let best = { error: Number.NaN, blockFrames: 1, blocks: values.length };
  let length = 1;
  while (values.length >= 4) {
    const n = values.length;
    const mean = values.reduce((a, b) => a + b, 0) / n;
    const variance = values.reduce((a, b) => a + (b - mean) * (b - mean), 0) / (n - 1);
    const se = Math.sqrt(variance / n);
    if (!(se <= best.error)) best = { error: se, blockFrames: length, blocks: n };
    const next: number[] = [];
    for (let i = 0; i + 1 < n; i += 2) next.push(0.5 * (values[i] + values[i + 1]));
    values = next;
    length *= 2;
  }
  return best;
}

export interface PredictOptions extends Pick<TrajectoryOptions, 'format' | 'typeMap' | 'types' | 'charges' | 'start' | 'stop' | 'stride' | 'molecules'>, LongCallOptions {
  model: string | LoadedModel;
  /** Unit style the trajectory is read in (must equal the model's). */
  units?: string;
  /** Per-ion λ̂, frames x ions (float32 .npy); ions are the atoms of model species in file order. */
  out?: string;
  batchSize?: number;
  threads?: number;
  device?: Device;
  provider?: Provider;
  /** Atoms of these file species (after typeMap) are dropped before the model sees a frame: neither
   * centres nor neighbours (e.g. explicit solvent, which an implicit-solvent model never saw). */
  ignoreSpecies?: string[];
  /** n_f for mixtures (shared models: Λ = Σ μ̂ / n_f); default: from the salt's stoichiometry. */
  formulaUnits?: number;
  /** Ion diameters per file species (shared models; lengths in the trajectory's unit). */
  sizes?: Record<string, number>;
}

export interface PredictReport {
  schema: 'ionfield.predict/2';
  trajectory: string;
  model: string;
  units: string;
  frames: number;
  ions: number;
  /** Per species of the trajectory (its own labels; charge as an attribute): only species with ions in the field. */
  species: Record<string, SpeciesSummary>;
  lambdaMl: { value: number; error: number; blockFrames: number; blocks: number; units: string; tau: number };
  /** spreadPath (shared models): the committee spread of each λ̂, same shape. */
  field: { path: string; shape: [number, number]; dtype: 'float32'; atoms: number[]; species: string[]; spreadPath?: string } | null;
  /** File species left out (--ignore-species) and how many atoms they had. */
  ignored: Record<string, number>;
  provider: string;
  providerNote: string;
  device: 'cpu' | 'cuda';
  /** Wall-clock seconds of the whole call. */
  seconds: number;
  /**
   * Wall-clock seconds (not thread or CPU seconds) the pipeline spent in each stage, summed over
   * batches. Descriptors and inference of one batch overlap the bookkeeping of the previous one
   * (double buffering), so the stages can add up to more than `seconds`.
   */
  stages: { read: number; descriptors: number; inference: number; write: number };
  /** How `stages` is measured: always 'wall' (elapsed time), so it is never mistaken for thread time. */
  stagesClock: 'wall';
  ionsFramesPerSecond: number;
}

export function dropIgnored(labels: string[], types: string[] | null, ignore: string[], trajectory: string, counts: Record<string, number>): string[] {
  if (!ignore.length) return labels;
  if (!types) throw new ModelMismatchError(`${trajectory}: --ignore-species needs species labels; pass --topology or --types to name them`);
  const absent = ignore.filter((s) => !types.includes(s));
  if (absent.length) throw new ModelMismatchError(`${trajectory}: --ignore-species ${absent.join(',')}: no such species in the file (it has ${[...new Set(types)].join(', ')})`);
  return labels.map((l, i) => {
    if (!ignore.includes(types[i])) return l;
    counts[types[i]] = (counts[types[i]] ?? 0) + 1;
    return IGNORED;
  });
}

/** What every predict pipeline starts with: units, device, a clock with per-stage sums, the
 * trajectory (read as stored; a topology beside it may say the coordinates are continuous) and the
 * ONNX Runtime session on its worker thread. */
/**
 * The descriptor stage of a pipeline: one native call at a time, in batch order. Descriptors of
 * batch n start as soon as those of n − 1 end, while ONNX Runtime scores n − 1 on its worker; two
 * calls never run at once, so the pipeline keeps to `threads` (two overlapping calls of one thread
 * each used two cores) and holds at most two batches of features. Times only the computing.
 */
export function serialStage(stages: { descriptors: number }, clock: () => number): <T>(work: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(work: () => Promise<T>) => {
    const run = tail.then(async () => {
      const t0 = clock();
      try {
        return await work();
      } finally {
        stages.descriptors += clock() - t0;
      }
    });
    tail = run.catch(() => undefined);
    // The caller goes on (turning these features into the model's input: synchronous JS, ~10–20 ms
    // a frame) one turn of the event loop later, so that the next queued call starts first and runs
    // beside it; resumed at once, that JS ran before the next call started, one after the other.
    return run.then((value) => new Promise<T>((resolve) => setImmediate(() => resolve(value))));
  };
}

export async function openPipeline(trajectory: string, model: LoadedModel, options: PredictOptions) {
  const units = options.units ?? 'lj';
  const { device } = resolveDevice(options.device ?? 'auto');
  const started = process.hrtime.bigint();
  const clock = () => Number(process.hrtime.bigint() - started) / 1e9;
  const stages = { read: 0, descriptors: 0, inference: 0, write: 0 };
  const ignored: Record<string, number> = labelRecord();
  const traj = openTrajectory(trajectory, { ...options, unwrap: false, batchSize: options.batchSize ?? 32 });
  const predictor = await OnnxPredictor.open(model.bytes, options.provider ?? 'auto');
  return { units, device, clock, stages, ignored, traj, predictor, descriptorStage: serialStage(stages, clock) };
}

/**
 * The double-buffered loop of both predict pipelines: read a batch (timed as `read`), let `first`
 * bind the model on the first batch, start evaluating it, and consume the previous batch's result
 * meanwhile, so that descriptors and ONNX Runtime of batch n overlap the bookkeeping of batch n − 1.
 */
export async function runDoubleBuffered<T>(
  batches: AsyncIterator<FrameBatch>, clock: () => number, stages: { read: number },
  first: (batch: FrameBatch) => void, evaluate: (batch: FrameBatch) => Promise<T>, consume: (result: T) => void,
): Promise<void> {
  let inflight: Promise<T> | null = null;
  let bound = false;
  try {
    for (;;) {
      const t0 = clock();
      const r = await batches.next();
      stages.read += clock() - t0;
      if (r.done) break;
      if (!bound) {
        first(r.value);
        bound = true;
      }
      const next = evaluate(r.value);
      next.catch(() => undefined); // a failure is reported where it is awaited, never as an unhandled rejection
      if (inflight) consume(await inflight);
      inflight = next;
    }
    if (inflight) consume(await inflight);
  } catch (err) {
    // Let the batch still being evaluated finish before the caller closes the session and removes
    // its outputs, so no worker outlives the failure.
    if (inflight) await inflight.catch(() => undefined);
    throw err;
  }
}

export async function predictTrajectory(trajectory: string, options: PredictOptions): Promise<PredictReport> {
  const model = typeof options.model === 'string' ? readModel(options.model) : options.model;
  if (model.metadata.shared) return predictShared(trajectory, model, options);
  const { units, device, clock, stages, ignored, traj, predictor, descriptorStage } = await openPipeline(trajectory, model, options);
  const wantIn = model.metadata.species.map((_, k) => `features_${k}`);
  const wantOut = model.metadata.species.map((_, k) => `lambda_${k}`);
  const lacking = [...wantIn.filter((n) => !predictor.inputNames.includes(n)), ...wantOut.filter((n) => !predictor.outputNames.includes(n))];
  if (lacking.length) {
    await predictor.close();
    throw new ModelMismatchError(`${model.path}: the graph lacks ${lacking.join(', ')} (inputs: ${predictor.inputNames.join(', ')}; outputs: ${predictor.outputNames.join(', ')}); see docs/model.md for the signature`);
  }
  // Set by the first-batch callback: typed with `as` so that TypeScript does not narrow them to null.
  let writer = null as NpyWriter | null;
  let bound = null as BoundSet | null;
  let map = null as RowMap | null;
  const frameMeans: number[] = [];
  let speciesRows: number[][] = [];
  let columns: FieldColumns = { types: [], charges: [] };
  let ionSums = new Float64Array(0);
  let frames = 0;
  const report = stageReporter(options.onProgress, 'predict', 'frames');
  try {
    const it = traj.batches();
    // Runs one batch: descriptors -> per-species feeds -> ONNX Runtime -> λ̂ in row order.
    const evaluate = async (batch: FrameBatch): Promise<{ batch: FrameBatch; lambda: Float32Array }> => {
      const desc = (await descriptorStage(() => computeBatch(bound!, batch, map!, { threads: options.threads, device, precision: 'float32' }))) as Float32Array;
      const R = map!.rows.length;
      const Fmax = bound!.maxFeatures;
      const feeds: Record<string, { data: Float32Array; dims: number[] }> = {};
      model.metadata.species.forEach((s, k) => {
        const rows = speciesRows[k];
        const F = bound!.columns[s].length;
        const data = new Float32Array(batch.frames * rows.length * F);
        for (let t = 0; t < batch.frames; t++)
          rows.forEach((r, i) => data.set(desc.subarray((t * R + r) * Fmax, (t * R + r) * Fmax + F), (t * rows.length + i) * F));
        feeds[`features_${k}`] = { data, dims: [batch.frames * rows.length, F] };
      });
      const t0 = clock();
      const { outputs } = await predictor.run(feeds);
      stages.inference += clock() - t0;
      const lambda = new Float32Array(batch.frames * R);
      model.metadata.species.forEach((_, k) => {
        const rows = speciesRows[k];
        const out = outputs[`lambda_${k}`];
        if (!out || out.length !== batch.frames * rows.length) throw new Error(`${model.path}: output lambda_${k} has ${out?.length ?? 0} values, expected ${batch.frames * rows.length}`);
        for (let t = 0; t < batch.frames; t++) rows.forEach((r, i) => (lambda[t * R + r] = out[t * rows.length + i]));
      });
      return { batch, lambda };
    };
    const consume = ({ batch, lambda }: { batch: FrameBatch; lambda: Float32Array }) => {
      const t0 = clock();
      const R = map!.rows.length;
      for (let t = 0; t < batch.frames; t++) {
        let sum = 0;
        for (let r = 0; r < R; r++) sum += lambda[t * R + r];
        frameMeans.push(sum / R);
      }
      addIonSums(ionSums, lambda, batch.frames);
      writer?.append(lambda, batch.frames);
      frames += batch.frames;
      stages.write += clock() - t0;
      report(frames);
    };
    await runDoubleBuffered(it, clock, stages, (batch) => {
      // The model says how its species are labelled: by the file's types, or by charge ("+1", "+2").
      let labels = batch.types;
      if (model.metadata.speciesLabels === 'charge') {
        if (!batch.charges)
          throw new ModelMismatchError(`${model.path} labels species by charge (${model.metadata.species.join(', ')}), and ${trajectory} has no charges: pass --charges (e.g. 1:2,2:-1)`);
        labels = Array.from(batch.charges, chargeLabel);
      }
      if (!labels) throw new ModelMismatchError(`${trajectory}: the file has no species labels; pass --topology or --types to name them`);
      labels = dropIgnored(labels, batch.types, options.ignoreSpecies ?? [], trajectory, ignored);
      ({ bound, map } = bindModel(model, labels, units, trajectory));
      speciesRows = model.metadata.species.map((s) => Array.from(map!.rows.keys()).filter((r) => map!.rowSpecies[r] === s));
      const named = batch.types ?? labels; // the file's labels where it has them
      columns = { types: Array.from(map.rows, (a) => named[a]), charges: Array.from(map.rows, (a) => (batch.charges ? batch.charges[a] : null)) };
      ionSums = new Float64Array(map.rows.length);
      if (options.out) writer = new NpyWriter(options.out, 'float32', [map.rows.length]);
    }, evaluate, consume);
    options.signal?.throwIfAborted();
    if (!bound || !map || frames === 0) throw new ModelMismatchError(`${trajectory}: no frames selected`);
    writer?.close();
  } catch (err) {
    writer?.abort();
    throw err;
  } finally {
    await predictor.close();
  }
  const value = frameMeans.reduce((a, b) => a + b, 0) / frames;
  const err = blockError(frameMeans);
  const seconds = clock();
  const R = map.rows.length;
  return {
    schema: 'ionfield.predict/2',
    trajectory,
    model: model.path,
    units,
    frames,
    ions: R,
    species: speciesTable(columns, ionSums, frames),
    lambdaMl: { value, ...err, units: molarConductivityUnits(units), tau: model.metadata.target.tau },
    field: options.out ? { path: options.out, shape: [frames, R], dtype: 'float32', atoms: Array.from(map.rows), species: columns.types } : null,
    provider: predictor.provider,
    ignored,
    providerNote: predictor.providerNote,
    device,
    seconds,
    stages,
    stagesClock: 'wall',
    ionsFramesPerSecond: (R * frames) / seconds,
  };
}
