// Synthetic frames for benchmarks: uniform random ions in a cubic periodic box, two species in
// equal numbers, at the W1 number density (0.38 per ion-diameter³). At rc 6 a uniform frame of
// 4,096 ions has the same pair count as the W1 liquid to within 0.2 %, which is what the neighbour
// list and symmetry-function costs depend on; no simulator is needed, so any machine can run it.
import type { FrameBatch } from '../trajectory';

/** Number density of the W1 benchmark frame (ions per cubed ion diameter). */
export const W1_DENSITY = 0.38;

/** A deterministic LCG: the same frames on every machine, so JSONs from two machines compare. */
export function uniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (Math.imul(a, 1103515245) + 12345) >>> 0;
    return a / 4294967296;
  };
}

/** `frames` frames of `natoms` ions (types '1','2' alternating; charges +1/-1), orthorhombic box. */
export function randomBatch(natoms: number, frames = 1, seed = 7, density = W1_DENSITY): FrameBatch {
  const L = Math.cbrt(natoms / density);
  const r = uniform(seed);
  const positions = new Float64Array(frames * natoms * 3);
  for (let k = 0; k < positions.length; k++) positions[k] = r() * L;
  const boxes = new Float64Array(9 * frames);
  for (let f = 0; f < frames; f++) boxes.set([L, 0, 0, 0, L, 0, 0, 0, L], 9 * f);
  const types = Array.from({ length: natoms }, (_, i) => (i % 2 ? '2' : '1'));
  return {
    first: 0, frames, natoms, positions, boxes,
    origins: new Float64Array(3 * frames),
    steps: Float64Array.from({ length: frames }, (_, f) => f),
    times: Float64Array.from({ length: frames }, (_, f) => f),
    types,
    charges: Float64Array.from(types, (t) => (t === '1' ? 1 : -1)),
    unwrapped: false,
    periodic: [true, true, true],
  };
}

/** Frame k of a batch as a batch of one (copies). */
export function frameOf(b: FrameBatch, k: number): FrameBatch {
  const n3 = b.natoms * 3;
  return { ...b, first: b.first + k, frames: 1, positions: b.positions.slice(k * n3, (k + 1) * n3), boxes: b.boxes ? b.boxes.slice(9 * k, 9 * k + 9) : null, origins: b.origins.slice(3 * k, 3 * k + 3), steps: b.steps.slice(k, k + 1), times: b.times.slice(k, k + 1) };
}
