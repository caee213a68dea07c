// `ionfield predict` with a shared model (shared-model.ts): descriptors of every ion of every frame,
// resolved by the ions' charge labels (a species the model never saw is folded like any other);
// the fold to the shared inputs (shared-features.ts); the committee on ONNX Runtime; and the report
// with the total error (snapshot sampling ⊕ calibrated model error) and the domain flag.
// Per-ion λ̂ = μ̂ N / n_f (N: all atoms of the frame, as in the training targets), and its committee
// spread, stream to .npy; Λ_ML of a frame is Σ_ions μ̂ / n_f.
import * as fs from 'node:fs';
import { readTopology, topologyPathFor } from '../dataset/topology';
import { bindSet, BoundSet } from '../descriptor-sets';
import { columnsDocument, computeBatch, RowMap, rowMap } from '../descriptors';
import { NpyWriter } from '../npy';
import { chargeLabel, FrameBatch } from '../trajectory';
import { addIonSums, FieldColumns, speciesTable } from './species-table';
import { formulaUnits } from '../transport/formula';
import { Calibration, domainScore, modelError } from './committee';
import type { DatasetColumn } from './dataset';
import { blockError, dropIgnored, IGNORED, LoadedModel, ModelMismatchError, openPipeline, PredictOptions, PredictReport, runDoubleBuffered } from './predict';
import { foldFrames, SharedLayout, sharedLayout, speciesFold, SpeciesFold } from './shared-features';
import { labelRecord } from '../label-record';
import { stageReporter } from '../progress';
import { molarConductivityUnits } from '../transport/units';

/**
 * Diameters per charge label from diameters per file species (`--sizes`, or a topology's `sizes`):
 * the model folds ions by charge, so two species of one charge must share a size. Without sizes,
 * every ion is taken as 1 (the family's cation diameter), and the report says so.
 */
export function sizesByLabel(labels: string[], types: string[] | null, given: Record<string, number> | undefined, source: string): { values: Record<string, number>; source: string } {
  if (!given || !Object.keys(given).length) return { values: {}, source: 'not given: every ion taken as diameter 1 (pass --sizes for size-asymmetric salts)' };
  if (!types) throw new ModelMismatchError(`${source}: --sizes names species, and the file has no species labels (pass --topology)`);
  const out: Record<string, number> = labelRecord();
  labels.forEach((label, i) => {
    if (label === IGNORED) return;
    const d = given[types[i]];
    if (d === undefined) throw new ModelMismatchError(`${source}: --sizes gives no diameter for species '${types[i]}' (it gives ${Object.keys(given).join(', ')})`);
    if (!(d > 0) || !Number.isFinite(d)) throw new ModelMismatchError(`${source}: --sizes: diameter ${d} of species '${types[i]}' is not a positive number`);
    if (out[label] !== undefined && out[label] !== d) throw new ModelMismatchError(`${source}: species of charge ${label} have diameters ${out[label]} and ${d}; the shared model folds ions by charge and needs one diameter per charge`);
    out[label] = d;
  });
  return { values: out, source: 'given (--sizes or the topology file)' };
}

/** Diameters from the <name>.topology.json beside the trajectory, when it records them. */
function topologySizes(trajectory: string): Record<string, number> | undefined {
  const file = topologyPathFor(trajectory);
  return fs.existsSync(file) ? readTopology(file).sizes : undefined;
}

export interface SharedPredictReport extends PredictReport {
  lambdaMl: PredictReport['lambdaMl'] & {
    /** Total error: √(sampling² + model²). */
    parts: { sampling: number; model: number };
    dominant: 'sampling' | 'model' | null;  // null: no error bar (Λ_ML not a positive number)
    committeeSpread: number;
    members: number[];
    /** The model error's calibration (σ_model = k·spread ⊕ f·Λ_ML) as the model carries it, or null. */
    calibration: (Calibration & { source?: string }) | null;
    /** How the frames' Λ are averaged: 'geometric' for a log readout (readout.ts), else 'arithmetic'. */
    meanOverFrames: 'geometric' | 'arithmetic';
    /** The factor the per-ion field (.npy, species means) was multiplied by so that it sums to Λ_ML (1: linear readout). */
    fieldScale: number;
  };
  domain: { score: number; parts: { distance: number; range: number; input: string | null }; threshold: number; nearest: string; species: string; relativeSpread: number; spreadThreshold: number; inDomain: boolean; reasons: string[] };
  inDomain: boolean;
  formulaUnits: { value: number; convention: string };
  /** Ion diameters by charge label, and where they came from. */
  sizes: { values: Record<string, number>; source: string };
}

