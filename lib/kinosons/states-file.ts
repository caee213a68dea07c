// Writing equilibrium states as `kinosons generate` does: FILE.npy (states × sites, uint8) and its
// description FILE.npy.json, installed together. Shared by the single run and the merge of its
// shards (lib/kinosons/generate-shard.ts), so both write the same files.
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { writeFilesTogether } from '../atomic-file';
import { KinosonConfig } from './config';
import { npyUint8 } from './index';

export interface StatesToWrite {
  states: number;
  sites: number;
  occupancy: Uint8Array;
  positions: ArrayLike<number>;
}

/** Writes the pair and returns the description without the site positions (the command's summary). */
export function writeStatesFiles(file: string, config: KinosonConfig, temperature: number, set: 'training' | 'validation', seed: number, r: StatesToWrite): Record<string, unknown> {
  const meta = {
    schema: 'ionfield.kinosons.states/1',
    file: path.resolve(file),
    temperature,
    lattice: config.lattice,
    supercell: config.supercell,
    states: r.states,
    sites: r.sites,
    species: config.species.map((s) => s.name),
    vacancyCode: 255,
    positions: Array.from(r.positions),
    positionUnit: 'a/2',
    set,
    seed,
    chains: chainsOf(config, r.states),
    // The description names its array: loadStates refuses a pair from different runs.
    dataSha256: createHash('sha256').update(r.occupancy).digest('hex'),
  };
  writeFilesTogether([{ file: `${file}.json`, content: JSON.stringify(meta, null, 2) + '\n' }, { file, content: npyUint8(r.occupancy, [r.states, r.sites]) }]);
  return { ...meta, positions: undefined };
}

/** Swap-MC chains the states come from (0: independent states, a non-interacting model). */
export function chainsOf(config: KinosonConfig, states: number): number {
  return config.pairs.some((p) => p.J !== 0) ? Math.min(config.states.chains, states) : 0;
}
