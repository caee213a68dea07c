// Small statistics used by every analysis: moments, quantiles, and jackknife errors over blocks
// of frames (frames within a block are correlated; blocks are treated as independent).

export function mean(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s / x.length;
}

/** Population moments: mean, variance, skewness (third standardised moment). */
export function moments(x: ArrayLike<number>): { mean: number; variance: number; skewness: number } {
  const m = mean(x);
  let m2 = 0;
  let m3 = 0;
  for (let i = 0; i < x.length; i++) {
    const d = x[i] - m;
    m2 += d * d;
    m3 += d * d * d;
  }
  m2 /= x.length;
  m3 /= x.length;
  return { mean: m, variance: m2, skewness: m2 > 0 ? m3 / Math.pow(m2, 1.5) : 0 };
}

/** Quantile with linear interpolation between order statistics (numpy's default, "linear"). */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * Jackknife over blocks for an estimator computed from per-block sums: `estimate(sums)` gets the
 * sums over all blocks (or over all blocks but one). Returns the value and its standard error
 * (null with fewer than two blocks).
 */
export function jackknife(blocks: number[][], estimate: (sums: number[]) => number): { value: number; error: number | null } {
  const width = blocks[0]?.length ?? 0;
  const total = new Array<number>(width).fill(0);
  for (const b of blocks) for (let k = 0; k < width; k++) total[k] += b[k];
  const value = estimate(total);
  const n = blocks.length;
  if (n < 2) return { value, error: null };
  const leave = blocks.map((b) => estimate(total.map((t, k) => t - b[k])));
  const m = mean(leave);
  let s = 0;
  for (const v of leave) s += (v - m) * (v - m);
  return { value, error: Math.sqrt(((n - 1) / n) * s) };
}

/** Splits `frames` into at most `count` contiguous blocks; returns the block of each frame. */
export function frameBlocks(frames: number, count: number): { blocks: number; of: (frame: number) => number } {
  const blocks = Math.max(1, Math.min(count, frames));
  return { blocks, of: (f) => Math.min(blocks - 1, Math.floor((f * blocks) / frames)) };
}

/** Pearson correlation coefficient. */
export function pearson(x: number[], y: number[]): number {
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

function ranks(x: number[]): number[] {
  const order = x.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const r = new Array<number>(x.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    for (let k = i; k <= j; k++) r[order[k][1]] = (i + j) / 2;  // ties share their mean rank
    i = j + 1;
  }
  return r;
}

/** Spearman rank correlation. */
export function spearman(x: number[], y: number[]): number {
  return pearson(ranks(x), ranks(y));
}

/** A seeded generator (mulberry32), so permutations and test fields are reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal deviates from a uniform generator (Box–Muller). */
export function gaussian(uniform: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}
