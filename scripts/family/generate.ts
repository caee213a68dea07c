// Generates the electrolyte family with real LAMMPS: one run per system in family.json, several
// at once (one per core by default), resumable (a system with done.json is never redone; an
// interrupted one restarts from scratch). Usage:
//   node --import tsx scripts/family/generate.ts [--jobs N] [--only name,name] [--out DIR] [--prod-steps N]
// Output per system: DIR/<name>/{traj.lammpstrj, log.lammps, done.json}; DIR defaults to data/family/raw.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { lastRate, runJobs, runLammps } from './job-pool';

const here = __dirname;
const repo = path.resolve(here, '..', '..');

export interface SystemSpec {
  name: string;
  lb: number;
  rho: number;
  sigcat: number;
  sigan: number;
  qcat: number;
  qan: number;
  ions: number;
  equilSteps: number;
  prodSteps: number;
  dumpEvery: number;
  pppm: number;
  timestep: number;
  /** A second production segment (scripts/family/extend.ts), where the first left Λ_EH too uncertain. */
  extendSteps?: number;
  /** Re-equilibration of that segment after its new velocities. */
  extendEquilSteps: number;
}

export function loadFamily(file = path.join(here, 'family.json')): SystemSpec[] {
  const family = JSON.parse(fs.readFileSync(file, 'utf8'));
  return family.systems.map((s: Partial<SystemSpec>) => ({ ...family.defaults, ...s }) as SystemSpec);
}

/** Cation and anion counts of a neutral salt with `ions` ions in total (as close as it divides). */
export function ionCounts(s: SystemSpec): { ncat: number; nan: number } {
  const a = Math.abs(s.qan), b = Math.abs(s.qcat); // a cations per b anions... per formula unit C_a A_b with a*qcat = b*|qan|
  const unit = a + b;
  const formulaUnits = Math.floor(s.ions / unit);
  return { ncat: formulaUnits * a, nan: formulaUnits * b };
}

function seedOf(name: string): number {
  return (parseInt(createHash('sha256').update(name).digest('hex').slice(0, 7), 16) % 900000) + 1000;
}

export function lammpsVersion(): string {
  const r = spawnSync('lmp', ['-h'], { encoding: 'utf8' });
  const m = /Large-scale Atomic\/Molecular Massively Parallel Simulator - (.+)/.exec(r.stdout ?? '');
  return m ? m[1].trim() : 'unknown';
}

