// Species-agnostic inputs of the shared local-conductivity network (docs/model.md, "The shared
// network"). The descriptors are computed per centre species and resolved by neighbour species (the
// element-resolved symmetry functions of n2p2). One network for every ion needs inputs that mean the
// same thing for every species, also for a species it never saw (a trivalent ion), so each column is
// folded by the charges of the ions involved:
//   N:f  = Σ_b G[b]                    every neighbour (radial), every pair (angular): crowding
//   Q:f  = Σ_b sgn(z_i) z_b G[b]       radial, charge-weighted: counter-ions count −|z_b|, co-ions +|z_b|
//   S:f  = Σ_{b: z_b = 0} G[b]         radial, neutral neighbours only (explicit solvent)
//   V:f  = Σ_b d_b³ G[b]               radial, weighted by the neighbours' volume (diameter d_b):
//                                      packing, which number counts alone cannot tell apart
//   Q:f  = Σ_{b,c} z_b z_c G[b,c]      angular: like-charged pairs +, mixed pairs −
// plus |z_i| and the ion's own diameter d_i (the species' size, from the user or the family's
// parameters; 1 when unknown). All of these are unchanged when every charge flips sign (the local conductivity is:
// λ_i ∝ z_i Δr_i·Σ_j z_j Δr_j), so the cations and anions of a symmetric salt get the same inputs
// and the same prediction by construction. Each ion also sees its frame's context: the mean of
// these features over all ions of the frame (`frame:` names), the static picture of the whole
// electrolyte (density, pairing, size) that a per-ion network cannot otherwise average over, and
// the same mean over each of the two kinds of ion separately: `frameA:` over the ions of the sign
// whose species has the larger |z| (ties: the larger diameter, then the cations), `frameB:` over
// their counter-ions. The log-linear readout (readout.ts) sets the electrolyte's scale from these,
// which keep apart what the all-ion mean blends (a 2:1 salt's crowded anions and sparse cations);
// choosing A by valence and size rather than by sign keeps every input unchanged under charge
// conjugation.
// The fold is a sparse linear map (at most two outputs per input column); it runs on float32 rows.
import type { DatasetColumn } from './dataset';

export interface SharedLayout {
  /** Keys of the folded functions (a column's parameters without its species), in input order. */
  radial: string[];
  angular: string[];
  /** Input names: '|z|', 'd', N:/Q:/S:/V: per radial key, N:/Q: per angular key, then the same with 'frame:'. */
  names: string[];
  /** Features per ion (names.length). */
  size: number;
  /** Features that are the ion's own (the first `own` names); the rest are frame means. */
  own: number;
}

function keyOf(c: DatasetColumn): { kind: 'radial' | 'angular'; key: string } {
  const t = String(c.type);
  const p = (k: string) => (c[k] === undefined ? '' : `${k}=${c[k]}`);
  if (t === 'G2') return { kind: 'radial', key: `G2(${[p('eta'), p('rs'), p('cutoff')].join(',')})` };
  return { kind: 'angular', key: `${t}(${[p('eta'), p('zeta'), p('lambda'), p('rs'), p('cutoff')].filter(Boolean).join(',')})` };
}

/** The layout of a descriptor set's columns (any species' column list gives the same keys). */
export function sharedLayout(columnsBySpecies: DatasetColumn[][]): SharedLayout {
  const radial: string[] = [];
  const angular: string[] = [];
  for (const cols of columnsBySpecies)
    for (const c of cols) {
      const { kind, key } = keyOf(c);
      const list = kind === 'radial' ? radial : angular;
      if (!list.includes(key)) list.push(key);
    }
  const own = ['|z|', 'd', ...radial.map((k) => `N:${k}`), ...radial.map((k) => `Q:${k}`), ...radial.map((k) => `S:${k}`), ...radial.map((k) => `V:${k}`), ...angular.map((k) => `N:${k}`), ...angular.map((k) => `Q:${k}`)];
  const names = [...own, ...own.map((n) => `frame:${n}`), ...own.map((n) => `frameA:${n}`), ...own.map((n) => `frameB:${n}`)];
  return { radial, angular, names, size: names.length, own: own.length };
}

/** Neighbour species of a column ('neighbours' is an array of labels). */
function neighboursOf(c: DatasetColumn): string[] {
  const n = c.neighbours;
  return Array.isArray(n) ? n.map(String) : [String(n)];
}

/** Offsets of the own inputs: |z| at 0, d at 1, then the radial N, Q, S, V blocks and angular N, Q. */
export function ownOffsets(layout: Pick<SharedLayout, 'radial' | 'angular'>) {
  const R = layout.radial.length, A = layout.angular.length;
  return { z: 0, d: 1, N: 2, Q: 2 + R, S: 2 + 2 * R, V: 2 + 3 * R, angularN: 2 + 4 * R, angularQ: 2 + 4 * R + A };
}

export const FOLD_OUTPUTS = 3;

/**
 * The fold of one centre species' columns: input column k goes to outputs out[3k..3k+2] with
 * weights w[3k..3k+2] (−1: none). Throws when a neighbour species has no known charge.
 */
export interface SpeciesFold {
  charge: number;
  /** The centre species' diameter. */
  size: number;
  out: Int32Array;
  weight: Float64Array;
}

