// The trained per-species networks as one ONNX graph with its metadata (docs/model.md, "ONNX signature").
//
// Signature (opset 17): one input per centre species k, `features_<k>` float32 [rows_<k>, F_k] (raw
// descriptors, any number of rows: the ions of many frames stacked), and one output per species,
// `lambda_<k>` float32 [rows_<k>]: λ̂ in the target's units. Standardisation is inside the graph
// (Sub mean, Div scale) and repeated in the metadata; so is the output map λ̂ = shift + scale · y.
// k follows the order of the `ionfield.species` metadata entry.
import { onnx } from 'onnx-proto';
import type { NativeNnModel } from '../native';
import { encodeModel, floatTensor, floatValue, node } from './onnx-builder';
import { currentKey, upgradeLegacyDocument } from '../legacy-document';
import type { Calibration } from './committee';

export const MODEL_SCHEMA = 'ionfield.model/2';

/** Metadata every ionfield model carries (each value is a JSON string in the ONNX metadata_props). */
export interface ModelMetadata {
  schema: string;
  version: string;
  species: string[];
  charges: Record<string, number>;
  descriptorSet: unknown;
  featureColumns: Record<string, unknown[]>;
  standardisation: { features: Record<string, { mean: number[]; scale: number[] }>; target: { shift: number; scale: number } };
  target: { quantity: string; tau: number; tauFrames: number; units: string; objective: string; tauShort?: number };
  architecture: { hidden: number[]; activation: string };
  training: Record<string, unknown>;
  /**
   * How the species are labelled (optional key `ionfield.speciesLabels`; absent in models made
   * before it, which means 'type'): 'type' = the trajectory's labels, 'charge' = "+1", "-1", "+2".
   */
  speciesLabels?: 'type' | 'charge';
  /** Shared-network models (docs/model.md "The shared model"): the folded input layout and the readouts. */
  shared?: SharedModelInfo;
  /** Calibrated error model and domain reference (docs/model.md "Error bar" and "Out of domain"). */
  uncertainty?: UncertaintyInfo;
}

export interface SharedModelInfo {
  kind: 'shared-committee';
  /** Input names of `features` (shared-features.ts), in order. */
  features: string[];
  members: number;
  readout: 'linear' | 'log-linear scale × linear local share';
  /** The candidate chosen by inner cross-validation over the training systems. */
  /** columns: folded inputs by index, and interactions as index pairs (their product). */
  selected: { features: string; alpha: number; columns: (number | [number, number])[] };
  /** The own inputs the domain score is judged on (all of them). */
  domainColumns: number[];
  /** λ̂_i = μ̂_i N / n_f: the network's output is μ (per ion, stoichiometry-free). */
  output: 'mu';
}

export interface UncertaintyInfo {
  /** σ_model² = (k · committee spread)² + (f · Λ_ML)², fitted on the nested study's held-out residuals. */
  calibration: Calibration & { source: string };
  domain: { mean: number[]; scale: number[]; points: { name: string; x: number[] }[]; spacing: number; lo: number[]; hi: number[]; threshold: number; spreadThreshold: number };
}

const METADATA_KEYS: (keyof ModelMetadata)[] = [
  'schema', 'version', 'species', 'charges', 'descriptorSet', 'featureColumns', 'standardisation', 'target', 'architecture', 'training',
];

export function metadataProps(meta: ModelMetadata): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of METADATA_KEYS) out[`ionfield.${key}`] = JSON.stringify(meta[key]);
  if (meta.speciesLabels !== undefined) out['ionfield.speciesLabels'] = JSON.stringify(meta.speciesLabels);
  if (meta.shared !== undefined) out['ionfield.shared'] = JSON.stringify(meta.shared);
  if (meta.uncertainty !== undefined) out['ionfield.uncertainty'] = JSON.stringify(meta.uncertainty);
  return out;
}

/** Parses ionfield.* metadata_props back; throws naming the missing key. */
export function parseMetadataProps(stored: Record<string, string>, source: string): ModelMetadata {
  // Models exported before the camelCase change name some props in snake_case (docs/json.md).
  const props = Object.fromEntries(Object.entries(stored).map(([k, v]) => [k.startsWith('ionfield.') ? `ionfield.${currentKey(k.slice(9))}` : k, v]));
  const meta: Record<string, unknown> = {};
  for (const key of METADATA_KEYS) {
    const text = props[`ionfield.${key}`];
    if (text === undefined) throw new Error(`${source}: model metadata has no 'ionfield.${key}' (see docs/model.md for the signature)`);
    try {
      meta[key] = JSON.parse(text);
    } catch {
      throw new Error(`${source}: model metadata 'ionfield.${key}' is not JSON`);
    }
  }
  const labels = props['ionfield.speciesLabels'];
  if (labels !== undefined) {
    let v: unknown;
    try {
      v = JSON.parse(labels);
    } catch {
      v = labels;
    }
    if (v !== 'type' && v !== 'charge') throw new Error(`${source}: model metadata 'ionfield.speciesLabels' is ${labels}, expected "type" or "charge"`);
    meta.speciesLabels = v;
  }
  for (const key of ['shared', 'uncertainty'] as const) {
    const text = props[`ionfield.${key}`];
    if (text === undefined) continue;
    try {
      meta[key] = JSON.parse(text);
    } catch {
      throw new Error(`${source}: model metadata 'ionfield.${key}' is not JSON`);
    }
  }
  const m = upgradeLegacyDocument(meta) as unknown as ModelMetadata;
  if (m.schema !== MODEL_SCHEMA) throw new Error(`${source}: model schema '${m.schema}', expected '${MODEL_SCHEMA}'`);
  return m;
}

