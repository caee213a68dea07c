// The number of formula units n_f of the neutral salt, which turns σ into the molar Λ.
// Convention (SCIENCE.md): the salt C_a A_b with a, b the smallest integers with a z_+ = b |z_-|;
// n_f = N_+ / a (1:1 and 2:1 salts: n_f = N_+).

export interface FormulaUnits {
  value: number | null;
  convention: string;
  warning: string | null;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Smallest integers (a, b) with a·zPlus = b·|zMinus|; charges may be fractional (scaled-charge models). */
export function saltStoichiometry(zPlus: number, zMinus: number): [number, number] | null {
  const p = Math.abs(zPlus), m = Math.abs(zMinus);
  if (!(p > 0) || !(m > 0)) return null;
  // Work on charges scaled to integers (up to 1e-6 e resolution).
  const P = Math.round(p * 1e6), M = Math.round(m * 1e6);
  if (Math.abs(P - p * 1e6) > 1e-3 || Math.abs(M - m * 1e6) > 1e-3) return null;
  const g = gcd(P, M);
  return [M / g, P / g];
}

export function formulaUnits(labels: string[], counts: number[], charges: number[], override?: number): FormulaUnits {
  if (override !== undefined)
    return { value: override, convention: `n_f = ${override} formula units (given with --formula-units)`, warning: null };
  const cations = labels.map((_, k) => k).filter((k) => charges[k] > 0 && counts[k] > 0);
  const anions = labels.map((_, k) => k).filter((k) => charges[k] < 0 && counts[k] > 0);
  if (cations.length !== 1 || anions.length !== 1)
    return {
      value: null,
      convention: `n_f undefined: the selection has ${cations.length} cation and ${anions.length} anion species (give --formula-units for a mixture)`,
      warning: 'molar conductivities need the number of formula units: pass --formula-units N for a mixture or a selection without one cation and one anion species',
    };
  const [c, an] = [cations[0], anions[0]];
  const ab = saltStoichiometry(charges[c], charges[an]);
  if (!ab)
    return { value: null, convention: 'n_f undefined: charges not resolvable to a salt formula', warning: 'pass --formula-units N' };
  const [a, b] = ab;
  const nf = counts[c] / a;
  const salt = `C${a === 1 ? '' : a}A${b === 1 ? '' : b}`;
  const neutral = Math.abs(counts[c] * charges[c] + counts[an] * charges[an]) < 1e-6 * (counts[c] * Math.abs(charges[c]) + 1);
  return {
    value: nf,
    convention: `n_f = N_+ / a for the neutral salt C_aA_b with a z_+ = b |z_-|: species ${labels[c]} (z = ${charges[c]}) and ${labels[an]} (z = ${charges[an]}) form ${salt} (a = ${a}, b = ${b}), so n_f = ${counts[c]} / ${a} = ${nf}`,
    warning: neutral ? null : `the selected ions are not electroneutral (net charge ${counts[c] * charges[c] + counts[an] * charges[an]} e); n_f counts cations`,
  };
}
