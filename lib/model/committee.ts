// Model selection by inner cross-validation over systems, and the committee it leaves behind
// (docs/model.md, "Nested evaluation"). Given training systems only:
//   1. split them into K stratified folds (salt type, Bjerrum length, density); by default K is the
//      number of training systems (leave one system out): the inner task is then the outer one,
//      predicting one unseen system from all the others. Five folds take ~20 % of the systems away
//      at once, often a system's nearest neighbours in salt type and density with it, and so
//      favour stronger ridge penalties than the outer task needs (docs/model.md, "Selection and committee");
//   2. for every candidate (feature set × ridge α), fit on K−1 folds and predict Λ of every system
//      of the remaining fold; score = mean squared log error against the systems' reference Λ;
//   3. keep the best candidate; its K fold models are the committee: the prediction is their mean,
//      their spread is the model-error signal that calibration scales into an error bar.
// Nothing here sees a system outside `train`: a nested study calls this once per held-out system.
import { fitLogReadout, fitReadout, Readout, readoutLambda, SystemMoments } from './readout';

export interface Candidate {
  /** Name of the feature subset (e.g. 'radial', 'radial+angular'). */
  features: string;
  alpha: number;
  /** Readout kind (readout.ts): 'linear' (default) or 'log' (log-linear scale × local share). */
  kind?: 'linear' | 'log';
}

/** Fits a candidate's readout on the given systems' moments. */
export function fitCandidate(candidate: Candidate, moments: SystemMoments[], count?: number[]): Readout {
  return candidate.kind === 'log' ? fitLogReadout(moments, candidate.alpha, count) : fitReadout(moments, candidate.alpha, count);
}

export interface TrainingSystem {
  name: string;
  /** Moments per feature subset name. */
  moments: Record<string, SystemMoments>;
  /** Per feature subset: each centre species' mean features (the domain's points). */
  speciesMeans: Record<string, { label: string; x: number[] }[]>;
  /** Reference Λ (Einstein–Helfand of the whole run, else the targets' mean). */
  reference: number;
  /** Sort key for stratified folds: salt type, then l_B, then density. */
  stratum: [string, number, number];
}

export interface Committee {
  candidate: Candidate;
  members: Readout[];
  /** Inner-CV score of every candidate (mean squared log error), best first. */
  scores: { candidate: Candidate; score: number; worst: number }[];
  folds: string[][];
}

/** K groups, stratified: systems sorted by salt type, l_B and density, dealt round-robin. */
export function stratifiedFolds<T extends { name: string; stratum: [string, number, number] }>(systems: T[], k: number): T[][] {
  const order = [...systems].sort((a, b) => a.stratum[0].localeCompare(b.stratum[0]) || a.stratum[1] - b.stratum[1] || a.stratum[2] - b.stratum[2] || a.name.localeCompare(b.name));
  const folds: T[][] = Array.from({ length: Math.min(k, systems.length) }, () => []);
  order.forEach((s, i) => folds[i % folds.length].push(s));
  return folds;
}

/** Inner folds: a number K, or 'loo' (one fold per training system). */
export type InnerFolds = number | 'loo';

/** A command-line value of inner folds: 'loo' or an integer ≥ 2. */
export function innerFoldsOption(text: string): InnerFolds {
  if (text === 'loo') return 'loo';
  const k = Number(text);
  if (!(Number.isInteger(k) && k >= 2)) throw new Error(`--inner-folds: expected 'loo' or an integer ≥ 2, got '${text}'`);
  return k;
}

export function selectCommittee(train: TrainingSystem[], candidates: Candidate[], k: InnerFolds = 'loo'): Committee {
  if (train.length < 3) throw new Error(`model selection needs at least 3 training systems, got ${train.length}`);
  if (k !== 'loo' && !(Number.isInteger(k) && k >= 2)) throw new Error(`inner folds: expected an integer ≥ 2 or 'loo', got ${k}`);
  const folds = stratifiedFolds(train, k === 'loo' ? train.length : k);
  const scores = candidates.map((candidate) => {
    let sq = 0, worst = 0, n = 0;
    const members: Readout[] = [];
    for (const held of folds) {
      const fit = train.filter((s) => !held.includes(s));
      const r = fitCandidate(candidate, fit.map((s) => s.moments[candidate.features]));
      members.push(r);
      for (const s of held) {
        const pred = readoutLambda(r, s.moments[candidate.features]);
        // A non-positive Λ is as wrong as a model can be: score it as a factor-of-e error per unit.
        const e = pred > 0 ? Math.log(pred / s.reference) : 1 + Math.abs(pred - s.reference) / Math.abs(s.reference);
        sq += e * e;
        worst = Math.max(worst, Math.abs(e));
        n++;
      }
    }
    return { candidate, score: sq / n, worst, members };
  });
  scores.sort((a, b) => a.score - b.score);
  return {
    candidate: scores[0].candidate,
    members: scores[0].members,
    scores: scores.map(({ candidate, score, worst }) => ({ candidate, score, worst })),
    folds: folds.map((f) => f.map((s) => s.name)),
  };
}

