// Comparing a merged result with the single-process one: numbers to a relative tolerance,
// everything else exactly.

/** Largest relative difference over all numbers of two JSON values; other leaves must be equal. */
export function worstDifference(a: unknown, b: unknown, where = ''): number {
  if (typeof a === 'number' && typeof b === 'number') {
    if (where.endsWith('relativeDifference')) return 0; // itself a round-off measure
    return a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
  }
  if (a && typeof a === 'object' && b && typeof b === 'object') {
    let worst = 0;
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)]))
      worst = Math.max(worst, worstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${where}.${k}`));
    return worst;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`differs at ${where}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
  return 0;
}
