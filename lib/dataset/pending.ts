// The bounded buffer of the dataset builder: origins whose lag-τ partner frame has not been read yet.
// An origin is kept with its positions and its descriptors until frame t0 + τ arrives; at most
// ceil(τ_frames / originStride) + 1 origins are ever held, whatever the trajectory length.
export interface PendingOrigin {
  frame: number; // index in the trajectory
  step: number;
  time: number;
  positions: Float64Array; // natoms * 3 (unwrapped)
  features: Float32Array; // rows * maxFeatures
  shortLag?: Float64Array; // positions at t0 + τa, for the two-lag target
}

export class OriginRing {
  private readonly slots: (PendingOrigin | null)[];
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.slots = new Array(capacity).fill(null);
  }

  get size(): number {
    return this.count;
  }

  push(o: PendingOrigin): void {
    if (this.count === this.capacity) throw new Error(`origin ring full (${this.capacity})`);
    this.slots[(this.head + this.count) % this.capacity] = o;
    this.count++;
  }

  /** The waiting origin at trajectory frame `frame`, if any (for the two-lag target's τa partner). */
  find(frame: number): PendingOrigin | null {
    for (let k = 0; k < this.count; k++) {
      const o = this.slots[(this.head + k) % this.capacity]!;
      if (o.frame === frame) return o;
    }
    return null;
  }

  /** The oldest origin, if its partner frame is `frame`. */
  takeIfDue(frame: number, tauFrames: number): PendingOrigin | null {
    if (this.count === 0) return null;
    const o = this.slots[this.head]!;
    if (o.frame + tauFrames !== frame) return null;
    this.slots[this.head] = null;
    this.head = (this.head + 1) % this.capacity;
    this.count--;
    return o;
  }
}
