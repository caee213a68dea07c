// Random access to the selected frames of a trajectory (Trajectory.frame(i), frames(range)).
//
// No offset index is built: each request opens its own native reader positioned with the
// selection's start/stop/stride, and the readers skip unwanted frames without decoding them where
// the format allows (DCD: fixed frame sizes; XTC: frame sizes in the headers; text formats: a
// line scan, through inflate for .gz). On data/demo/electrolyte.lammpstrj.gz (3001 frames, 3.8 MB
// gzip) frame 3000 alone takes about 0.1 s, as long as reading the whole file; an index would
// save little there, and for gzip it would need inflate checkpoints. Nothing is written to disk.
//
// One exception: coordinates unwrapped by minimum-image continuity depend on every earlier frame,
// so for those frame(i) reads the selection from its first frame (cost proportional to i).
import type { NativeBatch, NativeSelection, NativeTrajectoryHandle } from '../native';
import type { Frame, FrameBatch, FrameRange } from '../trajectory';

interface Selection {
  start: number;
  stop: number; // −1: to the end
  stride: number;
  unwrap: boolean;
}

/** A batch of the frames asked for, with the index of each in the trajectory's selection. */
export interface IndexedBatch {
  batch: FrameBatch;
  indices: number[];
}

export class RandomAccess {
  private independent: boolean | null = null;
  private readonly readers = new Set<NativeTrajectoryHandle>();

  constructor(
    private readonly selection: Selection,
    private readonly openReader: (selection: NativeSelection) => NativeTrajectoryHandle,
    private readonly finish: (raw: NativeBatch, first: number) => FrameBatch,
  ) {}

  close(): void {
    for (const h of this.readers) h.close();
    this.readers.clear();
  }

  async frame(i: number, path: string): Promise<Frame> {
    checkIndex(i, 'frame index');
    for await (const { batch } of this.batches({ start: i, stop: i + 1 }, 1)) {
      const n3 = batch.natoms * 3;
      return {
        index: i,
        step: batch.steps[0],
        time: batch.times[0] >= 0 ? batch.times[0] : null,
        natoms: batch.natoms,
        positions: batch.positions.subarray(0, n3),
        box: batch.boxes ? batch.boxes.subarray(0, 9) : null,
        origin: batch.origins.subarray(0, 3),
        types: batch.types,
        charges: batch.charges,
      };
    }
    throw Object.assign(new RangeError(`${path}: frame ${i} is past the end of the selection`), { code: 'IONFIELD_USAGE' });
  }

  async *batches(range: FrameRange, size: number): AsyncGenerator<IndexedBatch> {
    const start = range.start ?? 0, step = range.step ?? 1, stop = range.stop ?? Infinity;
    checkIndex(start, 'start');
    if (stop !== Infinity) checkIndex(stop, 'stop');
    if (!Number.isInteger(step) || step < 1) throw new TypeError(`step must be a positive integer, got ${step}`);
    if (stop <= start) return;
    if (await this.framesStandAlone()) yield* this.direct(start, stop, step, size);
    else yield* this.sequential(start, stop, step, size);
  }

  /** Whether a frame read alone equals the frame a full read gives (not so for minimum-image unwrapping). */
  private async framesStandAlone(): Promise<boolean> {
    if (this.independent !== null) return this.independent;
    const s = this.selection;
    if (!s.unwrap) return (this.independent = true);
    const h = this.reader({ start: s.start, stop: s.start + 1, stride: 1, unwrap: true });
    try {
      await h.readBatch(1);
      this.independent = h.unwrapReport().method !== 'minimum-image';
    } finally {
      this.release(h);
    }
    return this.independent;
  }

  /** One reader over exactly the frames asked for: the native reader skips the others. */
  private async *direct(start: number, stop: number, step: number, size: number): AsyncGenerator<IndexedBatch> {
    const s = this.selection;
    let fileStop = stop === Infinity ? -1 : s.start + stop * s.stride;
    if (s.stop >= 0) fileStop = fileStop < 0 ? s.stop : Math.min(fileStop, s.stop);
    const h = this.reader({ start: s.start + start * s.stride, stop: fileStop, stride: s.stride * step, unwrap: s.unwrap });
    try {
      for (let index = start; ; ) {
        const raw = await h.readBatch(size);
        if (!raw) return;
        const indices = Array.from({ length: raw.frames }, (_, k) => index + k * step);
        index += raw.frames * step;
        yield { batch: this.finish(raw, indices[0]), indices };
      }
    } finally {
      this.release(h);
    }
  }

  /** The whole selection from its first frame (unwrapping follows every frame), keeping the slice. */
  private async *sequential(start: number, stop: number, step: number, size: number): AsyncGenerator<IndexedBatch> {
    const s = this.selection;
    const h = this.reader({ start: s.start, stop: s.stop, stride: s.stride, unwrap: true });
    try {
      for (let index = 0; index < stop; ) {
        const raw = await h.readBatch(size);
        if (!raw) return;
        const batch = this.finish(raw, index);
        const keep: number[] = [];
        for (let k = 0; k < raw.frames; k++) {
          const i = index + k;
          if (i >= start && i < stop && (i - start) % step === 0) keep.push(k);
        }
        index += raw.frames;
        if (keep.length) yield { batch: pickFrames(batch, keep), indices: keep.map((k) => batch.first + k) };
      }
    } finally {
      this.release(h);
    }
  }

  private reader(selection: NativeSelection): NativeTrajectoryHandle {
    const h = this.openReader(selection);
    this.readers.add(h);
    return h;
  }

  private release(h: NativeTrajectoryHandle): void {
    h.close();
    this.readers.delete(h);
  }
}

function checkIndex(v: number, what: string): void {
  if (!Number.isInteger(v) || v < 0) throw new TypeError(`${what} must be a non-negative integer, got ${v}`);
}

/** A batch of some of the frames of b (k in keep), copied. */
function pickFrames(b: FrameBatch, keep: number[]): FrameBatch {
  const take = (a: Float64Array, width: number) => {
    const out = new Float64Array(keep.length * width);
    keep.forEach((k, j) => out.set(a.subarray(k * width, (k + 1) * width), j * width));
    return out;
  };
  return {
    ...b,
    first: b.first + keep[0],
    frames: keep.length,
    positions: take(b.positions, 3 * b.natoms),
    boxes: b.boxes ? take(b.boxes, 9) : null,
    origins: take(b.origins, 3),
    steps: take(b.steps, 1),
    times: take(b.times, 1),
  };
}