export function speciesFold(layout: SharedLayout, columns: DatasetColumn[], centre: string, charges: Record<string, number>, sizes: Record<string, number> = {}): SpeciesFold {
  const K = FOLD_OUTPUTS;
  const out = new Int32Array(K * columns.length).fill(-1);
  const weight = new Float64Array(K * columns.length);
  const o = ownOffsets(layout);
  const sizeOf = (label: string) => sizes[label] ?? 1;
  const zOf = (label: string) => {
    const z = charges[label];
    if (z === undefined || !Number.isFinite(z)) throw new Error(`shared features: no charge for neighbour species '${label}'`);
    return z;
  };
  columns.forEach((c, k) => {
    const { kind, key } = keyOf(c);
    const nb = neighboursOf(c);
    if (kind === 'radial') {
      const r = layout.radial.indexOf(key);
      if (r < 0) throw new Error(`shared features: column ${c.name} is not in the model's layout`);
      out[K * k] = o.N + r;
      weight[K * k] = 1;
      const zb = zOf(nb[0]);
      // A charged neighbour adds to Q, a neutral one to S (its Q weight would be 0).
      out[K * k + 1] = zb !== 0 ? o.Q + r : o.S + r;
      weight[K * k + 1] = zb !== 0 ? Math.sign(zOf(centre)) * zb : 1;
      out[K * k + 2] = o.V + r;
      weight[K * k + 2] = sizeOf(nb[0]) ** 3;
    } else {
      const a = layout.angular.indexOf(key);
      if (a < 0) throw new Error(`shared features: column ${c.name} is not in the model's layout`);
      out[K * k] = o.angularN + a;
      weight[K * k] = 1;
      out[K * k + 1] = o.angularQ + a;
      weight[K * k + 1] = zOf(nb[0]) * zOf(nb[nb.length - 1]);
    }
  });
  return { charge: zOf(centre), size: sizeOf(centre), out, weight };
}

/**
 * Shared rows of one frame set: `perSpecies[s]` holds float32 [frames × ions_s × F_s] for the
 * species with `folds[s]`; the result is float32 [frames × Σ ions_s × layout.size], ions in species
 * order, each row its own folded features followed by the frame's mean of them.
 */
export function foldFrames(layout: SharedLayout, folds: SpeciesFold[], perSpecies: { ions: number; features: Float32Array }[], frames: number): Float32Array {
  const P = layout.size, own = layout.own;
  const ions = perSpecies.reduce((a, s) => a + s.ions, 0);
  const out = new Float32Array(frames * ions * P);
  const row = new Float64Array(own);
  const mean = new Float64Array(own), plus = new Float64Array(own), minus = new Float64Array(own);
  const signA = groupASign(folds);
  const cations = perSpecies.reduce((a, s, k) => a + (folds[k].charge * signA > 0 ? s.ions : 0), 0);
  const anions = perSpecies.reduce((a, s, k) => a + (folds[k].charge * signA < 0 ? s.ions : 0), 0);
  for (let t = 0; t < frames; t++) {
    mean.fill(0);
    plus.fill(0);
    minus.fill(0);
    let r = t * ions;
    perSpecies.forEach((sp, s) => {
      const fold = folds[s];
      const F = fold.out.length / FOLD_OUTPUTS;
      for (let i = 0; i < sp.ions; i++, r++) {
        row.fill(0);
        row[0] = Math.abs(fold.charge);
        row[1] = fold.size;
        const base = (t * sp.ions + i) * F;
        for (let k = 0; k < F; k++) {
          const v = sp.features[base + k];
          for (let j = FOLD_OUTPUTS * k; j < FOLD_OUTPUTS * (k + 1); j++) if (fold.out[j] >= 0) row[fold.out[j]] += fold.weight[j] * v;
        }
        const signed = fold.charge * signA > 0 ? plus : fold.charge * signA < 0 ? minus : null;
        for (let k = 0; k < own; k++) {
          out[r * P + k] = row[k];
          mean[k] += row[k];
          if (signed) signed[k] += row[k];
        }
      }
    });
    for (let k = 0; k < own; k++) {
      mean[k] /= ions;
      plus[k] /= Math.max(1, cations);
      minus[k] /= Math.max(1, anions);
    }
    for (let q = t * ions; q < (t + 1) * ions; q++)
      for (let k = 0; k < own; k++) {
        out[q * P + own + k] = mean[k];
        out[q * P + 2 * own + k] = plus[k];
        out[q * P + 3 * own + k] = minus[k];
      }
  }
  return out;
}

/**
 * The sign of group A (`frameA:`): the sign of the charged species with the largest |z|, then the
 * largest diameter; +1 when the two signs tie (a symmetric salt, whose two groups are alike).
 */
export function groupASign(folds: Pick<SpeciesFold, 'charge' | 'size'>[]): 1 | -1 {
  let best: { z: number; d: number; sign: 1 | -1 } | null = null;
  let tie = false;
  for (const f of folds) {
    if (f.charge === 0) continue;
    const c = { z: Math.abs(f.charge), d: f.size, sign: (f.charge > 0 ? 1 : -1) as 1 | -1 };
    if (!best || c.z > best.z + 1e-9 || (Math.abs(c.z - best.z) <= 1e-9 && c.d > best.d + 1e-9)) {
      best = c;
      tie = false;
    } else if (Math.abs(c.z - best.z) <= 1e-9 && Math.abs(c.d - best.d) <= 1e-9 && c.sign !== best.sign) tie = true;
  }
  return !best || tie ? 1 : best.sign;
}