export function spreadPath(out: string): string {
  return out.replace(/\.npy$/i, '.spread.npy');
}

/**
 * Everything the report of a shared-model prediction is computed from: per-frame Λ (the sampling
 * error needs the series), sums over frames, and what the first batch bound. A shard of the frames
 * (`predict --shard`) saves it; shards merge by concatenating the series and adding the sums.
 */
export interface SharedPredictState extends Pick<PredictReport, 'ignored' | 'provider' | 'device' | 'seconds' | 'stages'> {
  trajectory: string;
  units: string;
  frames: number;
  ions: number;
  frameLambda: number[];
  memberSums: number[];
  memberLogSums: number[];
  /** Per field column: Σ λ̂ over frames before the field scale. Per centre charge class: Σ of its own features. */
  ionSums: number[];
  speciesOwnSum: number[][];
  /** Per field column: the ion's file label and charge (the species vocabulary of the report). */
  columns: FieldColumns;
  centreSpecies: string[];
  centreCounts: number[];
  fieldAtoms: number[];
  nf: number;
  nfConvention: string;
  sizes: { values: Record<string, number>; source: string };
  providerNote: string;
}

export async function predictShared(trajectory: string, model: LoadedModel, options: PredictOptions): Promise<SharedPredictReport> {
  const { state, writers } = await accumulateShared(trajectory, model, options);
  finishSharedField(model, state, writers);
  return sharedReport(model, state, options.out);
}

/** The field's value and spread writers, still open (unscaled) after accumulateShared. */
export interface SharedFieldWriters {
  writer: NpyWriter | null;
  spreadWriter: NpyWriter | null;
}

/** Scales the field to sum to Λ_ML (log readout) and installs value and spread files together. */
export function finishSharedField(model: LoadedModel, state: SharedPredictState, { writer, spreadWriter }: SharedFieldWriters): void {
  try {
    // A log readout's Λ_ML is the geometric mean over frames (sharedReport): the field is scaled to sum to it.
    if (String(model.metadata.shared!.readout).startsWith('log')) {
      const factor = geometricOverArithmetic(state.frameLambda);
      writer?.rescale(factor);
      spreadWriter?.rescale(factor);
    }
    // The per-ion spreads and the values are one output: installed together, values last.
    if (writer) writer.closeWith(spreadWriter ? [spreadWriter.handOver()] : []);
  } catch (err) {
    writer?.abort();
    spreadWriter?.abort();
    throw err;
  }
}

