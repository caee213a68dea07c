// Trains the local-conductivity network on dataset folders with a leave-systems-out split and writes
// the ONNX model (temporary name, then rename). The native trainer does the work on a worker thread.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { native, NativeEpochReport, NativeNnModel, NativeTrainOptions, NativeTrainResult, packageRoot } from '../native';
import { Dataset, LoadedSystem, targetLambda } from './dataset';
import { DiskDataset, DiskSystem, diskTargetLambda, openDatasets, systemChunks } from './dataset-files';
import { exportOnnx, MODEL_SCHEMA, ModelMetadata } from './onnx-export';
import { writeFileAtomic } from '../atomic-file';
import { labelRecord } from '../label-record';
import { withNativeCancel } from '../abort';
import { LongCallOptions, stageReporter } from '../progress';

export interface TrainModelOptions extends NativeTrainOptions, LongCallOptions {
  /** Names of the systems held out for validation (early stopping) and evaluation. */
  holdout: string[];
  hidden?: number[];
  activation?: 'tanh' | 'softplus' | 'shifted-softplus' | 'silu';
  /** Where to write the ONNX model (optional: the trained model is returned either way). */
  out?: string;
  onEpoch?: (report: NativeEpochReport) => void;
}

export interface SystemPrediction {
  name: string;
  frames: number;
  ions: number;
  /** Λ from the targets (mean λ over ions and frames: the EH estimate at lag τ on these origins). */
  lambdaTarget: number;
  /** Λ_EH of the whole trajectory (ionfield transport) when the dataset records it. */
  lambdaEh: { value: number; error: number } | null;
  lambdaMl: number;
  relativeError: number; // |Λ_ML − Λ_target| / |Λ_target|
}

export interface TrainReport {
  schema: 'ionfield.train/2';
  out: string | null;
  objective: string;
  architecture: { features: number[]; hidden: number[]; activation: string; parameters: number };
  trainSystems: string[];
  holdoutSystems: string[];
  epochsRun: number;
  bestEpoch: number;
  stoppedEarly: boolean;
  resumedFromEpoch: number;
  history: NativeEpochReport[];
  train: SystemPrediction[];
  holdout: SystemPrediction[];
  holdoutMedianRelativeError: number | null;
  seconds: number;
  secondsPerEpoch: number;
}

export function packageVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

/** A system in memory or on disk: what the report and the metadata need of either. */
type AnySystem = LoadedSystem | DiskSystem;
const onDisk = (s: AnySystem): s is DiskSystem => s.species.some((x) => 'featuresFile' in x);

/** Λ_ML of a system with the native forward pass: the mean of λ̂ over all its ions and frames. */
export function nativeSystemLambda(model: NativeNnModel, system: AnySystem): number {
  const addon = native();
  let sum = 0;
  let n = 0;
  if (onDisk(system)) {
    // A chunk of frames per call; each row's λ̂ depends on its row only, and the sum keeps row order.
    system.species.forEach((s, k) => {
      for (const c of systemChunks(system, k)) {
        const rows = c.count * s.ions;
        const pred = addon.nnPredict(model, k, c.features, rows);
        for (let i = 0; i < rows; i++) sum += pred[i];
      }
      n += system.frames * s.ions;
    });
    return sum / n;
  }
  system.species.forEach((s, k) => {
    const rows = system.frames * s.ions;
    if (rows === 0) return;
    const pred = addon.nnPredict(model, k, s.features, rows);
    for (let i = 0; i < rows; i++) sum += pred[i];
    n += rows;
  });
  return sum / n;
}

export function systemPrediction(system: AnySystem, lambdaMl: number): SystemPrediction {
  const target = onDisk(system) ? diskTargetLambda(system) : targetLambda(system);
  const eh = system.info.lambdaEh;
  return {
    name: system.name,
    frames: system.frames,
    ions: system.species.reduce((a, s) => a + s.ions, 0),
    lambdaTarget: target,
    lambdaEh: eh && Number.isFinite(eh.value) ? eh : null,
    lambdaMl: lambdaMl,
    relativeError: Math.abs(lambdaMl - target) / Math.abs(target),
  };
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const v = [...values].sort((a, b) => a - b);
  const h = Math.floor(v.length / 2);
  return v.length % 2 ? v[h] : 0.5 * (v[h - 1] + v[h]);
}

export function splitSystems<S extends AnySystem>(dataset: { systems: S[] }, holdout: string[]): { train: S[]; held: S[] } {
  const names = new Set(dataset.systems.map((s) => s.name));
  const unknown = holdout.filter((h) => !names.has(h));
  if (unknown.length) throw new Error(`--holdout: no system named ${unknown.map((u) => `'${u}'`).join(', ')} (the datasets have: ${[...names].join(', ')})`);
  const held = dataset.systems.filter((s) => holdout.includes(s.name));
  const train = dataset.systems.filter((s) => !holdout.includes(s.name));
  if (train.length === 0) throw new Error('--holdout leaves no system to train on');
  return { train, held };
}

