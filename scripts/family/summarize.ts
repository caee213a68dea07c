// Summarises the generated family: for every finished system in the raw folder (done.json present)
// it runs ionfield transport (library API) and writes data/family/manifest.json (every parameter,
// LAMMPS version, timings, Λ_EH, D±, Λ_NE, ionicity with jackknife block errors and fit windows),
// the plots docs/family/lambda-vs-concentration.svg (one line per Bjerrum length) and the table
// docs/family/table.md. Usage:
//   node --import tsx scripts/family/summarize.ts [--raw DIR] [--out data/family/manifest.json]
// The correlator sums of each system are cached beside the manifest (.transport-cache/, ignored by
// git), so a rerun after more systems finish only reads the new trajectories.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { upgradeLegacyDocument } from '../../lib/legacy-document';
import { accumulateTransport, loadPartial, mergePartials, savePartial, transportReport } from '../../lib/transport';
import type { Quantity, TransportPartial, TransportReport } from '../../lib/transport';
import { SEGMENT } from './extend';
import { linePlot, Series } from './svg-plot';

const repo = path.resolve(__dirname, '..', '..');

/**
 * The fit window used for the manifest. The runs are 4000 τ long with a frame every τ; ion pairs
 * relax within ~1 τ, and the charge MSD is linear from ~2 τ (checked per system through the local
 * log-log slope, reported as `diffusive`). A 2–10 τ window with blocks of 20 τ gives ~200 jackknife
 * blocks and errors of a few per cent, where the automatic stop at 2.5 % of the run (100 τ) gives
 * ~12 %. Both are recorded.
 */
export const FIT_WINDOW = { fitStart: 3, fitStop: 12 };

function q(x: Quantity | null | undefined): { value: number | null; error: number | null } | null {
  return x ? { value: x.value, error: x.error } : null;
}

