// Repeated timing of one benchmark case: min, median and max wall seconds over repeats, after a
// warm-up run (first-call costs — page faults, thread-pool start, CUDA context — are not the
// steady state a suite compares across machines).

export interface Timing {
  repeats: number;
  /** Wall-clock seconds of one repeat. */
  min: number;
  median: number;
  max: number;
}

let fullGc: (() => void) | undefined;

/**
 * Frees what the last repeat dropped before the next one is timed: a timer turn first (the last
 * call's arrays outlive a collection made in the same turn of the event loop, seen on Node 20),
 * then a full collection, then an immediate for the finalizers that free dropped native buffers.
 */
export async function dropGarbage(): Promise<void> {
  if (!fullGc) {
    const v8 = await import('node:v8');
    const vm = await import('node:vm');
    v8.setFlagsFromString('--expose-gc');
    fullGc = vm.runInNewContext('gc') as () => void;
  }
  await new Promise((resolve) => setTimeout(resolve, 0));
  fullGc();
  await new Promise((resolve) => setImmediate(resolve));
}

export function summarise(seconds: number[]): Timing {
  const s = [...seconds].sort((a, b) => a - b);
  const n = s.length;
  const median = n % 2 ? s[(n - 1) / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
  return { repeats: n, min: s[0], median, max: s[n - 1] };
}

/**
 * Runs `work` once to warm up, then times it `repeats` times — fewer when the warm-up shows that
 * so many would take longer than `budget` seconds (at least one). Returns the timing and the last
 * result (the caller checks it for sanity).
 */
export async function timeRepeats<T>(work: () => Promise<T> | T, repeats: number, budget = Infinity): Promise<{ timing: Timing; last: T }> {
  const w0 = process.hrtime.bigint();
  let last = await work();
  const warm = Number(process.hrtime.bigint() - w0) / 1e9;
  const n = Math.max(1, Math.min(repeats, Math.floor(budget / Math.max(warm, 1e-9))));
  const seconds: number[] = [];
  for (let k = 0; k < n; k++) {
    const t0 = process.hrtime.bigint();
    last = await work();
    seconds.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return { timing: summarise(seconds), last };
}
