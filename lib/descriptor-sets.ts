// Symmetry-function sets as data: ionfield's JSON format (schema ionfield.descriptor-set/2) and
// n2p2's `symfunction_short` lines (types 2, 3, 9). Parsing and expansion live here (lib/); the
// native core receives a flat list of functions with species indices.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from './native';
import { labelRecord } from './label-record';
import { upgradeLegacyDocument } from './legacy-document';

export type FunctionType = 'G2' | 'G4' | 'G5';
export type CutoffKind = 'cos' | 'poly2';

/** One symmetry function; species by label ("*"-free once expanded). */
export interface SymmetryFunction {
  type: FunctionType;
  centre: string;
  /** [j] for G2; [j, k] (unordered) for G4 and G5. */
  neighbours: string[];
  eta: number;
  rs: number;
  zeta: number;
  lambda: number;
  cutoff: number;
  cutoffFunction: CutoffKind;
}

/** A set before it meets a trajectory. species null: generic, bound to the trajectory's species. */
export interface DescriptorSetDef {
  name: string;
  description: string;
  source: string;
  lengthUnit: string;
  species: string[] | null;
  /** Unexpanded entries ("*" species, parameter lists); expanded by bindSet. */
  entries: SetEntry[];
}

export interface SetEntry {
  type: FunctionType;
  centres: string[] | '*';
  neighbours: string[][] | '*';
  eta: number[];
  rs: number[];
  zeta: number[];
  lambda: number[];
  cutoff: number[];
  cutoffFunction: CutoffKind;
  where: string;
}

/** A set bound to concrete species: the columns of every centre species, in order. */
export interface BoundSet {
  name: string;
  species: string[];
  functions: SymmetryFunction[];
  /** columns[s] = the functions of centre species s, in column order. */
  columns: Record<string, SymmetryFunction[]>;
  maxFeatures: number;
}

const TYPE_NAMES: Record<string, FunctionType> = { G2: 'G2', G4: 'G4', G5: 'G5', '2': 'G2', '3': 'G4', '9': 'G5' };
export const TYPE_NUMBER: Record<FunctionType, number> = { G2: 2, G4: 3, G5: 9 };

class SetError extends Error {
  code = 'IONFIELD_BAD_INPUT';
}

function fail(where: string, what: string): never {
  throw new SetError(`${where}: ${what}`);
}

function numberList(v: unknown, where: string, key: string, fallback?: number): number[] {
  if (v === undefined) {
    if (fallback === undefined) fail(where, `'${key}' is required`);
    return [fallback];
  }
  if (typeof v === 'number') return [v];
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number')) return v as number[];
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const g = v as { from?: unknown; step?: unknown; count?: unknown };
    if (typeof g.from === 'number' && typeof g.step === 'number' && Number.isInteger(g.count) && (g.count as number) > 0)
      return Array.from({ length: g.count as number }, (_, s) => (g.from as number) + s * (g.step as number));
  }
  return fail(where, `'${key}' must be a number, a non-empty list of numbers or {"from", "step", "count"}`);
}

function checkParams(e: SetEntry): void {
  for (const v of e.cutoff) if (!(v > 0) || !Number.isFinite(v)) fail(e.where, `cutoff must be positive, got ${v}`);
  for (const v of e.eta) if (!(v >= 0) || !Number.isFinite(v)) fail(e.where, `eta must be >= 0, got ${v}`);
  for (const v of e.rs) if (!(v >= 0) || !Number.isFinite(v)) fail(e.where, `rs must be >= 0, got ${v}`);
  if (e.type !== 'G2') {
    for (const v of e.lambda) if (v !== 1 && v !== -1) fail(e.where, `lambda must be +1 or -1, got ${v}`);
    for (const v of e.zeta) if (!(v >= 1) || !(v <= 1024)) fail(e.where, `zeta must be in [1, 1024], got ${v}`);
  }
}

