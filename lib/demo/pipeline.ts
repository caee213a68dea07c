// `ionfield demo`: the main job on the shipped demo data, one function per stage:
//   transport → descriptors → model (λ̂) → importance → analyses → report.
// The model stage runs the shipped default model (data/models/default.onnx) through ONNX Runtime
// and sets ctx.field to λ̂. Without a model file (or with `predict: null`) the demo analyses the
// target field λ_i(t0) (exact decomposition) instead and says so in its output and in the
// report's provenance.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeField, AnalysisResult, loadField, writeAnalysis } from '../analysis';
import { writeAtomic, writeNpy } from '../analysis/npy';
import { packageRoot } from '../native';
import { buildReport, loadResults } from '../report/build';
import { computeTransport, TransportReport } from '../transport';
import { writeDescriptors } from '../descriptors';
import { computeTargets } from './targets';
import { defaultModelPath, readModel, predictTrajectory } from '../model/predict';
import { modelImportance } from '../model/importance';
import { buildDataset } from '../dataset';

export interface DemoContext {
  trajectory: string;
  out: string;
  temperature: number;
  units: string;
  title: string;
  /** The model for the λ̂ stage (default: the shipped data/models/default.onnx). */
  model?: string;
  /** MD timestep, for trajectories that store step numbers but no time. */
  timestep?: number;
  transport?: TransportReport;
  /** Descriptor matrix file, when the descriptor stage ran. */
  descriptors?: string;
  /** The field to analyse (.npy [frames, ions]) and how its frames map onto the trajectory. */
  field?: { file: string; start: number; stride: number; stop: number; source: string; model?: unknown };
  /** The predict stage's ionfield.predict/2 file, when it ran: the report compares its Λ_ML with Λ_EH. */
  predictFile?: string;
  analysis?: AnalysisResult;
  /** Permutation importance of the model's features (ionfield.importance/2 file), or why not. */
  importance?: { file: string } | { skipped: string };
  report?: string;
  /** What each stage did (or why it was skipped), in order. */
  log: { stage: string; status: 'done' | 'skipped'; detail: string; seconds: number }[];
  progress: (stage: string, done: number, total: number | null) => void;
}

export interface DemoStages {
  transport(ctx: DemoContext): Promise<void>;
  /** Seam: symmetry-function descriptors of the demo frames (descriptors branch). */
  descriptors: ((ctx: DemoContext) => Promise<void>) | null;
  /** Seam: λ̂ from the default model on those descriptors; sets ctx.field (model branch). */
  predict: ((ctx: DemoContext) => Promise<void>) | null;
  /** Which descriptor features the model relies on (needs the model stage); sets ctx.importance. */
  importance: ((ctx: DemoContext) => Promise<void>) | null;
  /** Fallback when there is no model: target λ_i(t0); sets ctx.field. */
  targets(ctx: DemoContext): Promise<void>;
  analyses(ctx: DemoContext): Promise<void>;
  report(ctx: DemoContext): Promise<void>;
}

export const DEMO_TRAJECTORY = () => path.join(packageRoot(), 'data', 'demo', 'electrolyte.lammpstrj.gz');

async function transportStage(ctx: DemoContext): Promise<void> {
  ctx.transport = await computeTransport(ctx.trajectory, { temperature: ctx.temperature, units: ctx.units, timestep: ctx.timestep, onProgress: ({ done: n }) => ctx.progress('transport', n, null) });
  writeAtomic(path.join(ctx.out, 'transport.json'), JSON.stringify(ctx.transport, null, 1) + '\n');
}

/** τ for the λ field: the start of the diffusive fit window (the shortest diffusive lag: least
 * noise), and the frames used as origins (every τ/2): shared by descriptors, model and targets. */
export function demoFrames(t: TransportReport): { tauFrames: number; stride: number } {
  const tauFrames = Math.max(1, Math.round(t.fitWindow.start / t.frameInterval.value));
  return { tauFrames, stride: Math.max(1, Math.round(tauFrames / 2)) };
}

async function descriptorStage(ctx: DemoContext): Promise<void> {
  const { stride } = demoFrames(ctx.transport!);
  const out = path.join(ctx.out, 'descriptors.npy');
  const summary = await writeDescriptors(ctx.trajectory, out, {
    set: 'compact',
    stride,
    onProgress: ({ done: n }) => ctx.progress('descriptors', n, Math.ceil(ctx.transport!.frames / stride)),
  });
  ctx.descriptors = `${out}: ${summary.shape.join(' × ')} (set ${summary.set}, every ${stride}th frame, ${summary.device})`;
}