/** The committee's Λ for a system: mean and standard deviation over members. */
export function committeeLambda(c: Committee, moments: Record<string, SystemMoments>): { value: number; spread: number; members: number[] } {
  const m = moments[c.candidate.features];
  const members = c.members.map((r) => readoutLambda(r, m));
  const value = members.reduce((a, b) => a + b, 0) / members.length;
  const spread = Math.sqrt(members.reduce((a, b) => a + (b - value) ** 2, 0) / Math.max(1, members.length - 1));
  return { value, spread, members };
}

// ---------------------------------------------------------------------------------------------
// Calibration: the committee's spread measures how much the fit moves with the training systems,
// not how far the model is from the truth. The model error is taken as
//   σ_model² = (k · spread)² + (f · Λ_ML)²
// in two steps:
//   1. shape: k and f by maximum likelihood on held-out residuals r = Λ_ML − Λ_ref, each with
//      variance σ_model² + σ_stat² + σ_ref² (the reference's own error counts too);
//   2. size: both scaled by the smallest factor c ≥ 1 that makes ±2σ a split-conformal interval of
//      the Gaussian ±2σ content (95.45 %) on those residuals. Maximum likelihood matches the rms of
//      z; held-out residuals of a model are heavier-tailed than Gaussian (a few systems the fit
//      misses), and then ±2σ from the rms alone covers fewer than the 95 % it claims. The conformal
//      step changes nothing when the residuals are Gaussian (c ≈ 1) and never narrows the bar.

export interface Residual {
  name: string;
  predicted: number;
  spread: number;
  stat: number;
  reference: number;
  referenceError: number;
}

export interface Calibration {
  k: number;
  f: number;
  /** The maximum-likelihood (k, f) before the conformal factor (absent in older models). */
  likelihood?: { k: number; f: number };
  /** The factor (≥ 1) that scaled them so that ±2σ covers TWO_SIGMA_CONTENT of the residuals. */
  conformalFactor?: number;
}

/** What ±2σ of a Gaussian holds: the coverage the calibrated ±2σ is sized to. */
export const TWO_SIGMA_CONTENT = 0.9545;

function negLogLikelihood(rs: Residual[], c: { k: number; f: number }): number {
  let nll = 0;
  for (const r of rs) {
    const v = (c.k * r.spread) ** 2 + (c.f * r.predicted) ** 2 + r.stat ** 2 + r.referenceError ** 2;
    nll += 0.5 * (Math.log(v) + (r.predicted - r.reference) ** 2 / v);
  }
  return nll;
}

/** Maximum-likelihood k ∈ [0, 30], f ∈ [0, 1] on a grid refined twice (the likelihood is smooth and 2-D). */
export function likelihoodCalibration(rs: Residual[]): { k: number; f: number } {
  let best = { k: 1, f: 0.05 };
  let bestValue = Infinity;
  let kLo = 0, kHi = 30, fLo = 0, fHi = 1;
  for (let pass = 0; pass < 3; pass++) {
    const steps = 40;
    for (let i = 0; i <= steps; i++)
      for (let j = 0; j <= steps; j++) {
        const c = { k: kLo + ((kHi - kLo) * i) / steps, f: fLo + ((fHi - fLo) * j) / steps };
        const v = negLogLikelihood(rs, c);
        if (v < bestValue) {
          bestValue = v;
          best = c;
        }
      }
    const dk = (kHi - kLo) / 10, df = (fHi - fLo) / 10;
    kLo = Math.max(0, best.k - dk);
    kHi = best.k + dk;
    fLo = Math.max(0, best.f - df);
    fHi = best.f + df;
  }
  return best;
}

/**
 * The smallest c ≥ floor for which the ⌈(n + 1)·content⌉-th smallest |z| (z with σ_model scaled by
 * c) is ≤ 2: split-conformal sizing of ±2σ. Per residual the c that brings |z| to 2 is closed-form;
 * the answer is their order statistic (the largest when n is too small for the level).
 */
export function conformalFactor(rs: Residual[], shape: { k: number; f: number }, floor = 1, content = TWO_SIGMA_CONTENT): number {
  if (!rs.length) return floor;
  const needed = rs.map((r) => {
    const model2 = (shape.k * r.spread) ** 2 + (shape.f * r.predicted) ** 2;
    const excess = (r.predicted - r.reference) ** 2 / 4 - r.stat ** 2 - r.referenceError ** 2;
    if (excess <= 0) return 0;
    return model2 > 0 ? Math.sqrt(excess / model2) : Infinity;
  });
  needed.sort((a, b) => a - b);
  const rank = Math.min(rs.length, Math.ceil((rs.length + 1) * content));
  return Math.max(floor, needed[rank - 1]);
}

/** Maximum-likelihood shape, conformal size (see above). */
export function calibrate(rs: Residual[]): Calibration {
  const likelihood = likelihoodCalibration(rs);
  // When the likelihood fits no model error at all the shape is f alone, sized by the conformal step
  // from zero (the factor is then f itself).
  const fitted = likelihood.k > 0 || likelihood.f > 0;
  const shape = fitted ? likelihood : { k: 0, f: 1 };
  const factor = conformalFactor(rs, shape, fitted ? 1 : 0);
  return { k: shape.k * factor, f: shape.f * factor, likelihood, conformalFactor: factor };
}