/** Parses ionfield's JSON set format (docs/descriptors.md). */
export function parseSetJson(text: string, source: string): DescriptorSetDef {
  let doc: Record<string, unknown>;
  try {
    doc = upgradeLegacyDocument(JSON.parse(text) as Record<string, unknown>, true);
  } catch (err) {
    return fail(source, `not valid JSON (${(err as Error).message})`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) fail(source, 'expected a JSON object');
  if (doc.schema !== undefined && doc.schema !== 'ionfield.descriptor-set/2')
    fail(source, `unknown schema '${String(doc.schema)}' (expected ionfield.descriptor-set/2)`);
  const species = doc.species === undefined || doc.species === null ? null : doc.species;
  if (species !== null && !(Array.isArray(species) && species.length > 0 && species.every((s) => typeof s === 'string')))
    fail(source, "'species' must be a list of species labels (or absent for a generic set)");
  const defaultCutoff = (doc.cutoffFunction ?? 'cos') as string;
  if (!Array.isArray(doc.functions) || doc.functions.length === 0) fail(source, "'functions' must be a non-empty list");
  const entries = (doc.functions as unknown[]).map((raw, k): SetEntry => {
    const where = `${source}: functions[${k}]`;
    if (!raw || typeof raw !== 'object') fail(where, 'expected an object');
    const f = raw as Record<string, unknown>;
    const type = TYPE_NAMES[String(f.type)];
    if (!type) fail(where, `type must be G2, G4 or G5 (or n2p2's 2, 3, 9), got '${String(f.type)}'`);
    const centres = f.centre === undefined || f.centre === '*' ? '*' : Array.isArray(f.centre) ? f.centre.map(String) : [String(f.centre)];
    let neighbours: string[][] | '*';
    if (f.neighbours === undefined || f.neighbours === '*') neighbours = '*';
    else if (Array.isArray(f.neighbours) && f.neighbours.length > 0) {
      // ["Na"] or [["Na"], ["Cl"]] (radial); ["Na","Cl"] or [["Na","Cl"], ...] (angular)
      const list = f.neighbours as unknown[];
      const many = list.every((x) => Array.isArray(x));
      neighbours = many ? (list as unknown[][]).map((x) => x.map(String)) : type === 'G2' ? list.map((x) => [String(x)]) : [list.map(String)];
      const want = type === 'G2' ? 1 : 2;
      for (const n of neighbours) if (n.length !== want) fail(where, `${type} takes ${want} neighbour species per function, got [${n.join(', ')}]`);
    } else return fail(where, "'neighbours' must be '*' or a list of species");
    const cutoffFunction = String(f.cutoffFunction ?? defaultCutoff);
    if (cutoffFunction !== 'cos' && cutoffFunction !== 'poly2') fail(where, `cutoffFunction must be 'cos' or 'poly2', got '${cutoffFunction}'`);
    const e: SetEntry = {
      type,
      centres,
      neighbours,
      eta: numberList(f.eta, where, 'eta'),
      rs: numberList(f.rs, where, 'rs', 0),
      zeta: type === 'G2' ? [1] : numberList(f.zeta, where, 'zeta'),
      lambda: type === 'G2' ? [1] : numberList(f.lambda, where, 'lambda'),
      cutoff: numberList(f.cutoff, where, 'cutoff'),
      cutoffFunction: cutoffFunction as CutoffKind,
      where,
    };
    checkParams(e);
    return e;
  });
  return {
    name: typeof doc.name === 'string' ? doc.name : path.basename(source).replace(/\.json$/, ''),
    description: typeof doc.description === 'string' ? doc.description : '',
    source,
    lengthUnit: typeof doc.lengthUnit === 'string' ? doc.lengthUnit : 'trajectory length unit',
    species: species as string[] | null,
    entries,
  };
}

/**
 * Parses n2p2 settings (input.nn): `elements`, `cutoff_type` and `symfunction_short` lines;
 * other keywords are ignored. Types 2, 3 and 9:
 *   symfunction_short <ec> 2 <e1> <eta> <rs> <rc>
 *   symfunction_short <ec> 3|9 <e1> <e2> <eta> <lambda> <zeta> <rc> [<rs>]
 */
export function parseN2p2(text: string, source: string): DescriptorSetDef {
  let species: string[] | null = null;
  let cutoffFunction: CutoffKind = 'cos';
  const entries: SetEntry[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, k) => {
    const where = `${source}:${k + 1}`;
    const words = line.replace(/#.*/, '').trim().split(/\s+/).filter(Boolean);
    if (words.length === 0) return;
    const num = (w: string | undefined, what: string): number => {
      const v = Number(w);
      if (w === undefined || !Number.isFinite(v)) fail(where, `expected a number for ${what}, got '${w ?? ''}'`);
      return v;
    };
    if (words[0] === 'elements') {
      species = words.slice(2);
      if (species.length !== num(words[1], 'the element count')) fail(where, `'elements' count ${words[1]} does not match the ${species.length} labels`);
    } else if (words[0] === 'cutoff_type') {
      const t = num(words[1], 'cutoff_type');
      const alpha = words[2] === undefined ? 0 : num(words[2], 'cutoff_alpha');
      if (alpha !== 0) fail(where, 'cutoff_alpha other than 0 is not supported');
      if (t === 1) cutoffFunction = 'cos';
      else if (t === 6) cutoffFunction = 'poly2';
      else fail(where, `cutoff_type ${t} is not supported (1: cos, 6: poly2)`);
    } else if (words[0] === 'cutoff_alpha') {
      if (num(words[1], 'cutoff_alpha') !== 0) fail(where, 'cutoff_alpha other than 0 is not supported');
    } else if (words[0] === 'symfunction_short') {
      const ec = words[1];
      const type = TYPE_NAMES[words[2] ?? ''];
      if (!ec || !type) fail(where, `symfunction_short type must be 2, 3 or 9, got '${words[2] ?? ''}'`);
      let e: SetEntry;
      if (type === 'G2') {
        if (words.length !== 7) fail(where, 'type 2 expects: symfunction_short <ec> 2 <e1> <eta> <rs> <rc>');
        e = { type, centres: [ec], neighbours: [[words[3]]], eta: [num(words[4], 'eta')], rs: [num(words[5], 'rs')], zeta: [1], lambda: [1], cutoff: [num(words[6], 'rc')], cutoffFunction, where };
      } else {
        if (words.length !== 9 && words.length !== 10) fail(where, `type ${words[2]} expects: symfunction_short <ec> ${words[2]} <e1> <e2> <eta> <lambda> <zeta> <rc> [<rs>]`);
        e = {
          type, centres: [ec], neighbours: [[words[3], words[4]]], eta: [num(words[5], 'eta')], lambda: [num(words[6], 'lambda')],
          zeta: [num(words[7], 'zeta')], cutoff: [num(words[8], 'rc')], rs: [words.length === 10 ? num(words[9], 'rs') : 0], cutoffFunction, where,
        };
      }
      checkParams(e);
      entries.push(e);
    }
  });
  if (entries.length === 0) fail(source, 'no symfunction_short lines');
  const seen: string[] = [];
  for (const e of entries) for (const s of [...(e.centres as string[]), ...(e.neighbours as string[][]).flat()]) if (!seen.includes(s)) seen.push(s);
  const sp = (species as string[] | null) ?? seen;
  for (const s of seen) if (!sp.includes(s)) fail(source, `species '${s}' is used but not listed in 'elements'`);
  // n2p2 keeps entries in file order per element; columns follow that order.
  return { name: path.basename(source), description: `n2p2 symmetry functions from ${source}`, source, lengthUnit: 'trajectory length unit', species: sp, entries };
}

/** Names of the sets shipped in data/descriptor-sets/. */
export function shippedSets(): string[] {
  const dir = path.join(packageRoot(), 'data', 'descriptor-sets');
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, '')).sort() : [];
}

