// The shipped form of the shared model: the committee chosen by inner cross-validation on all
// training systems, as one ONNX graph, with the calibration of its error bar and the reference
// points of its domain in the metadata (docs/model.md "The shared model").
//
// ONNX signature (opset 17):
//   input  `features`    float32 [rows, F]  the folded inputs of shared-features.ts (names in
//                                           metadata ionfield.shared.features), any rows
//   output `mu_members`  float32 [rows, M]  μ̂ of each committee member
//   output `mu`          float32 [rows]     their mean
// μ is the stoichiometry-free per-ion target (shared-dataset.ts): λ̂_i = μ̂_i N / n_f, Λ_ML = Σ_ions μ̂_i / n_f.
import { onnx } from 'onnx-proto';
import { Calibration, Candidate, Committee, domainReference, InnerFolds, DOMAIN_THRESHOLD, selectCommittee, SPREAD_THRESHOLD } from './committee';
import type { Dataset } from './dataset';
import { candidatesOf, DEFAULT_ALPHAS, DOMAIN_SUBSET, domainPoints, featureSubsets, trainingSystemsOf } from './nested';
import { encodeModel, floatTensor, floatValue, node } from './onnx-builder';
import { metadataProps, MODEL_SCHEMA, ModelMetadata } from './onnx-export';
import { fitReadout } from './readout';
import { datasetLayout, toSharedDataset } from './shared-dataset';
import { DiskDataset, isDiskDataset } from './dataset-files';
import { streamedTrainingSystems } from './shared-stream';
import type { SharedLayout } from './shared-features';
import { packageVersion } from './train';
import { labelRecord } from '../label-record';

/**
 * The descriptor set with every function for every species ("*"), reconstructed from the
 * dataset's expanded columns: the shared model must bind it to species it never saw (a trivalent
 * ion, a neutral solvent), and its folded layout is exactly these functions.
 */
export function wildcardSet(dataset: Pick<Dataset, 'manifest'>): Record<string, unknown> {
  const seen = new Set<string>();
  const functions: Record<string, unknown>[] = [];
  for (const s of dataset.manifest.species)
    for (const c of dataset.manifest.featureColumns[s]) {
      const f: Record<string, unknown> = { type: c.type, centre: '*', neighbours: '*', eta: c.eta, rs: c.rs, cutoff: c.cutoff, cutoffFunction: c.cutoffFunction };
      if (c.type !== 'G2') Object.assign(f, { zeta: c.zeta, lambda: c.lambda });
      const key = JSON.stringify(f);
      if (!seen.has(key)) {
        seen.add(key);
        functions.push(f);
      }
    }
  const set = dataset.manifest.descriptorSet as { name?: string; description?: string; lengthUnit?: string };
  return { schema: 'ionfield.descriptor-set/2', name: set?.name ?? 'shared', description: set?.description ?? '', lengthUnit: set?.lengthUnit ?? 'ion diameter', functions };
}

/** `mu` = the committee members' mean per row. */
function meanOverMembers(): onnx.INodeProto {
  return node('ReduceMean', ['mu_members'], ['mu'], [{ name: 'axes', type: onnx.AttributeProto.AttributeType.INTS, ints: [1] }, { name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: 0 }]);
}

export function exportSharedOnnx(layout: SharedLayout, committee: Committee, meta: ModelMetadata): Uint8Array {
  if (committee.candidate.kind === 'log') return exportLogOnnx(layout, committee, meta);
  const F = layout.size;
  const M = committee.members.length;
  const W = new Float64Array(F * M);
  const b = new Float64Array(M);
  // Interactions x_a·x_b: selected by two 0/1 matrices, multiplied, then weighted like the rest.
  const products = [...new Set(committee.members.flatMap((r) => r.columns.filter((c) => typeof c !== 'number').map((c) => JSON.stringify(c))))].map((t) => JSON.parse(t) as [number, number]);
  const Q = products.length;
  const selA = new Float64Array(F * Q), selB = new Float64Array(F * Q), W2 = new Float64Array(Q * M);
  products.forEach(([a, c], q) => {
    selA[a * Q + q] = 1;
    selB[c * Q + q] = 1;
  });
  committee.members.forEach((r, m) => {
    r.columns.forEach((col, k) => {
      if (typeof col === 'number') W[col * M + m] = r.weights[k];
      else W2[products.findIndex((p) => p[0] === col[0] && p[1] === col[1]) * M + m] = r.weights[k];
    });
    b[m] = r.intercept;
  });
  const nodes: onnx.INodeProto[] = [node('MatMul', ['features', 'W'], ['xw'])];
  const inits = [floatTensor('W', [F, M], W), floatTensor('b', [M], b)];
  if (Q > 0) {
    nodes.push(node('MatMul', ['features', 'select_a'], ['pa']), node('MatMul', ['features', 'select_b'], ['pb']), node('Mul', ['pa', 'pb'], ['products']),
      node('MatMul', ['products', 'W2'], ['pw']), node('Add', ['xw', 'pw'], ['linear']));
    inits.push(floatTensor('select_a', [F, Q], selA), floatTensor('select_b', [F, Q], selB), floatTensor('W2', [Q, M], W2));
  }
  nodes.push(
    node('Add', [Q > 0 ? 'linear' : 'xw', 'b'], ['mu_members']),
    meanOverMembers(),
  );
  return encodeModel({
    name: 'ionfield-shared-local-conductivity',
    nodes,
    inputs: [floatValue('features', ['rows', F])],
    outputs: [floatValue('mu_members', ['rows', M]), floatValue('mu', ['rows'])],
    initializers: inits,
    metadata: metadataProps(meta),
    producerVersion: meta.version,
  });
}