async function targetStage(ctx: DemoContext): Promise<void> {
  const t = ctx.transport!;
  if (!t.formulaUnits.value) throw new Error('demo: the transport stage found no formula units');
  const { tauFrames, stride } = demoFrames(t);
  const f = await computeTargets(ctx.trajectory, {
    temperature: ctx.temperature,
    tauFrames,
    originStride: stride,
    formulaUnits: t.formulaUnits.value,
    frameInterval: t.frameInterval.value,
    onProgress: (n) => ctx.progress('λ targets', n, t.frames),
  });
  const file = path.join(ctx.out, 'lambda_targets.npy');
  writeNpy(file, { shape: [f.origins, f.ions], data: f.values });
  ctx.field = { file, start: 0, stride, stop: f.origins * stride, source: `target λ_i(t0), exact decomposition, τ = ${f.tau} ${t.fitWindow.units} (${tauFrames} frames), origins every ${stride} frames (no model yet)` };
}

export const DEFAULT_MODEL = defaultModelPath;

/** λ̂ of every ion at the demo's origin frames from the default model (ONNX Runtime). */
async function predictStage(ctx: DemoContext): Promise<void> {
  const model = ctx.model ?? DEFAULT_MODEL();
  if (!fs.existsSync(model)) {
    if (ctx.model) throw new Error(`${model}: no such model file`);
    return; // the targets stage runs instead
  }
  const { stride } = demoFrames(ctx.transport!);
  const file = path.join(ctx.out, 'lambda_model.npy');
  const r = await predictTrajectory(ctx.trajectory, {
    model,
    units: ctx.units,
    stride,
    out: file,
    onProgress: ({ done: n }) => ctx.progress('model', n, Math.ceil(ctx.transport!.frames / stride)),
  });
  ctx.predictFile = path.join(ctx.out, 'predict.json');
  writeAtomic(ctx.predictFile, JSON.stringify(r, null, 1) + '\n');
  ctx.field = {
    file,
    start: 0,
    stride,
    stop: r.frames * stride,
    source: `λ̂ from ${ctx.model ? 'the model' : 'the default model'} (${path.basename(model)}), Λ_ML = ${r.lambdaMl.value.toPrecision(4)} ± ${r.lambdaMl.error.toPrecision(2)} over ${r.frames} frames`,
    model: { file: model, provider: r.provider, lambdaMl: r.lambdaMl },
  };
}

/**
 * Permutation importance of the default model on the demo trajectory: a small dataset (the model's
 * descriptor set and species labels, targets at the model's τ) is built next to the outputs and
 * every feature is shuffled in turn (lib/model/importance.ts).
 */
async function importanceStage(ctx: DemoContext): Promise<void> {
  const modelFile = (ctx.field?.model as { file?: string } | undefined)?.file;
  if (!modelFile) {
    ctx.importance = { skipped: 'no model ran (target λ analysed instead)' };
    return;
  }
  const model = readModel(modelFile);
  const interval = ctx.transport!.frameInterval.value;
  const tauFrames = model.metadata.target.tau / interval;
  if (Math.abs(tauFrames - Math.round(tauFrames)) > 1e-6 || Math.round(tauFrames) < 1) {
    ctx.importance = { skipped: `the model's τ = ${model.metadata.target.tau} is not a whole number of frames (${interval} apart)` };
    return;
  }
  const { stride } = demoFrames(ctx.transport!);
  const folder = path.join(ctx.out, 'dataset');
  await buildDataset([ctx.trajectory], folder, {
    set: model.set, tau: model.metadata.target.tau, tauShort: model.metadata.target.tauShort, originStride: stride, temperature: ctx.temperature, timestep: ctx.timestep,
    labelBy: model.metadata.speciesLabels ?? 'type', transport: false, names: ['demo'],
    onProgress: ({ done: n, unit }) => unit === 'frames' && ctx.progress('importance: dataset', n, ctx.transport!.frames),
  });
  ctx.progress('importance: shuffling', 0, null);
  const report = await modelImportance(modelFile, [folder], { repeats: 3, maxRows: 5000 });
  const file = path.join(ctx.out, 'importance.json');
  writeAtomic(file, JSON.stringify(report, null, 1) + '\n');
  ctx.importance = { file };
}

