// Equilibrium states on disk: the .npy (states × sites uint8, species index in config order,
// 255 = vacancy) written by `ionfield kinosons generate`, and its FILE.npy.json description.
// Reading them back lets `fit` use exactly the states a user generated (or edited) instead of
// regenerating them from the seed.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { ConfigError, KinosonConfig, siteCount } from './config';
import { parseJsonText } from './json-text';

export const VACANCY_CODE = 255;

/** Which set a generated file holds: the study draws validation states with seed + VALIDATION_SEED_OFFSET. */
export const VALIDATION_SEED_OFFSET = 0x9e37;

export interface LoadedStates {
  file: string;
  states: number;
  sites: number;
  occupancy: Uint8Array;
  /** Swap-MC chains the states came from (consecutive blocks, errors by block means); 0: independent. */
  chains: number;
  temperature: number | null;
}

function bad(file: string, what: string): never {
  throw new ConfigError(`${file}: ${what}`);
}

/** Parses a C-order 2-D uint8 .npy (format 1.x–3.x). */
export function readNpyUint8(file: string): { shape: [number, number]; data: Uint8Array } {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    bad(file, `cannot read (${(e as Error).message})`);
  }
  if (buf.length < 10 || buf.toString('latin1', 0, 6) !== '\x93NUMPY') bad(file, 'not a .npy file (no \\x93NUMPY magic)');
  const major = buf[6];
  const start = major === 1 ? 10 : 12;
  if (buf.length < start) bad(file, 'truncated .npy header');
  const headerLength = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  if (start + headerLength > buf.length) bad(file, 'truncated .npy header');
  const header = buf.toString('latin1', start, start + headerLength);
  const descr = /'descr':\s*'([^']*)'/.exec(header)?.[1];
  if (!descr || !/^[|<>=]?u1$/.test(descr)) bad(file, `expected dtype uint8 ('|u1'), got '${descr ?? '?'}'`);
  if (/'fortran_order':\s*True/.test(header)) bad(file, 'expected C order (fortran_order False)');
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  const shape = (shapeText ?? '').split(',').map((s) => s.trim()).filter((s) => s.length).map(Number);
  if (shape.length !== 2 || shape.some((n) => !Number.isInteger(n) || n < 0)) bad(file, `expected a 2-D array (states × sites), got shape (${shapeText ?? '?'})`);
  const data = buf.subarray(start + headerLength);
  if (data.length !== shape[0] * shape[1]) bad(file, `holds ${data.length} bytes of data, shape (${shape.join(', ')}) needs ${shape[0] * shape[1]}`);
  return { shape: [shape[0], shape[1]], data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/**
 * Reads generated states and checks them against the config: the site count, the species codes
 * and each state's composition (atoms per species and vacancies), and, from FILE.json when it is
 * there, the temperature they were equilibrated at.
 */
export function loadStates(file: string, config: KinosonConfig, temperature: number): LoadedStates {
  const { shape, data } = readNpyUint8(file);
  const [states, sites] = shape;
  const expectedSites = siteCount(config);
  if (sites !== expectedSites) bad(file, `states have ${sites} sites, the config's ${config.lattice} ${config.supercell}³ supercell has ${expectedSites}`);
  if (states < 2) bad(file, `holds ${states} state(s); at least 2 are needed`);
  const S = config.species.length;
  const want = config.species.map((s) => s.count ?? 0);
  const counts = new Array<number>(S + 1);
  for (let k = 0; k < states; k++) {
    counts.fill(0);
    for (let i = 0; i < sites; i++) {
      const o = data[k * sites + i];
      if (o === VACANCY_CODE) counts[S]++;
      else if (o < S) counts[o]++;
      else bad(file, `state ${k}, site ${i}: code ${o} is neither a species index 0..${S - 1} nor the vacancy code ${VACANCY_CODE}`);
    }
    for (let a = 0; a < S; a++)
      if (counts[a] !== want[a]) bad(file, `state ${k} holds ${counts[a]} atoms of ${config.species[a].name}, the config ${want[a]}`);
    if (counts[S] !== config.vacancies) bad(file, `state ${k} holds ${counts[S]} vacancies, the config ${config.vacancies}`);
  }
  let chains = config.pairs.some((p) => p.J !== 0) ? config.states.chains : 0;
  let T: number | null = null;
  const metaFile = `${file}.json`;
  if (fs.existsSync(metaFile)) {
    const meta = parseJsonText(fs.readFileSync(metaFile, 'utf8'), metaFile, (m) => new ConfigError(m)) as Record<string, unknown>;
    if (typeof meta !== 'object' || meta === null) bad(metaFile, 'expected a JSON object');
    if (typeof meta.dataSha256 === 'string' && createHash('sha256').update(data).digest('hex') !== meta.dataSha256)
      bad(file, `its states do not match ${metaFile} (data checksum differs): the two come from different runs — regenerate them`);
    // Species codes are indices in config order: states of a config with the same counts but
    // another order (or other names) would pass every count check and mean other species.
    const names = config.species.map((s) => s.name);
    if (Array.isArray(meta.species) && meta.species.join('\u0000') !== names.join('\u0000'))
      bad(file, `written for species ${meta.species.join(', ')} (${metaFile}); the config has ${names.join(', ')}`);
    if (typeof meta.temperature === 'number') {
      T = meta.temperature;
      if (Math.abs(T - temperature) > 1e-9 * temperature) bad(file, `states were equilibrated at ${T} K (${metaFile}), the fit is at ${temperature} K`);
    }
    if (typeof meta.chains === 'number' && Number.isInteger(meta.chains) && meta.chains >= 0) chains = meta.chains;
  }
  return { file, states, sites, occupancy: data, chains: Math.min(chains, states), temperature: T };
}