function summary(rep: TransportReport) {
  return {
    fitWindow: { start: rep.fitWindow.start, stop: rep.fitWindow.stop, automatic: rep.fitWindow.automatic, diffusive: rep.fitWindow.diffusive, localSlope: rep.fitWindow.localSlope, note: rep.fitWindow.note },
    uncertainty: rep.uncertainty,
    lambdaEh: q(rep.molarConductivity),
    conductivity: q(rep.conductivity),
    diffusion: Object.fromEntries(Object.entries(rep.diffusion).map(([s, v]) => [s, q(v)])),
    lambdaNe: q(rep.nernstEinstein),
    ionicity: q(rep.ionicity),
    transference: Object.fromEntries(Object.entries(rep.transference).map(([s, v]) => [s, q(v)])),
    warnings: rep.warnings,
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows are plain JSON records
type Row = Record<string, any>;
type Estimate = { value: number | null; error: number | null };

/** A trajectory's correlator sums, cached in `cacheFile` (redone when the trajectory changes size). */
async function cachedPartial(traj: string, cacheFile: string, timestep: number, label: string): Promise<TransportPartial> {
  const bytes = fs.statSync(traj).size;
  const cached = fs.existsSync(cacheFile) ? loadPartial(cacheFile) : null;
  if (cached && (cached.meta as unknown as { sourceBytes?: number }).sourceBytes === bytes) return cached;
  const t0 = Date.now();
  process.stderr.write(`transport: ${label} ... `);
  const partial = await accumulateTransport(traj, { temperature: 1, units: 'lj', timestep });
  (partial.meta as unknown as { sourceBytes: number }).sourceBytes = bytes;
  savePartial(partial, cacheFile);
  process.stderr.write(`${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  return partial;
}

/** The fixed-window and automatic-window summaries of one set of sums. */
function estimates(partial: TransportPartial): { transport: Row; transportAutomaticWindow: Row } {
  return { transport: summary(transportReport(partial, { temperature: 1, ...FIT_WINDOW })), transportAutomaticWindow: summary(transportReport(partial, { temperature: 1 })) };
}

/**
 * Two independent segments' summaries as one, each estimate the duration-weighted mean (the time
 * average of a run is the duration-weighted mean of its pieces' averages) with errors added as
 * independent; the rest (fit window, method) from the first, block counts added, warnings joined.
 */
export function combineByDuration(a: Row, b: Row, wa: number, wb: number): Row {
  const isEstimate = (x: unknown): x is Estimate => !!x && typeof x === 'object' && 'value' in x && 'error' in x;
  const walk = (x: unknown, y: unknown, key: string): unknown => {
    if (isEstimate(x) && isEstimate(y)) {
      if (x.value === null || y.value === null) return { value: null, error: null };
      const error = x.error === null || y.error === null ? null : Math.hypot(wa * x.error, wb * y.error) / (wa + wb);
      return { value: (wa * x.value + wb * y.value) / (wa + wb), error };
    }
    if (key === 'warnings') return [...new Set([...((x as string[]) ?? []), ...((y as string[]) ?? [])])];
    if (key === 'blocks') return (x as number) + (y as number);
    if (key === 'fitWindow' || key === 'blockLength') return x;
    if (x && y && typeof x === 'object' && typeof y === 'object' && !Array.isArray(x))
      return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, walk(v, (y as Row)[k], k)]));
    return x;
  };
  return walk(a, b, '') as Row;
}

interface Context {
  raw: string;
  cache: string;
}

/** The row of a system whose first (generate.ts) segment is on this machine, and its sums. */
async function firstSegmentRow(name: string, ctx: Context): Promise<{ row: Row; partial: TransportPartial }> {
  // done.json files written before the camelCase change (no schema) carry snake_case keys.
  const done = upgradeLegacyDocument(JSON.parse(fs.readFileSync(path.join(ctx.raw, name, 'done.json'), 'utf8')), true);
  const traj = path.join(ctx.raw, name, done.trajectory);
  const p = done.parameters;
  const partial = await cachedPartial(traj, path.join(ctx.cache, `${name}.json`), p.timestep, name);
  const row: Row = {
    name,
    parameters: { ...p, temperature: 1, langevinDamping: 1, units: 'lj', totalIons: p.ncat + p.nan, formulaUnitDensity: p.ncat / p.boxLength ** 3 },
    lammpsVersion: done.lammpsVersion,
    timings: { wallSeconds: done.wallSeconds, productionStepsPerSecond: done.productionStepsPerSecond, hostCores: done.hostCores, finished: done.finished },
    trajectory: { file: path.relative(repo, traj).startsWith('..') ? traj : path.relative(repo, traj), frames: partial.sums.frames, timePerFrame: done.timePerFrame, bytes: fs.statSync(traj).size },
    ...estimates(partial),
  };
  return { row, partial };
}

/**
 * Adds the extend.ts segment: the row's transport becomes the whole run's. With the first segment's
 * sums at hand the two merge exactly (sums add, jackknife blocks concatenate); without them (raw run
 * not on this machine) the segments' estimates are averaged by duration. Both are recorded per
 * segment, and where both ways are possible the duration-weighted Λ_EH is kept as a check.
 */
async function addSecondSegment(row: Row, dir: string, first: TransportPartial | null, ctx: Context): Promise<void> {
  const done = JSON.parse(fs.readFileSync(path.join(dir, 'done.json'), 'utf8'));
  const partial = await cachedPartial(path.join(dir, done.trajectory), path.join(ctx.cache, `${row.name}.${SEGMENT}.json`), row.parameters.timestep, `${row.name} (${SEGMENT})`);
  const one: Row = row.segments?.[0] ?? { prodSteps: row.parameters.prodSteps, frames: row.trajectory.frames, transport: row.transport, transportAutomaticWindow: row.transportAutomaticWindow };
  const two: Row = { prodSteps: done.prodSteps, frames: partial.sums.frames, startedFrom: done.startedFrom, seed: done.seed, equilSteps: done.equilSteps, wallSeconds: done.wallSeconds, productionStepsPerSecond: done.productionStepsPerSecond, finished: done.finished, ...estimates(partial) };
  const weighted = {
    transport: combineByDuration(one.transport, two.transport, one.prodSteps, two.prodSteps),
    transportAutomaticWindow: combineByDuration(one.transportAutomaticWindow, two.transportAutomaticWindow, one.prodSteps, two.prodSteps),
  };
  Object.assign(row, first ? estimates(mergePartials([first, partial])) : weighted);
  row.segments = [one, two];
  row.productionSteps = one.prodSteps + two.prodSteps;
  row.segmentCombination = first
    ? { method: 'merged correlator sums of the two segments (exact)', durationWeightedLambdaEh: weighted.transport.lambdaEh }
    : { method: 'duration-weighted mean of the two segments (the first segment\'s raw run is not on this machine)' };
}

function atomic(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/** Production length in τ, segments joined with +. */
function runLength(s: Row): string {
  const tau = (steps: number) => (steps * s.parameters.timestep).toFixed(0);
  return s.segments ? s.segments.map((g: Row) => tau(g.prodSteps)).join(' + ') : tau(s.parameters.prodSteps);
}

function wallSeconds(s: Row): number {
  return s.timings.wallSeconds + (s.segments?.[1]?.wallSeconds ?? 0);
}

function fmt(v: { value: number | null; error: number | null } | null | undefined, digits = 3): string {
  if (!v || v.value === null) return 'n/a';
  return `${v.value.toPrecision(digits)} ± ${v.error === null ? '?' : v.error.toPrecision(2)}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { raw: { type: 'string' }, out: { type: 'string' }, docs: { type: 'string' } } });
  const raw = path.resolve(values.raw ?? process.env.IONFIELD_FAMILY_DIR ?? path.join(repo, 'data', 'family', 'raw'));
  const out = path.resolve(values.out ?? path.join(repo, 'data', 'family', 'manifest.json'));
  const docs = path.resolve(values.docs ?? path.join(repo, 'docs', 'family'));
  const cache = path.join(path.dirname(out), '.transport-cache');
  fs.mkdirSync(cache, { recursive: true });
  const ctx: Context = { raw, cache };
  const family = JSON.parse(fs.readFileSync(path.join(__dirname, 'family.json'), 'utf8'));
  const order: string[] = family.systems.map((s: { name: string }) => s.name);
  // Systems whose first segment's raw run is on this machine (rows follow family.json's order below).
  const onMachine = new Set(fs.readdirSync(raw).filter((n) => fs.existsSync(path.join(raw, n, 'done.json'))));
  const systems: Row[] = [];
  const packedFile = path.join(path.dirname(out), 'packed.json');
  const packed = fs.existsSync(packedFile) ? JSON.parse(fs.readFileSync(packedFile, 'utf8')) : {};
  const previous = fs.existsSync(out) ? (JSON.parse(fs.readFileSync(out, 'utf8')) as { systems: Row[] }).systems : [];
  for (const name of order) {
    const before = previous.find((s) => s.name === name);
    const hasFirst = onMachine.has(name);
    const second = path.join(raw, name, SEGMENT);
    const hasSecond = fs.existsSync(path.join(second, 'done.json'));
    if (!hasFirst && !before) continue;
    // Systems summarised earlier whose raw runs are not on this machine (the family grows over several
    // sessions; raw trajectories are hundreds of MB and are not kept): their first segment stays as it was.
    const first = hasFirst ? await firstSegmentRow(name, ctx) : null;
    const row: Row = first ? first.row : { ...(before as Row) };
    if (packed[name]) row.packed = { file: `${name}.xtc`, topology: `${name}.topology.json`, ...packed[name] };
    if (hasSecond) await addSecondSegment(row, second, first?.partial ?? null, ctx);
    systems.push(row);
  }
  const manifest = {
    schema: 'ionfield.family-manifest/1',
    description: family.description,
    model: 'charged WCA spheres in a dielectric continuum (l_B = 1/eps_r), PPPM, Langevin T* = 1 (damping 1 τ) + NVE, dt = 0.005 τ; scripts/family/electrolyte.in',
    generatedBy: 'scripts/family/generate.ts, a second segment where family.json sets extendSteps (scripts/family/extend.ts); summarised by scripts/family/summarize.ts (ionfield transport, fit window 3–12 τ, jackknife over blocks)',
    units: 'lj',
    fitWindow: FIT_WINDOW,
    systemsDefined: order.length,
    systemsFinished: systems.length,
    systems,
  };
  atomic(out, JSON.stringify(manifest, null, 1) + '\n');

  // Λ against total ion density, one line per Bjerrum length (symmetric 1:1 systems), and one for
  // the other families (size-asymmetric, 2:1) as separate series.
  const series = (filter: (n: string) => boolean, label: (lb: number) => string): Series[] => {
    const byLb = new Map<number, Series>();
    for (const s of systems.filter((x) => filter(x.name))) {
      const lb = s.parameters.lb as number;
      if (!byLb.has(lb)) byLb.set(lb, { label: label(lb), points: [] });
      const v = s.transport.lambdaEh;
      if (v && v.value !== null) byLb.get(lb)!.points.push({ x: s.parameters.rho, y: v.value, error: v.error ?? undefined });
    }
    return [...byLb.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v);
  };
  const all = [
    ...series((n) => n.startsWith('s11'), (lb) => `1:1, l_B = ${lb}`),
    ...series((n) => n.startsWith('a11-'), (lb) => `1:1 σ−=1.5σ+, l_B = ${lb}`),
    ...series((n) => n.startsWith('a11s2-'), (lb) => `1:1 σ−=2σ+, l_B = ${lb}`),
    ...series((n) => n.startsWith('s21'), (lb) => `2:1, l_B = ${lb}`),
  ];
  if (all.length)
    atomic(path.join(docs, 'lambda-vs-concentration.svg'), linePlot(all, { title: 'Molar conductivity Λ_EH of the family (fit 3–12 τ)', xLabel: 'total ion density ρσ³', yLabel: 'Λ (lj reduced, per formula unit)', logX: true }));
  const rows = systems.map((s) => {
    const t = s.transport, a = s.transportAutomaticWindow;
    const d = Object.values(t.diffusion) as { value: number | null; error: number | null }[];
    return `| ${s.name} | ${s.parameters.rho} | ${s.parameters.lb} | ${s.parameters.qcat}:${-s.parameters.qan} | ${s.parameters.sigcat}/${s.parameters.sigan} | ${s.parameters.ncat}+${s.parameters.nan} | ${fmt(t.lambdaEh)} | ${fmt(d[0])} | ${fmt(d[1])} | ${fmt(t.lambdaNe)} | ${fmt(t.ionicity)} | ${t.uncertainty.blocks} | ${t.fitWindow.diffusive ? 'yes' : 'no'} | ${fmt(a.lambdaEh)} (${a.fitWindow.start}–${a.fitWindow.stop} τ) | ${runLength(s)} | ${(wallSeconds(s) / 60).toFixed(0)} min |`;
  });
  atomic(
    path.join(docs, 'table.md'),
    [
      '<!-- written by scripts/family/summarize.ts from data/family/manifest.json; do not edit -->',
      '| system | ρσ³ | l_B/σ | z+:z− | σ+/σ− | N+ + N− | Λ_EH (3–12 τ) | D+ | D− | Λ_NE | Λ/Λ_NE | blocks | diffusive | Λ_EH, automatic window | run (τ) | LAMMPS wall |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
      ...rows,
      '',
    ].join('\n'),
  );
  console.log(`${systems.length} finished system(s) of ${order.length} -> ${path.relative(repo, out)}, ${path.relative(repo, docs)}/`);
}

if (require.main === module) main().catch((e) => {
  console.error(e);
  process.exit(1);
});