/**
 * The log readout as a graph: per member m,
 *   scale_m = exp(c_m + Σ_c u⁺_mc x[frame+:c] + u⁻_mc x[frame-:c]),  local_m = 1 + Σ_c v_mc (x[c] − x[frame:c]),
 *   mu_members[:, m] = scale_m · local_m.
 */
function exportLogOnnx(layout: SharedLayout, committee: Committee, meta: ModelMetadata): Uint8Array {
  const P = layout.size, own = layout.own, M = committee.members.length;
  const U = new Float64Array(P * M), V = new Float64Array(P * M), c = new Float64Array(M), ones = new Float64Array(M).fill(1);
  committee.members.forEach((r, m) => {
    const s = r.logScale!;
    r.columns.forEach((col, k) => {
      const j = col as number;
      U[(2 * own + j) * M + m] += s.plus[k];
      U[(3 * own + j) * M + m] += s.minus[k];
      V[j * M + m] += r.weights[k];
      V[(own + j) * M + m] -= r.weights[k];
    });
    c[m] = s.intercept;
  });
  const nodes: onnx.INodeProto[] = [
    node('MatMul', ['features', 'U'], ['su']), node('Add', ['su', 'c'], ['log_scale']), node('Exp', ['log_scale'], ['scale']),
    node('MatMul', ['features', 'V'], ['sv']), node('Add', ['sv', 'ones'], ['local']), node('Mul', ['scale', 'local'], ['mu_members']),
    meanOverMembers(),
  ];
  return encodeModel({
    name: 'ionfield-shared-local-conductivity',
    nodes,
    inputs: [floatValue('features', ['rows', P])],
    outputs: [floatValue('mu_members', ['rows', M]), floatValue('mu', ['rows'])],
    initializers: [floatTensor('U', [P, M], U), floatTensor('c', [M], c), floatTensor('V', [P, M], V), floatTensor('ones', [M], ones)],
    metadata: metadataProps(meta),
    producerVersion: meta.version,
  });
}

export interface SharedModelResult {
  onnx: Uint8Array;
  metadata: ModelMetadata;
  committee: Committee;
}

/**
 * Selects and fits the committee on every system of the dataset (the same inner cross-validation
 * the nested study runs per held-out system) and packs it with the calibration from that study.
 */
export function buildSharedModel(dataset: Dataset | DiskDataset, calibration: Calibration & { source: string }, options: { innerFolds?: InnerFolds; alphas?: number[] } = {}): SharedModelResult {
  // The fit needs each system's moments only: from a set on disk they are accumulated a chunk of
  // frames at a time (shared-stream.ts), the same bits as from the arrays in memory.
  const layout = datasetLayout(dataset.manifest);
  const subsets = featureSubsets(layout);
  const candidates: Candidate[] = candidatesOf(subsets, options.alphas ?? DEFAULT_ALPHAS);
  const training = isDiskDataset(dataset) ? streamedTrainingSystems(dataset, subsets).systems : trainingSystemsOf(toSharedDataset(dataset).systems, subsets);
  const committee = selectCommittee(training, candidates, options.innerFolds ?? 'loo');
  const chosen = committee.candidate;
  const dom = domainReference(domainPoints(training, DOMAIN_SUBSET), fitReadout(training.map((t) => t.moments[DOMAIN_SUBSET]), 1));
  const m = dataset.manifest;
  const charges: Record<string, number> = labelRecord();
  for (const s of dataset.systems) for (const [label, z] of Object.entries(s.info.charges ?? {})) charges[label] ??= z;
  const metadata: ModelMetadata = {
    schema: MODEL_SCHEMA,
    version: packageVersion(),
    species: m.species,
    speciesLabels: 'charge',
    charges,
    descriptorSet: wildcardSet(dataset),
    featureColumns: { shared: layout.names.map((name, index) => ({ index, name })) },
    standardisation: { features: {}, target: { shift: 0, scale: 1 } },
    target: {
      quantity: 'μ_i = λ_i n_f / N (per-ion, stoichiometry-free; λ̂_i = μ̂_i N / n_f)',
      tau: m.tau,
      tauFrames: m.tauFrames,
      units: m.units,
      objective: 'per-ion',
      ...(m.tauShort ? { tauShort: m.tauShort } : {}),
    },
    architecture: { hidden: [], activation: 'linear' },
    training: {
      datasets: dataset.folders,
      systems: dataset.systems.map((s) => ({ name: s.name, parameters: s.info.parameters ?? null, lambdaEh: s.info.lambdaEh ?? null })),
      holdout: [],
      lengthScale: m.lengthScale ?? 1,
      selection: { candidates: candidates.length, innerFolds: committee.folds, scores: committee.scores.slice(0, 5) },
    },
    shared: { kind: 'shared-committee', features: layout.names, members: committee.members.length, readout: chosen.kind === 'log' ? 'log-linear scale × linear local share' : 'linear', selected: { ...chosen, columns: committee.members[0].columns }, domainColumns: subsets[DOMAIN_SUBSET] as number[], output: 'mu' },
    uncertainty: {
      calibration,
      domain: { ...dom, threshold: DOMAIN_THRESHOLD, spreadThreshold: SPREAD_THRESHOLD },
    },
  };
  return { onnx: exportSharedOnnx(layout, committee, metadata), metadata, committee };
}