async function analysisStage(ctx: DemoContext): Promise<void> {
  const fd = ctx.field!;
  const field = await loadField(ctx.trajectory, fd.file, { start: fd.start, stop: fd.stop, stride: fd.stride });
  field.provenance = { ...field.provenance, source: fd.source, ...(fd.model ? { model: fd.model } : {}) };
  ctx.analysis = await analyzeField(field, {
    fieldUnits: ctx.transport?.molarConductivity?.units ?? 'units of Λ',
    lengthUnits: ctx.transport?.units.length,
    onProgress: ({ done: n }) => ctx.progress('analyses', n, field.frames),
  });
  writeAnalysis(ctx.analysis, path.join(ctx.out, 'analysis'));
}

async function reportStage(ctx: DemoContext): Promise<void> {
  const files = [path.join(ctx.out, 'transport.json')];
  if (ctx.predictFile) files.push(ctx.predictFile);
  files.push(path.join(ctx.out, 'analysis', 'analysis.json'));
  if (ctx.importance && 'file' in ctx.importance) files.push(ctx.importance.file);
  const html = await buildReport(loadResults(files), { title: ctx.title });
  ctx.report = path.join(ctx.out, 'report.html');
  writeAtomic(ctx.report, html);
}

export const defaultStages: DemoStages = {
  transport: transportStage,
  descriptors: descriptorStage,
  predict: predictStage,
  importance: importanceStage,
  targets: targetStage,
  analyses: analysisStage,
  report: reportStage,
};

export async function runDemo(
  options: { out: string; trajectory?: string; temperature?: number; units?: string; title?: string; timestep?: number; model?: string; progress?: DemoContext['progress']; onStage?: (entry: DemoContext['log'][number]) => void },
  stages: DemoStages = defaultStages,
): Promise<DemoContext> {
  fs.mkdirSync(options.out, { recursive: true });
  const ctx: DemoContext = {
    trajectory: options.trajectory ?? DEMO_TRAJECTORY(),
    out: options.out,
    temperature: options.temperature ?? 1,
    units: options.units ?? 'lj',
    title: options.title ?? 'ionfield demo: 1:1 electrolyte (LAMMPS, lj units)',
    timestep: options.timestep,
    model: options.model,
    log: [],
    progress: options.progress ?? (() => undefined),
  };
  const step = async (stage: string, fn: ((c: DemoContext) => Promise<void>) | null, skipped: string, detail: () => string) => {
    const t0 = Date.now();
    if (fn) await fn(ctx);
    const entry = { stage, status: fn ? ('done' as const) : ('skipped' as const), detail: fn ? detail() : skipped, seconds: (Date.now() - t0) / 1000 };
    ctx.log.push(entry);
    options.onStage?.(entry);
  };
  await step('transport', stages.transport, '', () => `Λ = ${ctx.transport?.molarConductivity?.value?.toPrecision(4)} ± ${ctx.transport?.molarConductivity?.error?.toPrecision(2)}`);
  await step('descriptors', stages.descriptors, 'skipped: no descriptor stage', () => `${ctx.descriptors}`);
  await step('model', stages.predict, 'skipped (--targets): analysing target λ instead', () => ctx.field?.source ?? `no model file at ${DEFAULT_MODEL()}; analysing target λ instead`);
  if (!ctx.field) await step('targets', stages.targets, '', () => ctx.field!.source);
  const ranModel = Boolean((ctx.field?.model as { file?: string } | undefined)?.file);
  await step('importance', ranModel ? stages.importance : null, ranModel ? 'skipped: no importance stage' : 'skipped: no model file ran', () => {
    const imp = ctx.importance;
    if (!imp) return 'not run';
    if ('skipped' in imp) return `skipped: ${imp.skipped}`;
    const top = (JSON.parse(fs.readFileSync(imp.file, 'utf8')) as { species: { species: string; features: { feature: string }[] }[] }).species.map((s) => `${s.species}: ${s.features[0]?.feature}`);
    return `most important feature per species: ${top.join('; ')}`;
  });
  await step('analyses', stages.analyses, '', () => `${ctx.analysis!.frames} frames × ${ctx.analysis!.ions} ions`);
  await step('report', stages.report, '', () => ctx.report!);
  return ctx;
}
