// Exact order statistics of a sample that is read in passes rather than held: each pass sorts the
// values still in question into 4096 buckets (counts, and each bucket's smallest and largest value),
// and the bucket holding the wanted rank becomes the next range; once that range holds few enough
// values they are collected and sorted. Buckets are contiguous in value (the bucket index is a
// monotone function of the value), so [min, max] of a bucket holds exactly its values: the result
// is the k-th smallest value itself, as a full sort gives it. A handful of passes for any sample.

const BUCKETS = 4096;
const COLLECT = 1 << 16;

interface Target {
  rank: number;
  lo: number;
  hi: number;
  /** Values below lo. */
  below: number;
  /** Values in [lo, hi]. */
  inside: number;
  value: number | null;
}

/**
 * The values at the given ranks (0-based, ascending order) of a sample of `n` finite values, of
 * which `pass()` yields all, in any chunking and order, once per call. min and max: the sample's.
 */
export function orderStatistics(pass: () => Iterable<ArrayLike<number>>, n: number, ranks: number[], min: number, max: number): number[] {
  const targets: Target[] = ranks.map((rank) => {
    if (!(Number.isInteger(rank) && rank >= 0 && rank < n)) throw new RangeError(`rank ${rank} outside a sample of ${n}`);
    return { rank, lo: min, hi: max, below: 0, inside: n, value: min === max ? min : null };
  });
  for (;;) {
    const open = targets.filter((t) => t.value === null);
    if (open.length === 0) break;
    const collect = open.filter((t) => t.inside <= COLLECT);
    const narrow = open.filter((t) => t.inside > COLLECT);
    const kept = collect.map(() => [] as number[]);
    const count = narrow.map(() => new Float64Array(BUCKETS));
    const lo = narrow.map(() => new Float64Array(BUCKETS).fill(Infinity));
    const hi = narrow.map(() => new Float64Array(BUCKETS).fill(-Infinity));
    for (const chunk of pass()) {
      for (let i = 0; i < chunk.length; i++) {
        const v = chunk[i];
        for (let c = 0; c < collect.length; c++) if (v >= collect[c].lo && v <= collect[c].hi) kept[c].push(v);
        for (let c = 0; c < narrow.length; c++) {
          const t = narrow[c];
          if (v < t.lo || v > t.hi) continue;
          const b = Math.min(BUCKETS - 1, Math.floor(((v - t.lo) / (t.hi - t.lo)) * BUCKETS));
          count[c][b]++;
          if (v < lo[c][b]) lo[c][b] = v;
          if (v > hi[c][b]) hi[c][b] = v;
        }
      }
    }
    collect.forEach((t, c) => {
      const sorted = Float64Array.from(kept[c]).sort();
      if (sorted.length !== t.inside) throw new Error(`order statistics: a pass gave ${sorted.length} values in range, the previous ${t.inside} (the data changed between passes?)`);
      t.value = sorted[t.rank - t.below];
    });
    narrow.forEach((t, c) => {
      let before = t.below;
      for (let b = 0; b < BUCKETS; b++) {
        if (t.rank < before + count[c][b]) {
          t.below = before;
          t.inside = count[c][b];
          t.lo = lo[c][b];
          t.hi = hi[c][b];
          if (t.lo === t.hi) t.value = t.lo;
          return;
        }
        before += count[c][b];
      }
      throw new Error('order statistics: the rank fell outside every bucket (the data changed between passes?)');
    });
  }
  return targets.map((t) => t.value!);
}

/** quantile() of stats.ts (numpy "linear") from the order statistics it needs. */
export function quantileRanks(n: number, q: number): { lo: number; hi: number; frac: number } {
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  return { lo, hi: Math.min(n - 1, lo + 1), frac: h - lo };
}
