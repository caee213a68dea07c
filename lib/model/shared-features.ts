// Species-agnostic inputs of the shared local-conductivity network (docs/model.md, "The shared
// network"). The descriptors are computed per centre species and resolved by neighbour species (the
// element-resolved symmetry functions of n2p2). One network for every ion needs inputs that mean the
// same thing for every species, also for a species it never saw (a trivalent ion), so each column is
// folded by the charges of the ions involved:
//   N:f  = Σ_b G[b]                    every neighbour (radial), every pair (angular): crowding
//   Q:f  = Σ_b sgn(z_i) z_b G[b]       radial, charge-weighted: counter-ions count −|z_b|, co-ions +|z_b|
//   S:f  = Σ_{b: z_b = 0} G[b]         radial, neutral neighbours only (explicit solvent)
//   Q:f  = Σ_{b,c} z_b z_c G[b,c]      angular: like-charged pairs +, mixed pairs −
// plus |z_i|. All of these are unchanged when every charge flips sign (the local conductivity is:
// λ_i ∝ z_i Δr_i·Σ_j z_j Δr_j), so the cations and anions of a symmetric salt get the same inputs
// and the same prediction by construction. Each ion also sees its frame's context: the mean of
// these features over all ions of the frame (`frame:` names), the static picture of the whole
// electrolyte (density, pairing, size) that a per-ion network cannot otherwise average over.
// The fold is a sparse linear map (at most two outputs per input column); it runs on float32 rows.
import type { DatasetColumn } from './dataset';

export interface SharedLayout {
  /** Keys of the folded functions (a column's parameters without its species), in input order. */
  radial: string[];
  angular: string[];
  /** Input names: '|z|', N:/Q:/S: per radial key, N:/Q: per angular key, then the same with 'frame:'. */
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
  const own = ['|z|', ...radial.map((k) => `N:${k}`), ...radial.map((k) => `Q:${k}`), ...radial.map((k) => `S:${k}`), ...angular.map((k) => `N:${k}`), ...angular.map((k) => `Q:${k}`)];
  const names = [...own, ...own.map((n) => `frame:${n}`)];
  return { radial, angular, names, size: names.length, own: own.length };
}

/** Neighbour species of a column ('neighbours' is an array of labels). */
function neighboursOf(c: DatasetColumn): string[] {
  const n = c.neighbours;
  return Array.isArray(n) ? n.map(String) : [String(n)];
}

/**
 * The fold of one centre species' columns: for input column k, outputs out[2k], out[2k+1] with
 * weights w[2k], w[2k+1] (−1: none). Throws when a neighbour species has no known charge.
 */
export interface SpeciesFold {
  charge: number;
  out: Int32Array;
  weight: Float64Array;
}

export function speciesFold(layout: SharedLayout, columns: DatasetColumn[], charge: number, charges: Record<string, number>): SpeciesFold {
  const out = new Int32Array(2 * columns.length).fill(-1);
  const weight = new Float64Array(2 * columns.length);
  const R = layout.radial.length, A = layout.angular.length;
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
      out[2 * k] = 1 + r;
      weight[2 * k] = 1;
      const zb = zOf(nb[0]);
      // A charged neighbour adds to Q, a neutral one to S (its Q weight would be 0).
      out[2 * k + 1] = zb !== 0 ? 1 + R + r : 1 + 2 * R + r;
      weight[2 * k + 1] = zb !== 0 ? Math.sign(charge) * zb : 1;
    } else {
      const a = layout.angular.indexOf(key);
      if (a < 0) throw new Error(`shared features: column ${c.name} is not in the model's layout`);
      out[2 * k] = 1 + 3 * R + a;
      weight[2 * k] = 1;
      out[2 * k + 1] = 1 + 3 * R + A + a;
      weight[2 * k + 1] = zOf(nb[0]) * zOf(nb[nb.length - 1]);
    }
  });
  return { charge, out, weight };
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
  const mean = new Float64Array(own);
  for (let t = 0; t < frames; t++) {
    mean.fill(0);
    let r = t * ions;
    perSpecies.forEach((sp, s) => {
      const fold = folds[s];
      const F = fold.out.length / 2;
      for (let i = 0; i < sp.ions; i++, r++) {
        row.fill(0);
        row[0] = Math.abs(fold.charge);
        const base = (t * sp.ions + i) * F;
        for (let k = 0; k < F; k++) {
          const v = sp.features[base + k];
          row[fold.out[2 * k]] += fold.weight[2 * k] * v;
          row[fold.out[2 * k + 1]] += fold.weight[2 * k + 1] * v;
        }
        for (let k = 0; k < own; k++) {
          out[r * P + k] = row[k];
          mean[k] += row[k];
        }
      }
    });
    for (let k = 0; k < own; k++) mean[k] /= ions;
    for (let q = t * ions; q < (t + 1) * ions; q++) for (let k = 0; k < own; k++) out[q * P + own + k] = mean[k];
  }
  return out;
}
