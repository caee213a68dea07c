// The variational bound tightened by short trajectories (docs/kinosons.md "Short trajectories
// through y"): the native tail's estimates turned into the `refined` part of a fit's result.
import { NativeTail } from '../native';
import { Estimate, estimate } from './statistics';

export interface TailCheckpoint {
  /** Model time and the expected jumps per segment at this checkpoint. */
  time: number;
  jumps: number;
  /** D(t) = MSD/t through y (z) and of the plain displacement (x, i.e. short KMC from equilibrium). */
  D: Estimate;
  plainD: Estimate;
  /** The MSD slope since the previous checkpoint, z and x; its drop (z) from the slope before. */
  slope: Estimate;
  plainSlope: Estimate;
  drop: Estimate | null;
}

export interface RefinedEstimate {
  /** What the number is: the last MSD slope of z = x + y(X) over short trajectories from the validation states. */
  method: 'trajectory-tail';
  /** The linear model whose y the segments see (the best one without a network or residual bias). */
  model: string;
  D: Estimate;
  /** Collective targets: every L_ab from the same segments (per site). */
  onsager?: Record<string, Record<string, Estimate>>;
  /** The slope's last two drops were small (below the tolerance or within twice their error);
   *  false: the segments reached `rounds` first. */
  converged: boolean;
  lastDrop: Estimate | null;
  /** Twice the last drop's error over D: the smallest remaining drift these segments could see
   *  (more validation states lower it; longer segments do not, once the motion is diffusive). */
  resolution: number | null;
  checkpoints: TailCheckpoint[];
  segments: number;
  jumps: number;
  seconds: number;
  /** Seconds for a 1 % error: the best linear model's fit once, then the tail scaled by (error / 1 %)². */
  secondsFor1Percent: number | null;
  profile: { kmcThreadSeconds: number; relaxationThreadSeconds: number; correctorSolves: number; correctorIterations: number };
}

/** channel: the diagonal entry (channel, channel) of the channels² arrays that D reports. */
export function refinedFromTail(t: NativeTail, channel: number, channels: number, names: string[] | null, segments: number, fitSeconds: number): RefinedEstimate {
  const diag = channel * channels + channel;
  const last = t.times.length - 1;
  const checkpoints: TailCheckpoint[] = Array.from(t.times, (time, k) => ({
    time,
    jumps: t.firstJumps * 2 ** k,
    D: estimate(t.zValue[k][diag]),
    plainD: estimate(t.xValue[k][diag]),
    slope: estimate(t.zSlope[k][diag]),
    plainSlope: estimate(t.xSlope[k][diag]),
    drop: k > 0 ? estimate(t.zDrop[k][diag]) : null,
  }));
  const D = checkpoints[last].slope;
  const rel = D.mean > 0 && D.error > 0 ? D.error / D.mean : Infinity;
  const seconds1 = fitSeconds + t.seconds * (rel / 0.01) ** 2;
  let onsager: RefinedEstimate['onsager'];
  if (names) {
    onsager = {};
    names.forEach((a, i) => {
      onsager![a] = {};
      names.forEach((b, j) => (onsager![a][b] = estimate(t.zSlope[last][i * channels + j])));
    });
  }
  return {
    method: 'trajectory-tail',
    model: t.model,
    D,
    ...(onsager ? { onsager } : {}),
    converged: t.converged,
    lastDrop: checkpoints[last].drop,
    resolution: checkpoints[last].drop && D.mean > 0 ? (2 * checkpoints[last].drop.error) / D.mean : null,
    checkpoints,
    segments,
    jumps: t.jumps,
    seconds: t.seconds,
    secondsFor1Percent: Number.isFinite(seconds1) ? seconds1 : null,
    profile: { kmcThreadSeconds: t.kmcThreadSeconds, relaxationThreadSeconds: t.relaxationThreadSeconds, correctorSolves: t.correctorSolves, correctorIterations: t.correctorIterations },
  };
}

/** Lines for the fit's text output. */
export function describeRefined(r: RefinedEstimate, bound: Estimate): string[] {
  const fmt = (e: Estimate) => `${e.mean.toPrecision(4)} ± ${e.error.toPrecision(2)}`;
  const last = r.checkpoints[r.checkpoints.length - 1];
  const drop = r.lastDrop ? `${((100 * r.lastDrop.mean) / last.slope.mean).toFixed(1)} ± ${((100 * r.lastDrop.error) / last.slope.mean).toFixed(1)} %` : '—';
  return [
    `  tightened by short trajectories through y of ${r.model}: ${fmt(r.D)} a² ν (the bound above ${fmt(bound)})`,
    `    ${r.segments} segments of ${last.jumps.toPrecision(3)} jumps (${r.checkpoints.length} checkpoints), last slope drop ${drop}: ${r.converged ? `converged (drifts above ${r.resolution === null ? '—' : (100 * r.resolution).toFixed(1)} % would show; more validation states make that smaller)` : 'NOT converged (raise tail.rounds)'}`,
    `    plain KMC slope over the same segments ${fmt(last.plainSlope)}; ${r.seconds.toPrecision(3)} s`,
  ];
}