/** Reads the trajectory through the model: the state for the report, and the open field writers. */
export async function accumulateShared(trajectory: string, model: LoadedModel, options: PredictOptions): Promise<{ state: SharedPredictState; writers: SharedFieldWriters }> {
  const meta = model.metadata;
  const shared = meta.shared!;
  const wantUnits = options.units ?? 'lj';
  if (meta.target.units !== wantUnits) throw new ModelMismatchError(`${model.path} does not fit ${trajectory}: units: the model's targets are in '${meta.target.units}', the trajectory is read as '${wantUnits}' (--units)`);
  const { units, device, clock, stages, ignored, traj, predictor, descriptorStage } = await openPipeline(trajectory, model, options);
  const lacking = [...['features'].filter((n) => !predictor.inputNames.includes(n)), ...['mu', 'mu_members'].filter((n) => !predictor.outputNames.includes(n))];
  if (lacking.length) {
    await predictor.close();
    throw new ModelMismatchError(`${model.path}: the graph lacks ${lacking.join(', ')} (a shared model has input 'features' and outputs 'mu', 'mu_members'; docs/model.md)`);
  }
  const M = shared.members;
  const P = shared.features.length;
  // Set by the first-batch callback: typed with `as` so that TypeScript does not narrow them to null.
  let bound = null as BoundSet | null, map = null as RowMap | null;
  let layout: SharedLayout | null = null;
  let sizes: { values: Record<string, number>; source: string } = { values: {}, source: '' };
  let folds: SpeciesFold[] = [];
  let centreRows: number[][] = []; // per fold: descriptor rows of that centre species
  let centreSpecies: string[] = [];
  let ions = 0, atoms = 0, nf = NaN, nfConvention = '';
  let writer = null as NpyWriter | null, spreadWriter = null as NpyWriter | null;
  const frameLambda: number[] = [];
  const memberSums = new Float64Array(M);
  // Log readout (readout.ts): Λ_ML is the geometric mean of the frames' Λ — the readout at the
  // trajectory's mean structure, as fitted and evaluated — not their arithmetic mean, which would
  // add exp(var/2) of the frame-to-frame scatter of the structure (larger for smaller systems).
  const logReadout = String(shared.readout).startsWith('log');
  const memberLogSums = new Float64Array(M), memberFrame = new Float64Array(M);
  let speciesOwnSum: Float64Array[] = []; // per centre species: Σ over its rows of the own features
  let ionSums = new Float64Array(0);
  let columns: FieldColumns = { types: [], charges: [] };
  // The model evaluates ions grouped by centre species (fold order); the field is written in the
  // file's atom order, as documented and as analyze reads it: output column j is fold row order[j].
  let order = new Int32Array(0), fieldAtoms: number[] = [];
  let frames = 0;
  const report = stageReporter(options.onProgress, 'predict', 'frames');
  try {
    const it = traj.batches();
    const evaluate = async (batch: FrameBatch) => {
      const desc = (await descriptorStage(() => computeBatch(bound!, batch, map!, { threads: options.threads, device, precision: 'float32' }))) as Float32Array;
      const R = map!.rows.length, Fmax = bound!.maxFeatures;
      const parts = folds.map((_, k) => {
        const rows = centreRows[k], F = bound!.columns[centreSpecies[k]].length;
        const features = new Float32Array(batch.frames * rows.length * F);
        for (let t = 0; t < batch.frames; t++) rows.forEach((r, i) => features.set(desc.subarray((t * R + r) * Fmax, (t * R + r) * Fmax + F), (t * rows.length + i) * F));
        return { ions: rows.length, features };
      });
      const x = foldFrames(layout!, folds, parts, batch.frames);
      // The frame means of the own features are the context columns of any row of the frame; copied
      // now, since the features' buffer is handed over to the ONNX worker.
      const own = layout!.own;
      for (let t = 0; t < batch.frames; t++) {
        let r = t * ions;
        parts.forEach((part, k) => {
          const acc = speciesOwnSum[k];
          for (let i = 0; i < part.ions; i++, r++) for (let c = 0; c < own; c++) acc[c] += x[r * P + c];
        });
      }
      const t0 = clock();
      const { outputs } = await predictor.run({ features: { data: x, dims: [batch.frames * ions, P] } });
      stages.inference += clock() - t0;
      return { batch, mu: outputs.mu, members: outputs.mu_members };
    };
    const consume = ({ batch, mu, members }: { batch: FrameBatch; mu: Float32Array; members: Float32Array }) => {
      const t0 = clock();
      if (mu.length !== batch.frames * ions || members.length !== batch.frames * ions * M) throw new Error(`${model.path}: outputs have ${mu.length} and ${members.length} values, expected ${batch.frames * ions} and ${batch.frames * ions * M}`);
      const toLambda = atoms / nf;
      const lambda = new Float32Array(batch.frames * ions), spread = new Float32Array(batch.frames * ions);
      for (let t = 0; t < batch.frames; t++) {
        let sum = 0;
        memberFrame.fill(0);
        for (let j = 0; j < ions; j++) {
          const r = t * ions + order[j], i = t * ions + j; // r: the model's row, i: the field's column
          sum += mu[r];
          let m1 = 0, m2 = 0;
          for (let m = 0; m < M; m++) {
            const v = members[r * M + m];
            memberSums[m] += v;
            memberFrame[m] += v;
            m1 += v;
            m2 += v * v;
          }
          m1 /= M;
          lambda[i] = mu[r] * toLambda;
          spread[i] = Math.sqrt(Math.max(0, m2 / M - m1 * m1) * (M / Math.max(1, M - 1))) * toLambda;
        }
        frameLambda.push(sum / nf);
        if (logReadout) for (let m = 0; m < M; m++) memberLogSums[m] += Math.log(memberFrame[m] / nf);
      }
      addIonSums(ionSums, lambda, batch.frames);
      writer?.append(lambda, batch.frames);
      spreadWriter?.append(spread, batch.frames);
      frames += batch.frames;
      stages.write += clock() - t0;
      report(frames);
    };
    await runDoubleBuffered(it, clock, stages, (batch) => {
      if (!batch.charges) throw new ModelMismatchError(`${model.path} folds ions by charge, and ${trajectory} has no charges: pass --charges (e.g. 1:2,2:-1) or --topology`);
      let labels = Array.from(batch.charges, chargeLabel);
      labels = dropIgnored(labels, batch.types, options.ignoreSpecies ?? [], trajectory, ignored);
      const present = [...new Set(labels)].filter((l) => l !== IGNORED).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
      const charged = present.filter((l) => Number(l) !== 0);
      if (!charged.length) throw new ModelMismatchError(`${trajectory}: no charged atom to predict (charges: ${present.join(', ')})`);
      // The stored set carries its lengths as trained (already scaled): bind at scale 1.
      bound = bindSet(model.set, present, 1);
      map = rowMap(bound, labels);
      const doc = columnsDocument(bound, map, { array: '', frames: 0, steps: [], source: '', scale: 1 }) as { columns: Record<string, DatasetColumn[]> };
      layout = sharedLayout(present.map((s) => doc.columns[s] ?? []));
      const diff = layout!.names.findIndex((n, k) => n !== shared.features[k]);
      if (layout!.names.length !== shared.features.length || diff >= 0)
        throw new ModelMismatchError(`${model.path} does not fit ${trajectory}: shared input ${diff >= 0 ? `${diff} is '${layout!.names[diff]}' here, '${shared.features[diff]}' in the model` : `count ${layout!.names.length} here, ${shared.features.length} in the model`}`);
      const charges = Object.fromEntries(present.map((s) => [s, Number(s)]));
      sizes = sizesByLabel(labels, batch.types, options.sizes ?? topologySizes(trajectory), trajectory);
      centreSpecies = charged;
      folds = charged.map((s) => speciesFold(layout!, doc.columns[s], s, charges, sizes.values));
      centreRows = charged.map((s) => Array.from(map!.rows.keys()).filter((r) => map!.rowSpecies[r] === s));
      ions = centreRows.reduce((a, r) => a + r.length, 0);
      // N of λ = K N z_i Δr_i·J/τ counts every atom the model sees (docs/dataset.md), not the ignored ones.
      atoms = labels.filter((l) => l !== IGNORED).length;
      const named = batch.types ?? labels; // the file's labels where it has them
      const foldAtoms = centreRows.flatMap((rows) => rows.map((r) => map!.rows[r]));
      order = Int32Array.from(foldAtoms.map((_, k) => k).sort((a, b) => foldAtoms[a] - foldAtoms[b]));
      fieldAtoms = Array.from(order, (k) => foldAtoms[k]);
      columns = { types: fieldAtoms.map((a) => named[a]), charges: fieldAtoms.map((a) => batch.charges![a]) };
      ionSums = new Float64Array(fieldAtoms.length);
      speciesOwnSum = charged.map(() => new Float64Array(layout!.own));
      const counts = charged.map((s) => labels.filter((l) => l === s).length);
      const fu = formulaUnits(charged, counts, charged.map(Number), options.formulaUnits);
      if (fu.value === null) throw new ModelMismatchError(`${trajectory}: ${fu.convention}; pass --formula-units`);
      nf = fu.value;
      nfConvention = fu.convention;
      if (options.out) {
        writer = new NpyWriter(options.out, 'float32', [ions]);
        spreadWriter = new NpyWriter(spreadPath(options.out), 'float32', [ions]);
      }
    }, evaluate, consume);
    options.signal?.throwIfAborted();
    if (!bound || frames === 0) throw new ModelMismatchError(`${trajectory}: no frames selected`);
  } catch (err) {
    writer?.abort();
    spreadWriter?.abort();
    throw err;
  } finally {
    await predictor.close();
  }
  const state: SharedPredictState = {
    trajectory,
    units,
    frames,
    ions,
    frameLambda,
    memberSums: Array.from(memberSums),
    memberLogSums: Array.from(memberLogSums),
    ionSums: Array.from(ionSums),
    columns,
    speciesOwnSum: speciesOwnSum.map((a) => Array.from(a)),
    centreSpecies,
    centreCounts: centreRows.map((r) => r.length),
    fieldAtoms,
    nf,
    nfConvention,
    sizes,
    ignored,
    provider: predictor.provider,
    providerNote: predictor.providerNote,
    device,
    seconds: clock(),
    stages,
  };
  return { state, writers: { writer, spreadWriter } };
}

