// Which descriptor features the trained network relies on: permutation importance of an ONNX model
// on a dataset, per species. Each feature column is shuffled across the species' rows (keeping its
// distribution, breaking its link to the ion), the model is re-evaluated through ONNX Runtime, and
// the rise of the mean squared error against the dataset's target λ is recorded. The targets are
// noisy (std ≫ mean), but the noise cancels in the difference: the rise estimates
// E[(f(G') − f(G))²], how much of the prediction the feature carries.
import { permutationImportance, FeatureImportance } from '../analysis/importance';
import { Dataset, loadDatasets } from './dataset';
import { OnnxPredictor, Provider } from './inference';
import { LoadedModel, ModelMismatchError, readModelFile } from './predict';
import { toSharedDataset } from './shared-dataset';

export interface SpeciesImportance {
  species: string;
  rows: number;
  /** Variance of the targets over the rows used: the scale against which the MSE rises compare. */
  targetVariance: number;
  baselineMse: number;
  repeats: number;
  features: FeatureImportance[];
}

export interface ImportanceReport {
  schema: 'ionfield.importance/2';
  model: string;
  datasets: string[];
  systems: string[];
  reference: 'target λ of the dataset';
  species: SpeciesImportance[];
}

export interface ImportanceOptions {
  /** Only these systems of the datasets (default: all). */
  systems?: string[];
  repeats?: number;
  /** At most this many rows per species, taken at an even stride over frames and ions. */
  maxRows?: number;
  seed?: number;
  provider?: Provider;
}

/** Why a dataset cannot be read by a model, or null: species, labelling, units, τ, feature columns. */
export function modelDatasetDifference(model: Pick<LoadedModel, 'metadata'>, data: Dataset): string[] {
  const m = model.metadata;
  const d = data.manifest;
  const out: string[] = [];
  const missing = m.shared ? [] : m.species.filter((s) => !d.species.includes(s));
  if (missing.length) out.push(`species: the model has ${missing.join(', ')} which the dataset lacks (dataset species: ${d.species.join(', ')})`);
  if ((m.speciesLabels ?? 'type') !== (d.speciesLabels ?? 'type')) out.push(`species labels: the model's are by ${m.speciesLabels ?? 'type'}, the dataset's by ${d.speciesLabels ?? 'type'}`);
  if (m.target.units !== d.units) out.push(`units: the model's targets are in '${m.target.units}', the dataset's in '${d.units}'`);
  if (Math.abs(m.target.tau - d.tau) > 1e-9 * Math.abs(d.tau)) out.push(`tau: the model predicts λ at τ = ${m.target.tau}, the dataset's targets are at τ = ${d.tau}`);
  if ((m.target.tauShort ?? null) !== (d.tauShort ?? null)) out.push(`two-lag target: the model's τa is ${m.target.tauShort ?? 'none'}, the dataset's ${d.tauShort ?? 'none'}`);
  if (m.shared) return out; // the shared model folds any species' columns (checked by name below)
  for (const s of m.species.filter((x) => d.species.includes(x))) {
    const names = (cols: unknown[]) => cols.map((c) => (c as { name: string }).name);
    if (JSON.stringify(names(m.featureColumns[s] ?? [])) !== JSON.stringify(names(d.featureColumns[s] ?? []))) out.push(`feature columns of species ${s} differ (another descriptor set)`);
  }
  return out;
}

