// Trains the local-conductivity network on dataset folders with a leave-systems-out split and writes
// the ONNX model (temporary name, then rename). The native trainer does the work on a worker thread.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { native, NativeEpochReport, NativeNnModel, NativeTrainOptions, NativeTrainResult, packageRoot } from '../native';
import { Dataset, LoadedSystem, loadDatasets, targetLambda } from './dataset';
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

/** Λ_ML of a system with the native forward pass: the mean of λ̂ over all its ions and frames. */
export function nativeSystemLambda(model: NativeNnModel, system: LoadedSystem): number {
  const addon = native();
  let sum = 0;
  let n = 0;
  system.species.forEach((s, k) => {
    const rows = system.frames * s.ions;
    if (rows === 0) return;
    const pred = addon.nnPredict(model, k, s.features, rows);
    for (let i = 0; i < rows; i++) sum += pred[i];
    n += rows;
  });
  return sum / n;
}

export function systemPrediction(system: LoadedSystem, lambdaMl: number): SystemPrediction {
  const target = targetLambda(system);
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

export function splitSystems(dataset: Dataset, holdout: string[]): { train: LoadedSystem[]; held: LoadedSystem[] } {
  const names = new Set(dataset.systems.map((s) => s.name));
  const unknown = holdout.filter((h) => !names.has(h));
  if (unknown.length) throw new Error(`--holdout: no system named ${unknown.map((u) => `'${u}'`).join(', ')} (the datasets have: ${[...names].join(', ')})`);
  const held = dataset.systems.filter((s) => holdout.includes(s.name));
  const train = dataset.systems.filter((s) => !holdout.includes(s.name));
  if (train.length === 0) throw new Error('--holdout leaves no system to train on');
  return { train, held };
}

export function modelMetadata(dataset: Dataset, result: NativeTrainResult, options: TrainModelOptions, train: LoadedSystem[], held: LoadedSystem[]): ModelMetadata {
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

export async function trainModel(datasetFolders: string[] | Dataset, options: TrainModelOptions): Promise<{ report: TrainReport; model: NativeNnModel; onnx: Uint8Array; metadata: ModelMetadata }> {
  const started = process.hrtime.bigint();
  const dataset = Array.isArray(datasetFolders) ? loadDatasets(datasetFolders) : datasetFolders;
  const { train, held } = splitSystems(dataset, options.holdout);
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
