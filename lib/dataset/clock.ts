// The dataset's frame clock: the time per frame and τ (and τa) in frames, fixed from the first two
// selected frames. One function for the single run and for `dataset --shard`, which reads those two
// frames on their own (lib/dataset/shard.ts): the targets divide by τ_frames · dt, so every shard
// must use the single run's dt, bit for bit, not one from its own first frames (float32 XTC times
// differ in the 7th digit along a file).
import { openTrajectory, TrajectoryOptions } from '../trajectory';

export interface FrameClock {
  t0: number;
  s0: number;
  /** Stored time per frame (NaN when the file has step numbers only) and steps per frame (NaN if none). */
  dTime: number;
  dStep: number;
  dt: number;
  tauFrames: number;
  tauShortFrames: number;
}

function usage(message: string): Error {
  return Object.assign(new Error(message), { code: 'IONFIELD_USAGE' });
}

/** The clock from the first two frames' times and steps (time −1: not stored). */
export function frameClock(trajectory: string, first: { t: number; s: number }, second: { t: number; s: number }, timestep: number | undefined, tau: number, tauShort: number | undefined): FrameClock {
  const { t: t0, s: s0 } = first, { t, s } = second;
  const dTime = t >= 0 && t0 >= 0 && t > t0 ? t - t0 : NaN;
  const dStep = s > s0 ? s - s0 : NaN;
  let dt: number;
  if (dTime > 0) dt = dTime;
  else if (dStep > 0 && timestep !== undefined) dt = dStep * timestep;
  else throw usage(`${trajectory} stores step numbers but no times: pass --timestep (or a --manifest)`);
  const tauFrames = Math.round(tau / dt);
  if (tauFrames < 1 || Math.abs(tauFrames * dt - tau) > 1e-6 * tau + 1e-9) throw usage(`--tau ${tau} is not a whole number of frames (${dt} per frame)`);
  let tauShortFrames = 0;
  if (tauShort !== undefined) {
    tauShortFrames = Math.round(tauShort / dt);
    if (tauShortFrames < 1 || tauShortFrames >= tauFrames || Math.abs(tauShortFrames * dt - tauShort) > 1e-6 * tauShort + 1e-9)
      throw usage(`--tau-short ${tauShort} must be a whole number of frames (${dt} per frame) and shorter than --tau ${tau}`);
  }
  return { t0, s0, dTime, dStep, dt, tauFrames, tauShortFrames };
}

/** Reads the selection's first two frames (times and steps only) and returns their clock. */
export async function readClock(trajectory: string, options: Pick<TrajectoryOptions, 'format' | 'start'>, timestep: number | undefined, tau: number, tauShort: number | undefined): Promise<FrameClock> {
  const start = options.start ?? 0;
  const head = openTrajectory(trajectory, { format: options.format, start, stop: start + 2, unwrap: false, batchSize: 2 });
  const seen: { t: number; s: number }[] = [];
  for await (const b of head.batches()) for (let k = 0; k < b.frames; k++) seen.push({ t: b.times[k], s: b.steps[k] });
  if (seen.length < 2) throw Object.assign(new Error(`${trajectory}: fewer than 2 frames selected`), { code: 'IONFIELD_BAD_INPUT' });
  return frameClock(trajectory, seen[0], seen[1], timestep, tau, tauShort);
}