/** Loads a set by shipped name or by path (JSON, or n2p2 input.nn / symfunction lines). */
export function loadSet(nameOrPath: string): DescriptorSetDef {
  const shipped = path.join(packageRoot(), 'data', 'descriptor-sets', `${nameOrPath}.json`);
  const file = !nameOrPath.includes('/') && !nameOrPath.includes('\\') && fs.existsSync(shipped) ? shipped : nameOrPath;
  if (!fs.existsSync(file)) {
    const e = new SetError(`descriptor set '${nameOrPath}' is neither a file nor a shipped set (shipped: ${shippedSets().join(', ')})`);
    throw e;
  }
  const text = fs.readFileSync(file, 'utf8');
  return text.trimStart().startsWith('{') ? parseSetJson(text, file) : parseN2p2(text, file);
}

/**
 * Binds a set to species labels: "*" becomes every species (radial: each species; angular: each
 * unordered pair, in species order). Column order per centre: entries in file order, then
 * neighbour (pair), then parameters with eta outermost and cutoff innermost (eta, rs, zeta, lambda, cutoff).
 * scale multiplies lengths (rs, cutoff) and divides eta by scale^2 (sets written in ion diameters).
 */
export function bindSet(def: DescriptorSetDef, trajectorySpecies: string[], scale = 1): BoundSet {
  if (!(scale > 0)) throw new SetError(`length scale must be positive, got ${scale}`);
  const species = def.species ?? trajectorySpecies;
  if (species.length === 0) throw new SetError(`${def.source}: no species to bind the set to`);
  const pairs: string[][] = [];
  species.forEach((a, i) => species.slice(i).forEach((b) => pairs.push([a, b])));
  const functions: SymmetryFunction[] = [];
  for (const centre of species) {
    for (const e of def.entries) {
      const centres = e.centres === '*' ? species : e.centres;
      for (const c of centres) if (!species.includes(c)) fail(e.where, `centre species '${c}' is not among the set's species (${species.join(', ')})`);
      if (!centres.includes(centre)) continue;
      const nbs = e.neighbours === '*' ? (e.type === 'G2' ? species.map((s) => [s]) : pairs) : e.neighbours;
      for (const nb of nbs) {
        for (const s of nb) if (!species.includes(s)) fail(e.where, `neighbour species '${s}' is not among the set's species (${species.join(', ')})`);
        for (const eta of e.eta) for (const rs of e.rs) for (const zeta of e.zeta) for (const lambda of e.lambda) for (const cutoff of e.cutoff)
          functions.push({ type: e.type, centre, neighbours: [...nb], eta: eta / (scale * scale), rs: rs * scale, zeta, lambda, cutoff: cutoff * scale, cutoffFunction: e.cutoffFunction });
      }
    }
  }
  const columns: Record<string, SymmetryFunction[]> = labelRecord();
  for (const s of species) columns[s] = functions.filter((f) => f.centre === s);
  return { name: def.name, species, functions, columns, maxFeatures: Math.max(0, ...Object.values(columns).map((c) => c.length)) };
}

/** The plain object the native addon takes. */
export function nativeSet(bound: BoundSet): { nspecies: number; functions: Record<string, number>[] } {
  const index = (s: string) => bound.species.indexOf(s);
  return {
    nspecies: bound.species.length,
    functions: bound.functions.map((f) => ({
      type: TYPE_NUMBER[f.type],
      centre: index(f.centre),
      neighbour1: index(f.neighbours[0]),
      neighbour2: f.neighbours.length > 1 ? index(f.neighbours[1]) : -1,
      eta: f.eta,
      rs: f.rs,
      zeta: f.zeta,
      lambda: f.lambda,
      cutoff: f.cutoff,
      cutoffFunction: f.cutoffFunction === 'cos' ? 0 : 1,
    })),
  };
}
