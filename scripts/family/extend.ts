// Adds a second production segment to finished family systems whose Λ_EH is not yet known well
// enough (family.json: "extendSteps" per system). The segment starts from the run's last frame
// (the raw dump where it is on this machine, else the committed XTC, rounded to 1/40 σ), draws new
// velocities and Langevin noise (seed + 7919), re-equilibrates for `extendEquilSteps` and then
// records `extendSteps` steps, with the same model and input (electrolyte.in with -var resume 1).
// The two segments are independent pieces of one equilibrium run: summarize.ts merges their
// correlator sums where both are on this machine, else averages the segments' Λ by duration.
// Resumable like generate.ts (a segment with done.json is never redone). Usage:
//   node --import tsx scripts/family/extend.ts [--raw DIR] [--packed data/family] [--jobs N] [--only a,b] [--steps N]
// Output: RAW/<name>/segment2/{start.data, traj.lammpstrj, log.lammps, done.json}.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { lastRate, runJobs, runLammps } from './job-pool';
import { openTrajectory } from '../../lib/trajectory';
import { derived, loadFamily, lammpsVersion, SystemSpec, writeAtomic } from './generate';

const repo = path.resolve(__dirname, '..', '..');
export const SEGMENT = 'segment2';
const SEED_OFFSET = 7919;

/** Where the segment starts: the last frame of the raw first segment, else of the packed XTC. */
function startSource(name: string, raw: string, packed: string): string {
  const dump = path.join(raw, name, 'traj.lammpstrj');
  if (fs.existsSync(path.join(raw, name, 'done.json')) && fs.existsSync(dump)) return dump;
  const xtc = path.join(packed, `${name}.xtc`);
  if (fs.existsSync(xtc)) return xtc;
  throw new Error(`${name}: neither ${dump} (a finished first segment) nor ${xtc} exists to start from`);
}

/**
 * The last frame as a LAMMPS data file (atom_style charge), coordinates wrapped into the cell the
 * first segment used (create_box at 0..L): image flags do not matter, the segment is a new piece.
 */
async function writeStartData(source: string, s: SystemSpec, file: string): Promise<{ time: number | null; frame: number }> {
  let last: { positions: Float64Array; types: string[]; charges: Float64Array; time: number | null; index: number } | null = null;
  for await (const f of openTrajectory(source, { unwrap: false })) {
    if (!f.types || !f.charges) throw new Error(`${source}: needs species and charges (a topology beside an XTC)`);
    last = { positions: Float64Array.from(f.positions), types: f.types, charges: Float64Array.from(f.charges), time: f.time, index: f.index };
  }
  if (!last) throw new Error(`${source}: no frames`);
  const { L, ncat, nan } = derived(s);
  const n = last.types.length;
  if (n !== ncat + nan) throw new Error(`${source}: ${n} atoms, expected ${ncat + nan} for ${s.name}`);
  const wrap = (x: number) => ((x % L) + L) % L;
  const lines = [`ionfield family ${s.name}: last frame (${last.index}) of ${path.relative(repo, source)}`, '', `${n} atoms`, '2 atom types', ''];
  for (const axis of ['x', 'y', 'z']) lines.push(`0 ${L.toPrecision(17)} ${axis}lo ${axis}hi`);
  lines.push('', 'Atoms # charge', '');
  for (let i = 0; i < n; i++) {
    const p = last.positions.subarray(3 * i, 3 * i + 3);
    lines.push(`${i + 1} ${last.types[i]} ${last.charges[i]} ${wrap(p[0])} ${wrap(p[1])} ${wrap(p[2])}`);
  }
  writeAtomic(file, lines.join('\n') + '\n');
  return { time: last.time, frame: last.index };
}

export async function extendSystem(s: SystemSpec, raw: string, packed: string, version: string): Promise<void> {
  const dir = path.join(raw, s.name, SEGMENT);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const source = startSource(s.name, raw, packed);
  const start = await writeStartData(source, s, path.join(dir, 'start.data'));
  const { rc, seed } = derived(s);
  const steps = s.extendSteps!;
  const vars: Record<string, string | number> = {
    resume: 1, start: 'start.data', ncat: 0, nan: 0, qcat: s.qcat, qan: s.qan, sigcat: s.sigcat, sigan: s.sigan, rho: s.rho, lb: s.lb,
    seed: seed + SEED_OFFSET, equil: s.extendEquilSteps, prod: steps, every: s.dumpEvery, out: 'traj.lammpstrj', pppm: s.pppm, rc: rc.toFixed(3),
  };
  const started = Date.now();
  await runLammps(s.name, dir, vars);
  const done = {
    schema: 'ionfield.family-segment/1',
    name: s.name,
    segment: 2,
    startedFrom: { file: path.relative(repo, source).startsWith('..') ? source : path.relative(repo, source), frame: start.frame, time: start.time },
    seed: seed + SEED_OFFSET,
    equilSteps: s.extendEquilSteps,
    prodSteps: steps,
    lammpsVersion: version,
    wallSeconds: (Date.now() - started) / 1000,
    productionStepsPerSecond: lastRate(path.join(dir, 'log.lammps')),
    hostCores: os.cpus().length,
    trajectory: 'traj.lammpstrj',
    frames: Math.floor(steps / s.dumpEvery) + 1,
    timePerFrame: s.dumpEvery * s.timestep,
    finished: new Date().toISOString(),
  };
  writeAtomic(path.join(dir, 'done.json'), JSON.stringify(done, null, 2) + '\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { raw: { type: 'string' }, packed: { type: 'string' }, jobs: { type: 'string' }, only: { type: 'string' }, steps: { type: 'string' } } });
  const raw = path.resolve(values.raw ?? process.env.IONFIELD_FAMILY_DIR ?? path.join(repo, 'data', 'family', 'raw'));
  const packed = path.resolve(values.packed ?? path.join(repo, 'data', 'family'));
  const only = values.only ? values.only.split(',') : null;
  // Longest first: two workers then finish close together.
  const systems = loadFamily()
    .filter((s) => s.extendSteps && (!only || only.includes(s.name)))
    .map((s) => (values.steps ? { ...s, extendSteps: Number(values.steps) } : s)) // --steps: a short trial
    .sort((a, b) => b.extendSteps! - a.extendSteps!);
  const todo = systems.filter((s) => !fs.existsSync(path.join(raw, s.name, SEGMENT, 'done.json')));
  const jobs = Number(values.jobs ?? os.availableParallelism());
  console.log(`extend: ${systems.length} systems with a second segment, ${systems.length - todo.length} done, ${todo.length} to run, ${jobs} at a time -> ${raw}`);
  const version = lammpsVersion();
  await runJobs(todo, jobs, (s) => `${s.name} +${s.extendSteps} steps`, (s) => extendSystem(s, raw, packed, version));
}

if (require.main === module) main();
