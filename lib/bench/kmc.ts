// The lattice-KMC benchmark model, shared by `ionfield bench` and scripts/bench/kmc.ts: an FCC
// binary alloy with one vacancy, A:B ≈ 1:1, attempt rates 1 : 0.3, T = 1000 K, optionally with
// nearest-neighbour pair interactions (every step then recomputes 12 local energy changes).
import { KinosonConfig, validateConfig } from '../kinosons/index';

export function kmcBenchConfig(cells: number, interacting: boolean, threads: number, steps: number): KinosonConfig {
  const sites = 4 * cells ** 3;
  const b = Math.floor((sites - 1) / 2);
  return validateConfig({
    lattice: 'fcc',
    supercell: cells,
    species: [
      { name: 'A', count: sites - 1 - b, nu: 1, e0: 0 },
      { name: 'B', count: b, nu: 0.3, e0: 0 },
    ],
    pairs: interacting
      ? [
          { shell: 1, a: 'A', b: 'A', J: -0.02 },
          { shell: 1, a: 'A', b: 'B', J: 0.01 },
          { shell: 1, a: 'B', b: 'B', J: -0.02 },
        ]
      : [],
    temperatures: [1000],
    threads,
    kmc: { steps, trajectories: threads === 1 ? 2 : 2 * threads, equilibrationSweeps: 0 },
  });
}

/** The FCC supercell (4 sites per cell) whose site count is nearest to `sites`. */
export function cellsFor(sites: number): number {
  return Math.max(2, Math.round(Math.cbrt(sites / 4)));
}
