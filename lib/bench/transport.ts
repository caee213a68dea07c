// The transport benchmark's workload, shared by `ionfield bench` and scripts/bench/transport.ts:
// a random walk of `atoms` ions (half cations, half anions) fed to the native correlator in
// batches, one batch in flight at a time, so memory stays bounded. The cost does not depend on the
// values, so steps are drawn once and reused.
import { TransportCorrelator } from '../transport';
import { uniform } from './frames';

export interface WalkFeed {
  frames: number;
  atoms: number;
  threads: number;
  /** Wall seconds from the first add to the sums (generation of the walk included; it is cheap). */
  seconds: number;
  correlatorBytes: number;
  framesSeen: number;
}

export async function feedRandomWalk(frames: number, atoms: number, threads: number, batch = 256): Promise<WalkFeed> {
  const species = Int32Array.from({ length: atoms }, (_, i) => (i < atoms / 2 ? 0 : 1));
  const charges = Float64Array.from(species, (s) => (s === 0 ? 1 : -1));
  const c = new TransportCorrelator({ species, charges, nspecies: 2, threads });
  const mask = (1 << 20) - 1;
  const u = uniform(1);
  const noise = Float64Array.from({ length: mask + 1 }, () => u() - 0.5);
  const r = new Float64Array(3 * atoms);
  let offset = 0;
  const t0 = process.hrtime.bigint();
  for (let f0 = 0; f0 < frames; f0 += batch) {
    const m = Math.min(batch, frames - f0);
    const out = new Float64Array(m * 3 * atoms);
    for (let k = 0; k < m; k++) {
      for (let i = 0; i < 3 * atoms; i++) r[i] += noise[(offset + i) & mask];
      offset = (offset + 7919) & mask;
      out.set(r, k * 3 * atoms);
    }
    await c.add(out, m);
  }
  const sums = await c.sums();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { frames, atoms, threads, seconds, correlatorBytes: c.memoryBytes(), framesSeen: sums.frames };
}
