// The rows of a trajectory table (`transport --table`, `predict` of several trajectories): one
// trajectory per row, from the command line or from a list file (docs/scale-out.md):
//
//   a text file, one trajectory per line, optionally followed by name=NAME and temperature=T;
//   '#' starts a comment, blank lines are skipped; relative paths are relative to the list file;
//
//   or JSON {"schema": "ionfield.trajectory-list/1", "trajectories": [{"path": "a.xtc",
//   "name": "a", "temperature": 300}, ...]} (name and temperature optional, paths as above).
//
// A row's name defaults to its file's name (systemName: the folder for LAMMPS runs named
// traj.lammpstrj); names must be unique, because rows' outputs are named after them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { systemName } from '../dataset';

export interface TrajectoryRow {
  name: string;
  path: string;
  /** Per-row temperature (transport): overrides --temperature for this row. */
  temperature?: number;
}

export const LIST_SCHEMA = 'ionfield.trajectory-list/1';

function bad(message: string): Error {
  return Object.assign(new Error(message), { code: 'IONFIELD_BAD_INPUT' });
}

function temperatureOf(value: unknown, where: string): number | undefined {
  if (value === undefined) return undefined;
  const t = Number(value);
  if (!(Number.isFinite(t) && t > 0)) throw bad(`${where}: temperature '${value}' is not a positive number`);
  return t;
}

/** Reads a list file (text or JSON, above) into rows; names are filled in by tableRows. */
export function readTrajectoryList(file: string): { path: string; name?: string; temperature?: number }[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw bad(`--list ${file}: ${(err as Error).message}`);
  }
  const base = path.dirname(path.resolve(file));
  const resolve = (p: string) => (path.isAbsolute(p) ? p : path.join(base, p));
  if (text.trimStart().startsWith('{')) {
    let doc: { schema?: string; trajectories?: { path?: unknown; name?: unknown; temperature?: unknown }[] };
    try {
      doc = JSON.parse(text);
    } catch (err) {
      throw bad(`--list ${file}: not valid JSON (${(err as Error).message})`);
    }
    if (doc.schema !== LIST_SCHEMA || !Array.isArray(doc.trajectories)) throw bad(`--list ${file}: expected {"schema": "${LIST_SCHEMA}", "trajectories": [...]}`);
    return doc.trajectories.map((t, k) => {
      if (typeof t?.path !== 'string') throw bad(`--list ${file}: trajectories[${k}] has no "path"`);
      return { path: resolve(t.path), name: t.name === undefined ? undefined : String(t.name), temperature: temperatureOf(t.temperature, `--list ${file}: trajectories[${k}]`) };
    });
  }
  const rows: { path: string; name?: string; temperature?: number }[] = [];
  text.split('\n').forEach((raw, k) => {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) return;
    const [p, ...fields] = line.split(/\s+/);
    const row: { path: string; name?: string; temperature?: number } = { path: resolve(p) };
    for (const f of fields) {
      const m = /^(name|temperature)=(.+)$/.exec(f);
      if (!m) throw bad(`--list ${file}:${k + 1}: '${f}' is not name=NAME or temperature=T`);
      if (m[1] === 'name') row.name = m[2];
      else row.temperature = temperatureOf(m[2], `--list ${file}:${k + 1}`);
    }
    rows.push(row);
  });
  return rows;
}

/** The table's rows: the list file's, then the positional trajectories; names unique, files present. */
export function tableRows(positionals: string[], list: string | undefined): TrajectoryRow[] {
  const given = [...(list ? readTrajectoryList(list) : []), ...positionals.map((p) => ({ path: p, name: undefined, temperature: undefined }))];
  if (!given.length) throw Object.assign(new Error(list ? `--list ${list} names no trajectory` : 'expected at least one trajectory'), { code: 'IONFIELD_USAGE' });
  // Absolute paths: the rows' files are named the same in a table run, its shards and its merge.
  const rows = given.map((g) => ({ name: g.name ?? systemName(g.path), path: path.resolve(g.path), ...(g.temperature !== undefined ? { temperature: g.temperature } : {}) }));
  const seen = new Map<string, string>();
  for (const r of rows) {
    if (seen.has(r.name)) throw Object.assign(new Error(`two rows are named '${r.name}' (${seen.get(r.name)} and ${r.path}): give names in a --list file`), { code: 'IONFIELD_USAGE' });
    seen.set(r.name, r.path);
    if (!fs.existsSync(r.path)) throw bad(`${r.path}: no such file`);
  }
  return rows;
}