export function modelError(c: Calibration, predicted: number, spread: number): number {
  return Math.sqrt((c.k * spread) ** 2 + (c.f * predicted) ** 2);
}

// ---------------------------------------------------------------------------------------------
// Domain: how far an electrolyte's ions lie from the ions the model was trained on. Every centre
// species of every training system is a point: the mean of its ions' standardised shared features.
// A new trajectory's species are points too; each one's distance to the nearest training point
// (the largest difference of any standardised feature) is compared with the training points' own spacing (the largest leave-one-out
// nearest-neighbour distance among them), and the score is the worst species'. Per species, not
// per system: a 3:1 salt's mean |z| (1.5) matches a 2:1 salt's, its cations' |z| = 3 matches nothing.
// score ≤ 1: inside the sampled range; DOMAIN_THRESHOLD leaves room for interpolation.

export const DOMAIN_THRESHOLD = 2;
/** Committee spread over prediction beyond which the model is out of its depth whatever the distance. */
export const SPREAD_THRESHOLD = 0.25;

export interface DomainReference {
  /** Standardisation (training rows) and the training points (system:species). */
  mean: number[];
  scale: number[];
  points: { name: string; x: number[] }[];
  /** Largest leave-one-out nearest-neighbour distance among the training points. */
  spacing: number;
  /** Range of every standardised input over the training points. */
  lo: number[];
  hi: number[];
}

/**
 * Weight of the range test in the score: an input beyond the training points' range by two thirds
 * of that range scores 2 (the threshold), whatever the distances. This catches what the nearest-neighbour
 * distance dilutes when one training system is isolated (its own distance sets the spacing): a
 * valence or an ion size outside those trained on, solvent where there was none.
 */
export const RANGE_WEIGHT = 3;

function featureDistance(a: number[], b: number[]): number {
  let d = 0;
  for (let k = 0; k < a.length; k++) d = Math.max(d, Math.abs(a[k] - b[k]));
  return d;
}

/** `points`: raw (unstandardised) per-species mean features of the training systems. */
export function domainReference(points: { name: string; x: number[] }[], standardisation: Pick<Readout, 'mean' | 'scale'>): DomainReference {
  const std = (x: number[]) => x.map((v, k) => (v - standardisation.mean[k]) / standardisation.scale[k]);
  const pts = points.map((p) => ({ name: p.name, x: std(p.x) }));
  let spacing = 0;
  for (const p of pts) {
    const others = pts.filter((q) => q !== p);
    if (others.length) spacing = Math.max(spacing, Math.min(...others.map((q) => featureDistance(p.x, q.x))));
  }
  const F = standardisation.mean.length;
  const lo = Array.from({ length: F }, (_, k) => Math.min(...pts.map((p) => p.x[k])));
  const hi = Array.from({ length: F }, (_, k) => Math.max(...pts.map((p) => p.x[k])));
  return { mean: Array.from(standardisation.mean), scale: Array.from(standardisation.scale), points: pts, spacing, lo, hi };
}

/**
 * How far x lies outside the training range, in units of that range; a range narrower than 0.1
 * (standardised units, e.g. an input that was 0 for every training ion) counts as 0.1 wide.
 */
function rangeExcursion(ref: DomainReference, x: number[]): { excursion: number; feature: number } {
  let worst = { excursion: 0, feature: -1 };
  x.forEach((v, k) => {
    const out = Math.max(0, ref.lo[k] - v, v - ref.hi[k]);
    const e = out / Math.max(ref.hi[k] - ref.lo[k], 0.1);
    if (e > worst.excursion) worst = { excursion: e, feature: k };
  });
  return worst;
}

/**
 * The worst species' score: the larger of its distance to the nearest training point over the
 * training points' spacing, and RANGE_WEIGHT × its largest excursion beyond the training range.
 */
export function domainScore(ref: DomainReference, species: { label: string; x: number[] }[]): { score: number; nearest: string; species: string; distance: number; range: number; feature: number } {
  let worst = { score: -Infinity, nearest: '', species: '', distance: NaN, range: NaN, feature: -1 };
  for (const sp of species) {
    const x = sp.x.map((v, k) => (v - ref.mean[k]) / ref.scale[k]);
    let best = Infinity, nearest = '';
    for (const p of ref.points) {
      const d = featureDistance(x, p.x);
      if (d < best) {
        best = d;
        nearest = p.name;
      }
    }
    const r = ref.lo ? rangeExcursion(ref, x) : { excursion: 0, feature: -1 };
    const score = Math.max(best / ref.spacing, RANGE_WEIGHT * r.excursion);
    if (!(score <= worst.score)) worst = { score, nearest, species: sp.label, distance: best / ref.spacing, range: r.excursion, feature: r.feature };
  }
  return worst;
}
