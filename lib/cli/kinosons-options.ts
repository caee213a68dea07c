// Command-line values of `ionfield kinosons` and its output paths, checked before any work starts:
// a KMC run or a report can take hours, and finding out at the end that --out points into a
// missing folder (or that --trajectories was 1e9) loses all of it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LIMITS } from '../kinosons/config';
import { UsageError } from './command';

const bounds: Record<string, [number, number]> = {
  supercell: [2, 24],
  steps: [1, LIMITS.steps],
  trajectories: [2, LIMITS.trajectories],
  seed: [0, LIMITS.seed],
  threads: [0, LIMITS.threads],
  states: [1, LIMITS.states],
};

/** An integer option within its bounds (exit code 2 with the bounds otherwise); undefined when absent. */
export function boundedInteger(value: string | undefined, name: keyof typeof bounds): number | undefined {
  if (value === undefined) return undefined;
  const [lo, hi] = bounds[name];
  const v = Number(value);
  if (value.trim() === '' || !Number.isInteger(v) || v < lo || v > hi) throw new UsageError(`--${name}: expected an integer from ${lo} to ${hi}, got '${value}'`);
  return v;
}

export function temperatureOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const v = Number(value);
  if (value.trim() === '' || !Number.isFinite(v) || !(v > 0)) throw new UsageError(`--temperature: expected a temperature in K (> 0), got '${value}'`);
  return v;
}

function badInput(message: string): Error {
  return Object.assign(new Error(message), { code: 'IONFIELD_BAD_INPUT' });
}

/** Refuses an output file whose folder is missing or not writable, or that names a folder. */
export function checkOutputFile(file: string, option: string): void {
  const dir = path.dirname(path.resolve(file));
  if (!fs.existsSync(dir)) throw badInput(`${option} ${file}: the folder ${dir} does not exist`);
  if (!fs.statSync(dir).isDirectory()) throw badInput(`${option} ${file}: ${dir} is not a folder`);
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) throw badInput(`${option} ${file}: is a folder; give a file name`);
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch {
    throw badInput(`${option} ${file}: the folder ${dir} is not writable`);
  }
}

/** Creates the output folder (with its parents) or says why it cannot be one. */
export function prepareOutputDir(dir: string): void {
  if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) throw badInput(`--out-dir ${dir}: is a file, not a folder`);
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (e) {
    throw badInput(`--out-dir ${dir}: cannot create or write to it (${(e as Error).message})`);
  }
}

/** Runs native work for a config file; a bad-input error from the engine gets the file's name. */
export async function forConfig<T>(file: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    const err = e as Error & { code?: string };
    if (err.code === 'IONFIELD_BAD_INPUT' && !err.message.startsWith(file)) err.message = `${file}: ${err.message}`;
    throw err;
  }
}

// The options each subcommand reads. parseArgs accepts the union of all of them, so without this
// check 'kmc --supercell 6' or 'fit --steps 10' would run the config's values and say nothing.
const accepted: Record<string, string[]> = {
  'correlation-factor': ['lattice', 'supercell', 'steps', 'trajectories', 'seed', 'threads', 'out', 'json'],
  generate: ['config', 'states', 'out', 'temperature', 'set', 'shard', 'partial', 'json'],
  kmc: ['config', 'temperature', 'out', 'shard', 'json'],
  fit: ['config', 'temperature', 'target', 'training', 'validation', 'no-kmc', 'out', 'shard', 'partial', 'json'],
  report: ['config', 'out-dir', 'resume', 'shard', 'partial', 'json'],
};

/** Refuses (exit code 2) an option given to a subcommand that does not read it. */
export function checkApplicable(sub: string, values: Record<string, unknown>): void {
  const takes = accepted[sub];
  if (!takes) return; // unknown subcommands are reported by the caller
  for (const [name, value] of Object.entries(values))
    if (value !== undefined && name !== 'help' && !takes.includes(name))
      throw new UsageError(`--${name} does not apply to 'kinosons ${sub}' (it takes ${takes.map((t) => `--${t}`).join(', ')})`);
}

