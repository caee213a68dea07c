// The alloys of the issue-14 agreement studies (kmc-agreement.ts, tail-agreement.ts): random
// binary FCC 6³ over x_B at two rate ratios, BCC 8³, an ordering A–B alloy at two temperatures and
// the FCC 8³ x_B = 0.7, W_B/W_A = 1/100 alloy of the issue (A fast with ν = 1, B with ν = W_B/W_A).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Estimate } from '../../lib/kinosons/index';
import { writeJsonAtomic } from '../../lib/atomic-file';

export interface Case {
  id: string;
  what: string;
  config: Record<string, unknown>;
  temperature: number;
}

function binary(id: string, lattice: string, supercell: number, xB: number, ratio: number, steps: number): Case {
  return {
    id,
    what: `${lattice.toUpperCase()} ${supercell}³ random, x_B = ${xB}, W_B/W_A = ${ratio}`,
    temperature: 1000,
    config: {
      lattice,
      supercell,
      species: [
        { name: 'A', fraction: 1 - xB, nu: 1, e0: 0 },
        { name: 'B', fraction: xB, nu: ratio, e0: 0 },
      ],
      seed: 14,
      kmc: { steps, trajectories: 128 },
    },
  };
}

function ordering(id: string, temperature: number): Case {
  return {
    id,
    what: `FCC 6³ ordering (J_AB = −0.02 eV), x_B = 0.5, ${temperature} K`,
    temperature,
    config: {
      lattice: 'fcc',
      supercell: 6,
      species: [
        { name: 'A', fraction: 0.5, nu: 1e13, e0: 0.7 },
        { name: 'B', fraction: 0.5, nu: 1e13, e0: 0.9 },
      ],
      pairs: [{ shell: 1, a: 'A', b: 'B', J: -0.02 }],
      seed: 14,
      kmc: { steps: 400000, trajectories: 128, equilibrationSweeps: 200 },
      states: { chains: 16, equilibrationSweeps: 200, decorrelationSweeps: 5 },
    },
  };
}

export const cases: Case[] = [
  ...[0.2, 0.35, 0.5, 0.65, 0.8].flatMap((xB) => [
    binary(`fcc6-xB${xB}-r0.1`, 'fcc', 6, xB, 0.1, 400000),
    binary(`fcc6-xB${xB}-r0.01`, 'fcc', 6, xB, 0.01, 800000),
  ]),
  binary('bcc8-xB0.5-r0.01', 'bcc', 8, 0.5, 0.01, 800000),
  ordering('fcc6-order-1000K', 1000),
  ordering('fcc6-order-700K', 700),
  binary('fcc8-xB0.7-r0.01', 'fcc', 8, 0.7, 0.01, 400000),
];

/** The command line of a study: --only ID,ID (cases), --states N (training and validation), --fresh. */
export function studyArguments() {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  return { only: arg('--only')?.split(','), states: Number(arg('--states') ?? 400), fresh: process.argv.includes('--fresh') };
}

// Table cells: a ratio as a signed deviation, an estimate with its error.
export const percent = (x: number) => `${x >= 1 ? '+' : ''}${(100 * (x - 1)).toFixed(1)} %`;
export const withError = (e: Estimate) => `${e.mean.toPrecision(3)} ± ${e.error.toPrecision(1)}`;

/** A case file written by an earlier run with the same configuration (its hash), or null. */
export function cachedCase(file: string, hash: string, fresh: boolean): any | null {
  if (fresh || !fs.existsSync(file)) return null;
  const old = JSON.parse(fs.readFileSync(file, 'utf8'));
  return old.configHash === hash ? old : null;
}

export function saveCase<T>(file: string, result: T): T {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeJsonAtomic(file, result);
  return result;
}