/** The report from a state (one run's, or merged shards'). out: where the field was written. */
export function sharedReport(model: LoadedModel, st: SharedPredictState, out: string | undefined): SharedPredictReport {
  const meta = model.metadata;
  const shared = meta.shared!;
  const unc = meta.uncertainty;
  const M = shared.members;
  const logReadout = String(shared.readout).startsWith('log');
  const { frames, frameLambda, nf, centreSpecies, units } = st;
  const arithmetic = frameLambda.reduce((a, b) => a + b, 0) / frames;
  let value = arithmetic, sampling = blockError(frameLambda), memberLambdas = st.memberSums.map((s) => s / (frames * nf));
  if (logReadout) {
    const logs = frameLambda.map((v) => Math.log(v));
    value = Math.exp(logs.reduce((a, b) => a + b, 0) / frames);
    const b = blockError(logs);
    sampling = { ...b, error: b.error * value }; // δΛ = Λ δlnΛ
    memberLambdas = st.memberLogSums.map((s) => Math.exp(s / frames));
  }
  // Factor by which the per-ion field (the .npy, the species means) was scaled to sum to Λ_ML: 1 for a linear readout.
  const fieldScale = value / arithmetic;
  const mMean = memberLambdas.reduce((a, b) => a + b, 0) / M;
  const spread = Math.sqrt(memberLambdas.reduce((a, b) => a + (b - mMean) ** 2, 0) / Math.max(1, M - 1));
  const cal = unc?.calibration ?? { k: 1, f: 0 };
  // A Λ_ML that is not a positive number (exp of −∞: inputs so far out that every frame reads 0)
  // has no error bar; NaN is written as null, never as a 0 that would claim certainty.
  const usable = value > 0 && Number.isFinite(value);
  const modelErr = usable ? modelError(cal, value, spread) : NaN;
  const samplingErr = !usable ? NaN : Number.isFinite(sampling.error) ? sampling.error : 0;
  const total = Math.hypot(samplingErr, modelErr);
  // Domain: each centre species' mean of its own inputs, against the training points.
  const cols = shared.domainColumns;
  const means = centreSpecies.map((label, k) => ({ label, x: cols.map((c) => st.speciesOwnSum[k][c] / (frames * st.centreCounts[k])) }));
  const scored = unc ? domainScore(unc.domain, means) : { score: NaN, nearest: '', species: '', distance: NaN, range: NaN, feature: -1 };
  // The model scores charge classes; the report names them by the file's species of that charge.
  const dom = { ...scored, species: speciesOfChargeLabel(st.columns, scored.species) };
  const relSpread = spread / Math.abs(value);
  const threshold = unc?.domain.threshold ?? Infinity, spreadThreshold = unc?.domain.spreadThreshold ?? Infinity;
  const reasons: string[] = [];
  if (!(dom.score <= threshold)) {
    const input = dom.feature >= 0 ? shared.features[cols[dom.feature]] : '';
    reasons.push(dom.distance >= dom.score
      ? `the ${dom.species} ions' inputs lie ${dom.distance.toFixed(2)} × the training ions' spacing from the nearest training ions (${dom.nearest}; threshold ${threshold})`
      : `the ${dom.species} ions' input ${input} lies beyond the training range by ${dom.range.toFixed(2)} × that range (score ${dom.score.toFixed(2)}, threshold ${threshold})`);
  }
  if (!(relSpread <= spreadThreshold)) reasons.push(`committee disagreement ${(100 * relSpread).toFixed(0)} % of Λ_ML (threshold ${(100 * spreadThreshold).toFixed(0)} %)`);
  if (!(value > 0)) reasons.push('Λ_ML is not positive');
  const { ions, seconds } = st;
  return {
    schema: 'ionfield.predict/2',
    trajectory: st.trajectory,
    model: model.path,
    units,
    frames,
    ions,
    species: speciesTable(st.columns, st.ionSums, frames, fieldScale),
    lambdaMl: {
      value, error: total, blockFrames: sampling.blockFrames, blocks: sampling.blocks, units: molarConductivityUnits(units), tau: meta.target.tau,
      parts: { sampling: samplingErr, model: modelErr }, dominant: !usable ? null : modelErr >= samplingErr ? 'model' : 'sampling', committeeSpread: spread, members: memberLambdas, calibration: unc?.calibration ?? null,
      meanOverFrames: logReadout ? 'geometric' : 'arithmetic', fieldScale: fieldScale,
    },
    domain: { score: dom.score, parts: { distance: dom.distance, range: dom.range, input: dom.feature >= 0 ? shared.features[cols[dom.feature]] : null }, threshold, nearest: dom.nearest, species: dom.species, relativeSpread: relSpread, spreadThreshold: spreadThreshold, inDomain: reasons.length === 0, reasons },
    inDomain: reasons.length === 0,
    formulaUnits: { value: nf, convention: st.nfConvention },
    sizes: { values: sizesBySpecies(st.columns, st.sizes.values), source: st.sizes.source },
    field: out ? { path: out, shape: [frames, ions], dtype: 'float32', atoms: st.fieldAtoms, species: st.columns.types, spreadPath: spreadPath(out) } as PredictReport['field'] : null,
    ignored: st.ignored,
    provider: st.provider,
    providerNote: st.providerNote,
    device: st.device,
    seconds,
    stages: st.stages,
    stagesClock: 'wall',
    ionsFramesPerSecond: (ions * frames) / seconds,
  };
}

/** exp(mean ln Λ_t) / mean Λ_t of the frames' Λ. */
function geometricOverArithmetic(frameLambda: number[]): number {
  const n = frameLambda.length;
  if (n === 0) return 1;
  const geometric = Math.exp(frameLambda.reduce((a, v) => a + Math.log(v), 0) / n);
  return geometric / (frameLambda.reduce((a, v) => a + v, 0) / n);
}

/** The file species whose ions carry charge label `label` ("+1"), joined with '/' when several do. */
function speciesOfChargeLabel(columns: FieldColumns, label: string): string {
  const names = [...new Set(columns.types.filter((_, i) => columns.charges[i] !== null && chargeLabel(columns.charges[i]!) === label))];
  return names.length ? names.join('/') : label;
}

/** Diameters (held per charge label by the model) per file species. */
function sizesBySpecies(columns: FieldColumns, byCharge: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  columns.types.forEach((t, i) => {
    const d = columns.charges[i] === null ? undefined : byCharge[chargeLabel(columns.charges[i]!)];
    if (d !== undefined) Object.defineProperty(out, t, { value: d, enumerable: true, writable: true, configurable: true });
  });
  return out;
}