export function modelMetadata(dataset: Dataset | DiskDataset, result: NativeTrainResult, options: TrainModelOptions, train: AnySystem[], held: AnySystem[]): ModelMetadata {
  const m = dataset.manifest;
  const charges: Record<string, number> = labelRecord();
  for (const s of dataset.systems) for (const [label, z] of Object.entries(s.info.charges ?? {})) charges[label] ??= z;
  const model = result.model;
  return {
    schema: MODEL_SCHEMA,
    version: packageVersion(),
    species: m.species,
    speciesLabels: m.speciesLabels ?? 'type',
    charges,
    descriptorSet: m.descriptorSet,
    featureColumns: m.featureColumns,
    standardisation: {
      features: Object.fromEntries(m.species.map((s, k) => [s, { mean: Array.from(model.featureMean[k]), scale: Array.from(model.featureScale[k]) }])),
      target: { shift: model.targetShift, scale: model.targetScale },
    },
    target: { quantity: 'local molar conductivity λ_i(t0) (exact decomposition, SCIENCE.md)', tau: m.tau, tauFrames: m.tauFrames, units: m.units, objective: options.objective ?? 'per-ion' },
    architecture: { hidden: model.hidden, activation: model.activation },
    training: {
      datasets: dataset.folders, // as given: the model file must not carry this machine's absolute paths
      systems: train.map((s) => ({ name: s.name, parameters: s.info.parameters ?? null })),
      holdout: held.map((s) => s.name),
      lengthScale: m.lengthScale ?? 1,
      seed: options.seed ?? 1,
      epochs: options.epochs ?? null,
      bestEpoch: result.bestEpoch,
      learningRate: options.learningRate ?? null,
      batchFrames: options.batchFrames ?? null,
    },
  };
}

export { writeFileAtomic };

/**
 * Trains on dataset folders (left on disk: the trainer reads each mini-batch's frames, so memory
 * does not grow with the training set) or on a Dataset already in memory. Same model either way.
 */
export async function trainModel(datasetFolders: string[] | Dataset, options: TrainModelOptions): Promise<{ report: TrainReport; model: NativeNnModel; onnx: Uint8Array; metadata: ModelMetadata }> {
  const started = process.hrtime.bigint();
  const dataset: Dataset | DiskDataset = Array.isArray(datasetFolders) ? openDatasets(datasetFolders) : datasetFolders;
  const { train, held } = splitSystems<AnySystem>(dataset, options.holdout);
  const features = dataset.manifest.species.map((s) => dataset.manifest.featureColumns[s].length);
  const arch = { features, hidden: options.hidden ?? [32, 32], activation: options.activation ?? 'tanh' };
  const reportEpoch = stageReporter(options.onProgress, 'train', 'epochs');
  const result = await withNativeCancel(options.signal, (token) => native().trainNetwork(arch, train, held, {
    objective: options.objective, epochs: options.epochs, batchFrames: options.batchFrames, learningRate: options.learningRate,
    weightDecay: options.weightDecay, patience: options.patience, seed: options.seed, threads: options.threads, checkpoint: options.checkpoint,
  }, (epoch) => {
    options.onEpoch?.(epoch);
    reportEpoch(epoch.epoch, epoch.epochs);
  }, token));
  const metadata = modelMetadata(dataset, result, options, train, held);
  const onnx = exportOnnx(result.model, metadata);
  if (options.out) writeFileAtomic(options.out, onnx);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const trainPred = train.map((s) => systemPrediction(s, nativeSystemLambda(result.model, s)));
  const heldPred = held.map((s) => systemPrediction(s, nativeSystemLambda(result.model, s)));
  const epochsRun = result.history.length - result.resumedFromEpoch;
  const report: TrainReport = {
    schema: 'ionfield.train/2',
    out: options.out ?? null, // as given: a report must not record this machine's absolute paths
    objective: options.objective ?? 'per-ion',
    architecture: { ...arch, parameters: result.model.params.length },
    trainSystems: train.map((s) => s.name),
    holdoutSystems: held.map((s) => s.name),
    epochsRun: epochsRun,
    bestEpoch: result.bestEpoch,
    stoppedEarly: result.stoppedEarly,
    resumedFromEpoch: result.resumedFromEpoch,
    history: result.history,
    train: trainPred,
    holdout: heldPred,
    holdoutMedianRelativeError: median(heldPred.map((p) => p.relativeError)),
    seconds,
    secondsPerEpoch: epochsRun > 0 ? seconds / epochsRun : 0,
  };
  return { report, model: result.model, onnx, metadata };
}
