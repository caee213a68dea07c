// INTERIM (until the dataset branch's native λ targets are merged): the exact local molar
// conductivity λ_i(t0) = K N z_i Δr_i(t0,τ)·J(t0,τ)/τ, K = 1/(6 k_B T n_f) in the trajectory's
// units (the units of Λ in `ionfield transport`), for origins every `originStride` frames.
// Memory: the positions of the origins still waiting for their frame t0 + τ (τ/originStride + 1
// frames), whatever the trajectory length. This loops over atoms in TypeScript, which is fine for
// the demo's 100 ions; the dataset code does it natively.
import { openTrajectory, TrajectoryOptions } from '../trajectory';

export interface TargetOptions extends TrajectoryOptions {
  temperature: number;
  /** Lag τ in frames. */
  tauFrames: number;
  originStride: number;
  /** Formula units n_f. */
  formulaUnits: number;
  frameInterval: number;
  onProgress?: (frames: number) => void;
}

export interface TargetField {
  /** [origins, ions], frame-major. */
  values: Float64Array;
  origins: number;
  ions: number;
  /** Frame index of the first origin and the stride between origins (for analyze --start/--stride). */
  originStride: number;
  tau: number;
}

export async function computeTargets(trajectory: string, o: TargetOptions): Promise<TargetField> {
  const pending = new Map<number, Float64Array>();
  const rows: Float64Array[] = [];
  let natoms = 0;
  let charges: Float64Array | null = null;
  const tau = o.tauFrames * o.frameInterval;
  const K = 1 / (6 * o.temperature * o.formulaUnits);
  for await (const frame of openTrajectory(trajectory, { ...o, unwrap: true })) {
    natoms = frame.natoms;
    if (!frame.charges) throw Object.assign(new Error(`${trajectory}: no charges in the file; pass charges`), { code: 'IONFIELD_BAD_INPUT' });
    charges = frame.charges;
    if (frame.index % o.originStride === 0) pending.set(frame.index, Float64Array.from(frame.positions));
    const origin = frame.index - o.tauFrames;
    const start = pending.get(origin);
    if (start) {
      pending.delete(origin);
      const J = [0, 0, 0];
      const d = new Float64Array(natoms * 3);
      for (let i = 0; i < natoms * 3; i++) {
        d[i] = frame.positions[i] - start[i];
        J[i % 3] += charges[Math.floor(i / 3)] * d[i];
      }
      const row = new Float64Array(natoms);
      for (let i = 0; i < natoms; i++) row[i] = (K * natoms * charges[i] * (d[3 * i] * J[0] + d[3 * i + 1] * J[1] + d[3 * i + 2] * J[2])) / tau;
      rows.push(row);
    }
    o.onProgress?.(frame.index + 1);
  }
  const values = new Float64Array(rows.length * natoms);
  rows.forEach((r, k) => values.set(r, k * natoms));
  return { values, origins: rows.length, ions: natoms, originStride: o.originStride, tau };
}
