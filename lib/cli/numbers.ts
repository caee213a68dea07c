// Numbers as the text outputs print them: 4 significant digits (exponent form outside 1e-3..1e4),
// and "value ± error" with a 2-digit error.
export const fmt = (v: number | null, digits = 4) => (v === null ? 'n/a' : Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(digits - 1) : v.toPrecision(digits));
export const pm = (q: { value: number | null; error: number | null }) => `${fmt(q.value)} ± ${fmt(q.error, 2)}`;
/** "mean ± error" of a {mean, error} estimate (kinosons), the error to 2 digits. */
export const meanPm = (e: { mean: number; error: number }, digits = 4) => `${e.mean.toPrecision(digits)} ± ${e.error.toPrecision(2)}`;