function activation(nodes: onnx.INodeProto[], inits: onnx.ITensorProto[], kind: string, z: string, out: string): void {
  switch (kind) {
    case 'tanh':
      nodes.push(node('Tanh', [z], [out]));
      return;
    case 'softplus':
      nodes.push(node('Softplus', [z], [out]));
      return;
    case 'shifted-softplus':
      if (!inits.some((t) => t.name === 'ln2')) inits.push(floatTensor('ln2', [], [Math.LN2]));
      nodes.push(node('Softplus', [z], [`${out}_sp`]), node('Sub', [`${out}_sp`, 'ln2'], [out]));
      return;
    case 'silu':
      nodes.push(node('Sigmoid', [z], [`${out}_sig`]), node('Mul', [z, `${out}_sig`], [out]));
      return;
    default:
      throw new Error(`activation '${kind}' has no ONNX export`);
  }
}

/** Builds the ONNX bytes for a native model (float64 weights are rounded to float32). */
export function exportOnnx(model: NativeNnModel, meta: ModelMetadata): Uint8Array {
  const nodes: onnx.INodeProto[] = [];
  const inits: onnx.ITensorProto[] = [];
  const inputs: onnx.IValueInfoProto[] = [];
  const outputs: onnx.IValueInfoProto[] = [];
  const layersOf = model.layers ?? layoutOf(model);
  inits.push(floatTensor('target_scale', [], [model.targetScale]), floatTensor('target_shift', [], [model.targetShift]));
  inits.push({ name: 'flat_shape', dims: [1], dataType: onnx.TensorProto.DataType.INT64, int64Data: [-1] });
  model.features.forEach((F, k) => {
    const x = `features_${k}`;
    inputs.push(floatValue(x, [`rows_${k}`, F]));
    inits.push(floatTensor(`mean_${k}`, [F], model.featureMean[k]), floatTensor(`scale_${k}`, [F], model.featureScale[k]));
    nodes.push(node('Sub', [x, `mean_${k}`], [`centred_${k}`]), node('Div', [`centred_${k}`, `scale_${k}`], [`a_${k}_0`]));
    const layers = layersOf[k];
    layers.forEach((slot, l) => {
      const W = model.params.subarray(slot.w, slot.w + slot.in * slot.out);
      const b = model.params.subarray(slot.b, slot.b + slot.out);
      inits.push(floatTensor(`W_${k}_${l}`, [slot.in, slot.out], W), floatTensor(`b_${k}_${l}`, [slot.out], b));
      nodes.push(node('MatMul', [`a_${k}_${l}`, `W_${k}_${l}`], [`xw_${k}_${l}`]), node('Add', [`xw_${k}_${l}`, `b_${k}_${l}`], [`z_${k}_${l}`]));
      if (l + 1 < layers.length) activation(nodes, inits, model.activation, `z_${k}_${l}`, `a_${k}_${l + 1}`);
    });
    const y = `z_${k}_${layers.length - 1}`;
    nodes.push(
      node('Mul', [y, 'target_scale'], [`scaled_${k}`]),
      node('Add', [`scaled_${k}`, 'target_shift'], [`column_${k}`]),
      node('Reshape', [`column_${k}`, 'flat_shape'], [`lambda_${k}`]),
    );
    outputs.push(floatValue(`lambda_${k}`, [`rows_${k}`]));
  });
  return encodeModel({
    name: 'ionfield-local-conductivity',
    nodes,
    inputs,
    outputs,
    initializers: inits,
    metadata: metadataProps(meta),
    producerVersion: meta.version,
  });
}

/** Layer offsets of the flat parameter vector (same layout as native Layout::of). */
export function layoutOf(model: Pick<NativeNnModel, 'features' | 'hidden'>): { in: number; out: number; w: number; b: number }[][] {
  let offset = 0;
  return model.features.map((F) => {
    let inputs = F;
    return [...model.hidden, 1].map((out) => {
      const slot = { in: inputs, out, w: offset, b: offset + inputs * out };
      offset += inputs * out + out;
      inputs = out;
      return slot;
    });
  });
}
