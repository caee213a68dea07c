// Kinosons against KMC for the same quantity, side by side on the same machine: the agreement and
// the wall time (and transitions or jumps) each needs for a 1 % standard error. Errors scale as
// 1/sqrt(work) in both, so the cost of 1 % is the measured cost × (relative error / 1 %)².
// The point of kinosons is to be the cheaper route where correlation is strong; where they are
// not, the statement says so plainly instead of leaving the user to find out.
import type { FitResult, KmcReference } from './index';
import type { Estimate } from './statistics';

export interface CostComparison {
  /** 'D*_A' (tracer) or 'L_AA' (collective, per site). */
  quantity: string;
  kmc: Estimate;
  kinosons: Estimate;
  /** kinosons / KMC, and the difference in units of the combined error. */
  ratio: number;
  sigma: number;
  /** KMC value over the uncorrelated (y = 0) bound: the correlation factor of this quantity. */
  correlationFactor: number | null;
  kmcFor1Percent: { jumps: number | null; seconds: number | null };
  kinosonsFor1Percent: { transitions: number | null; states: number | null; seconds: number | null };
  cheaper: 'kinosons' | 'kmc' | 'unknown';
  /** KMC seconds / kinoson seconds for a 1 % error (> 1: kinosons cheaper). */
  speedup: number | null;
  statement: string;
  /** The bound tightened by short trajectories (fit.refined) against the same KMC value. */
  refined?: { value: Estimate; ratio: number; sigma: number; secondsFor1Percent: number | null; statement: string };
}

const finite = (x: number) => (Number.isFinite(x) ? x : null);

/** The scale factor from a measured relative error to 1 % (Infinity when there is no error to scale). */
function to1Percent(e: Estimate): number {
  return e.mean > 0 && e.error > 0 ? (e.error / e.mean / 0.01) ** 2 : Infinity;
}

export function compareCosts(fit: FitResult, kmc: KmcReference): CostComparison {
  const quantity = fit.target.kind === 'tracer' ? `D*_${fit.target.species}` : `L_${fit.target.channel}${fit.target.channel}`;
  const ref = fit.target.kind === 'tracer' ? kmc.tracer[fit.target.species] : kmc.onsager[fit.target.channel][fit.target.channel];
  const scale = to1Percent(ref);
  const kmcSeconds = finite(kmc.seconds * scale);
  const kinSeconds = finite(fit.secondsFor1Percent);
  const transitions = Number.isFinite(fit.statesFor1Percent) ? Math.round((fit.statesFor1Percent * fit.validationTransitions) / fit.validationStates) : null;
  const uncorrelated = fit.models[0]?.validation.mean;
  const speedup = kmcSeconds !== null && kinSeconds !== null && kinSeconds > 0 ? kmcSeconds / kinSeconds : null;
  const cheaper = speedup === null ? 'unknown' : speedup > 1 ? 'kinosons' : 'kmc';
  const ratio = fit.bound.mean / ref.mean;
  const sigma = (fit.bound.mean - ref.mean) / Math.hypot(fit.bound.error, ref.error);
  const f = uncorrelated > 0 ? ref.mean / uncorrelated : null;
  const s = (x: number | null) => (x === null ? '—' : `${x.toPrecision(2)} s`);
  let statement: string;
  if (cheaper === 'unknown') statement = `no 1 % cost to compare for ${quantity} (a value or its error is zero)`;
  else if (cheaper === 'kinosons') statement = `kinosons are cheaper here: ${s(kinSeconds)} against ${s(kmcSeconds)} of KMC for a 1 % error on ${quantity} (${speedup!.toPrecision(2)}×)`;
  else statement = `KMC is cheaper here: ${s(kmcSeconds)} against ${s(kinSeconds)} with kinosons for a 1 % error on ${quantity} (${(1 / speedup!).toPrecision(2)}× more time for kinosons)`;
  if (Math.abs(ratio - 1) > 0.05 && Math.abs(sigma) > 2)
    statement += `; and the kinoson value is ${(100 * (ratio - 1)).toFixed(1)} % off KMC (${sigma.toFixed(1)}σ): the best relaxation vector is not converged for this alloy`;
  let refined: CostComparison['refined'];
  if (fit.refined) {
    const v = fit.refined.D;
    const r = v.mean / ref.mean, z = (v.mean - ref.mean) / Math.hypot(v.error, ref.error);
    const agree = Math.abs(r - 1) <= 0.05 || Math.abs(z) <= 2;
    refined = {
      value: v,
      ratio: r,
      sigma: z,
      secondsFor1Percent: fit.refined.secondsFor1Percent,
      statement: `tightened by short trajectories: ${(100 * (r - 1)).toFixed(1)} % from KMC (${z.toFixed(1)}σ)${agree ? '' : ': they disagree'}; ${s(fit.refined.secondsFor1Percent)} for a 1 % error that way`,
    };
  }
  return {
    quantity,
    kmc: ref,
    kinosons: fit.bound,
    ratio,
    sigma,
    correlationFactor: f,
    kmcFor1Percent: { jumps: finite(Math.round(kmc.jumps * scale)), seconds: kmcSeconds },
    kinosonsFor1Percent: { transitions, states: finite(fit.statesFor1Percent), seconds: kinSeconds },
    cheaper,
    speedup,
    statement,
    ...(refined ? { refined } : {}),
  };
}

export function describeCosts(c: CostComparison): string {
  const n = (x: number | null) => (x === null ? '—' : x.toExponential(2));
  return [
    `  against KMC (${c.quantity}): KMC ${c.kmc.mean.toPrecision(4)} ± ${c.kmc.error.toPrecision(2)}, kinosons/KMC = ${c.ratio.toFixed(3)} (${c.sigma.toFixed(1)}σ)${c.correlationFactor !== null ? `, correlation factor ${c.correlationFactor.toFixed(3)}` : ''}`,
    `  cost of a 1 % error on this machine: KMC ${n(c.kmcFor1Percent.jumps)} jumps / ${c.kmcFor1Percent.seconds?.toPrecision(3) ?? '—'} s; kinosons ${n(c.kinosonsFor1Percent.transitions)} transitions / ${c.kinosonsFor1Percent.seconds?.toPrecision(3) ?? '—'} s`,
    `  ${c.statement}`,
    ...(c.refined ? [`  ${c.refined.statement}`] : []),
  ].join('\n');
}