function ensureLammps(): void {
  if (spawnSync('lmp', ['-h'], { stdio: 'ignore' }).status === 0) return;
  console.error('LAMMPS (lmp) not found; installing Debian package lammps ...');
  const r = spawnSync('bash', [path.join(repo, 'scripts', 'install-system-deps.sh')], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('could not install LAMMPS: apt-get install lammps');
}

export function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/** The run's derived parameters (ion counts, box, Coulomb cutoff, seed), as passed to LAMMPS. */
export function derived(s: SystemSpec) {
  const { ncat, nan } = ionCounts(s);
  const L = Math.cbrt((ncat + nan) / s.rho);
  const rc = Math.max(3, Math.min(6, 0.49 * L)); // real-space Coulomb cutoff: shifts work from PPPM where it pays
  return { ncat, nan, L, rc, seed: seedOf(s.name) };
}

/** Marks a system finished: done.json with its parameters, LAMMPS version and timings. */
function writeDone(s: SystemSpec, dir: string, version: string, wallSeconds: number): void {
  const { ncat, nan, L, rc, seed } = derived(s);
  const done = {
    name: s.name,
    parameters: { ...s, ncat, nan, boxLength: L, coulombCutoff: rc, seed },
    lammpsVersion: version,
    wallSeconds: wallSeconds,
    productionStepsPerSecond: lastRate(path.join(dir, 'log.lammps')),
    hostCores: os.cpus().length,
    trajectory: 'traj.lammpstrj',
    frames: Math.floor(s.prodSteps / s.dumpEvery) + 1,
    timePerFrame: s.dumpEvery * s.timestep,
    units: 'lj',
    finished: new Date().toISOString(),
  };
  writeAtomic(path.join(dir, 'done.json'), JSON.stringify(done, null, 2) + '\n');
}

/**
 * A run whose LAMMPS finished after its driver died (killed, logged out) has a complete log and
 * trajectory but no done.json: adopt it instead of redoing it. Complete means: the log ends with
 * LAMMPS's "Total wall time", was run with this system's production length and seed, and the
 * trajectory holds every frame. The wall time is LAMMPS's own (its setup excluded).
 */
function adoptFinished(s: SystemSpec, dir: string, version: string): boolean {
  const logFile = path.join(dir, 'log.lammps');
  const trajFile = path.join(dir, 'traj.lammpstrj');
  if (fs.existsSync(path.join(dir, 'done.json')) || !fs.existsSync(logFile) || !fs.existsSync(trajFile)) return false;
  const log = fs.readFileSync(logFile, 'utf8');
  const wall = /Total wall time: (\d+):(\d+):(\d+)/.exec(log);
  if (!wall) return false;
  // The log echoes each command after substitution: the last numeric `run N` is production, and
  // the first `create_atoms 1 random n SEED` carries the system's seed.
  const runs = [...log.matchAll(/^run\s+(\d+)\s*$/gm)].map((m) => Number(m[1]));
  const seed = /^create_atoms\s+1\s+random\s+\d+\s+(\d+)/m.exec(log)?.[1];
  if (runs[runs.length - 1] !== s.prodSteps || Number(seed) !== derived(s).seed) return false;
  const expected = Math.floor(s.prodSteps / s.dumpEvery) + 1;
  const frames = (fs.readFileSync(trajFile, 'utf8').match(/ITEM: TIMESTEP/g) ?? []).length;
  if (frames !== expected) return false;
  writeDone(s, dir, version, Number(wall[1]) * 3600 + Number(wall[2]) * 60 + Number(wall[3]));
  console.log(`[adopt] ${s.name}: LAMMPS finished after its driver stopped (${frames} frames); done.json written`);
  return true;
}

async function runSystem(s: SystemSpec, outDir: string, version: string): Promise<void> {
  const dir = path.join(outDir, s.name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const { ncat, nan, rc, seed } = derived(s);
  const vars: Record<string, string | number> = {
    ncat, nan, qcat: s.qcat, qan: s.qan, sigcat: s.sigcat, sigan: s.sigan, rho: s.rho, lb: s.lb, seed,
    equil: s.equilSteps, prod: s.prodSteps, every: s.dumpEvery, out: 'traj.lammpstrj', pppm: s.pppm, rc: rc.toFixed(3),
  };
  const started = Date.now();
  await runLammps(s.name, dir, vars);
  writeDone(s, dir, version, (Date.now() - started) / 1000);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { jobs: { type: 'string' }, only: { type: 'string' }, out: { type: 'string' }, 'prod-steps': { type: 'string' } },
  });
  ensureLammps();
  const outDir = path.resolve(values.out ?? process.env.IONFIELD_FAMILY_DIR ?? path.join(repo, 'data', 'family', 'raw'));
  fs.mkdirSync(outDir, { recursive: true });
  let systems = loadFamily();
  if (values.only) {
    // In the order given: the first named runs first (a priority list).
    const byName = new Map(systems.map((s) => [s.name, s]));
    const unknown = values.only.split(',').filter((n) => !byName.has(n));
    if (unknown.length) throw new Error(`--only: no system named ${unknown.join(', ')} in family.json`);
    systems = values.only.split(',').map((n) => byName.get(n)!);
  }
  if (values['prod-steps']) systems = systems.map((s) => ({ ...s, prodSteps: Number(values['prod-steps']) }));
  const version = lammpsVersion();
  for (const s of systems) adoptFinished(s, path.join(outDir, s.name), version);
  const todo = systems.filter((s) => !fs.existsSync(path.join(outDir, s.name, 'done.json')));
  const jobs = Number(values.jobs ?? os.availableParallelism());
  console.log(`family: ${systems.length} systems, ${systems.length - todo.length} done, ${todo.length} to run, ${jobs} at a time -> ${outDir}`);
  await runJobs(todo, jobs, (s) => s.name, (s) => runSystem(s, outDir, version));
}

if (require.main === module) main();