export async function modelImportance(modelFile: string, datasetFolders: string[], options: ImportanceOptions = {}): Promise<ImportanceReport> {
  const model = readModelFile(modelFile);
  const data = loadDatasets(datasetFolders, options.systems);
  const differences = modelDatasetDifference(model, data);
  if (differences.length) throw new ModelMismatchError(`${modelFile} does not fit ${datasetFolders.join(', ')}:\n  ${differences.join('\n  ')}`);
  const maxRows = options.maxRows ?? 20000;
  const predictor = await OnnxPredictor.open(model.bytes, options.provider ?? 'cpu');
  if (model.metadata.shared) {
    try {
      return { schema: 'ionfield.importance/2', model: modelFile, datasets: datasetFolders, systems: data.systems.map((s) => s.name), reference: 'target λ of the dataset', species: [await sharedImportance(model, data, predictor, maxRows, options)] };
    } finally {
      await predictor.close();
    }
  }
  try {
    const species: SpeciesImportance[] = [];
    const widths = model.metadata.species.map((s) => data.manifest.featureColumns[s].length);
    for (let k = 0; k < model.metadata.species.length; k++) {
      const label = model.metadata.species[k];
      const index = data.manifest.species.indexOf(label);
      const F = widths[k];
      const total = data.systems.reduce((n, sys) => n + sys.species[index].lambda.length, 0);
      if (total === 0) continue; // e.g. a '+2' network on a dataset of 1:1 salts
      const step = Math.max(1, Math.ceil(total / maxRows));
      const rows = Math.ceil(total / step);
      const X = new Float32Array(rows * F);
      const y = new Float64Array(rows);
      let r = 0;
      let seen = 0;
      for (const sys of data.systems) {
        const d = sys.species[index];
        for (let i = 0; i < d.lambda.length; i++, seen++) {
          if (seen % step !== 0) continue;
          X.set(d.features.subarray(i * F, (i + 1) * F), r * F);
          y[r++] = d.lambda[i];
        }
      }
      const predict = async (matrix: Float32Array | Float64Array) => {
        // The other species get as many (zero) rows, not none: models with one shared row dimension
        // (written before per-species ones, docs/model.md) need every input to have the same rows.
        const feeds: Record<string, { data: Float32Array; dims: number[] }> = {};
        model.metadata.species.forEach((_, j) => {
          feeds[`features_${j}`] = j === k ? { data: Float32Array.from(matrix), dims: [rows, F] } : { data: new Float32Array(rows * widths[j]), dims: [rows, widths[j]] };
        });
        return (await predictor.run(feeds)).outputs[`lambda_${k}`];
      };
      const names = (data.manifest.featureColumns[label] as { name: string }[]).map((c) => c.name);
      const result = await permutationImportance(X, y, names, predict, { repeats: options.repeats ?? 3, seed: options.seed ?? 1 });
      const mean = y.reduce((a, v) => a + v, 0) / rows;
      species.push({ species: label, rows, targetVariance: y.reduce((a, v) => a + (v - mean) ** 2, 0) / rows, ...result });
    }
    return { schema: 'ionfield.importance/2', model: modelFile, datasets: datasetFolders, systems: data.systems.map((s) => s.name), reference: 'target λ of the dataset', species };
  } finally {
    await predictor.close();
  }
}

/**
 * The shared model has one input for every ion (the folded features, shared-features.ts): one entry,
 * species 'shared', whose rows are all ions and whose reference is the stoichiometry-free target μ.
 */
async function sharedImportance(model: Pick<LoadedModel, 'metadata' | 'path'>, data: Dataset, predictor: OnnxPredictor, maxRows: number, options: ImportanceOptions): Promise<SpeciesImportance> {
  const shared = model.metadata.shared!;
  const { layout, systems } = toSharedDataset(data);
  const k = layout.names.findIndex((n, i) => n !== shared.features[i]);
  if (k >= 0 || layout.names.length !== shared.features.length) throw new ModelMismatchError(`${model.path}: the dataset's folded inputs differ from the model's (${k >= 0 ? `input ${k}: '${layout.names[k]}' vs '${shared.features[k]}'` : `${layout.names.length} vs ${shared.features.length}`})`);
  const P = layout.size;
  const total = systems.reduce((n, s) => n + s.species[0].lambda.length, 0);
  const step = Math.max(1, Math.ceil(total / maxRows));
  const rows = Math.ceil(total / step);
  const X = new Float32Array(rows * P);
  const y = new Float64Array(rows);
  let r = 0, seen = 0;
  for (const sys of systems) {
    const d = sys.species[0];
    for (let i = 0; i < d.lambda.length; i++, seen++) {
      if (seen % step !== 0) continue;
      X.set(d.features.subarray(i * P, (i + 1) * P), r * P);
      y[r++] = d.lambda[i];
    }
  }
  const predict = async (matrix: Float32Array | Float64Array) => (await predictor.run({ features: { data: Float32Array.from(matrix), dims: [rows, P] } })).outputs.mu;
  const result = await permutationImportance(X, y, layout.names, predict, { repeats: options.repeats ?? 3, seed: options.seed ?? 1 });
  const mean = y.reduce((a, v) => a + v, 0) / rows;
  return { species: 'shared', rows, targetVariance: y.reduce((a, v) => a + (v - mean) ** 2, 0) / rows, ...result };
}
