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
    return { rank, lo: min, hi: max, below: 0, inside: n, value: null };
  });
  for (;;) {
    const open = targets.filter((t) => t.value === null);
    if (open.length === 0) break;
    // Targets whose ranges coincide (all of them on the first pass, the two ranks of a quantile
    // often later) share one histogram or one collection: a pass costs per range, not per rank.
    const ranges = new Map<string, { lo: number; hi: number; inside: number; targets: Target[] }>();
    for (const t of open) {
      const key = `${t.lo}:${t.hi}`;
      if (!ranges.has(key)) ranges.set(key, { lo: t.lo, hi: t.hi, inside: t.inside, targets: [] });
      ranges.get(key)!.targets.push(t);
    }
    const collect = [...ranges.values()].filter((r) => r.inside <= COLLECT);
    const narrow = [...ranges.values()].filter((r) => r.inside > COLLECT);
    const kept = collect.map((r) => ({ values: new Float64Array(r.inside), n: 0 }));
    const count = narrow.map(() => new Float64Array(BUCKETS));
    const lo = narrow.map(() => new Float64Array(BUCKETS).fill(Infinity));
    const hi = narrow.map(() => new Float64Array(BUCKETS).fill(-Infinity));
    // −0 and +0 compare equal but sort apart (−0 first, as Float64Array.sort puts them): count −0s.
    const negativeZeros = narrow.map(() => new Float64Array(BUCKETS));
    for (const chunk of pass()) {
      for (let i = 0; i < chunk.length; i++) {
        const v = chunk[i];
        for (let c = 0; c < collect.length; c++)
          if (v >= collect[c].lo && v <= collect[c].hi) {
            const k = kept[c];
            if (k.n === k.values.length) throw new Error('order statistics: a pass gave more values in range than the previous one (the data changed between passes?)');
            k.values[k.n++] = v;
          }
        for (let c = 0; c < narrow.length; c++) {
          const r = narrow[c];
          if (v < r.lo || v > r.hi) continue;
          const b = r.hi > r.lo ? Math.min(BUCKETS - 1, Math.floor(((v - r.lo) / (r.hi - r.lo)) * BUCKETS)) : 0;
          count[c][b]++;
          if (v === 0 && Object.is(v, -0)) negativeZeros[c][b]++;
          if (v < lo[c][b]) lo[c][b] = v;
          if (v > hi[c][b]) hi[c][b] = v;
        }
      }
    }
    collect.forEach((r, c) => {
      if (kept[c].n !== r.inside) throw new Error(`order statistics: a pass gave ${kept[c].n} values in range, the previous ${r.inside} (the data changed between passes?)`);
      const sorted = kept[c].values.sort();
      for (const t of r.targets) t.value = sorted[t.rank - t.below];
    });
    narrow.forEach((r, c) => {
      for (const t of r.targets) {
        let before = t.below;
        let b = 0;
        for (; b < BUCKETS; b++) {
          if (t.rank < before + count[c][b]) break;
          before += count[c][b];
        }
        if (b === BUCKETS) throw new Error('order statistics: the rank fell outside every bucket (the data changed between passes?)');
        t.below = before;
        t.inside = count[c][b];
        t.lo = lo[c][b];
        t.hi = hi[c][b];
        if (t.lo === t.hi) t.value = t.lo === 0 ? (t.rank - t.below < negativeZeros[c][b] ? -0 : 0) : t.lo;
      }
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
