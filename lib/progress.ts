// One progress shape for every long call, as a callback (`onProgress`) and as an async iterable
// (`withProgress`). Callers see the same object whether the work is a trajectory pass, a KMC run
// or a training loop, so one progress bar or log line serves them all.

/** What a long call reports while it runs. `total` is null where the end is not known in advance. */
export interface Progress {
  /** What is running now, e.g. 'transport', 'descriptors', 'kmc'; calls with several stages change it. */
  stage: string;
  /** Units finished so far in this stage; never decreases within a stage. */
  done: number;
  total: number | null;
  unit: ProgressUnit;
}

export type ProgressUnit = 'frames' | 'steps' | 'systems' | 'trajectories' | 'states' | 'models' | 'epochs';

export type ProgressCallback = (progress: Progress) => void;

/** The two options every long call takes (each long call's options interface extends this). */
export interface LongCallOptions {
  /** Aborting rejects the call with `signal.reason` (an 'AbortError' DOMException by default) within a second, and removes its unfinished outputs. */
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
}

/** A reporter for one stage: remembers the unit and total so call sites only pass `done`. */
export function stageReporter(onProgress: ProgressCallback | undefined, stage: string, unit: ProgressUnit, total: number | null = null) {
  return (done: number, newTotal: number | null = total): void => onProgress?.({ stage, done, total: newTotal, unit });
}

/** A long call started with `withProgress`: its progress as an async iterable, and its result. */
export interface ProgressRun<T> {
  /** Progress events in order; the iteration ends when the call settles (it does not throw: await `result` for the outcome). */
  progress: AsyncIterable<Progress>;
  result: Promise<T>;
}

/**
 * Runs a long call and exposes its progress as an async iterable:
 *
 *   const run = withProgress((o) => computeTransport(file, { temperature: 1, ...o }), { signal });
 *   for await (const p of run.progress) console.log(p.stage, p.done, p.total);
 *   const report = await run.result;
 *
 * Events queue until read, so none is lost if the loop starts late.
 */
export function withProgress<T>(start: (options: { onProgress: ProgressCallback; signal?: AbortSignal }) => Promise<T>, options: { signal?: AbortSignal } = {}): ProgressRun<T> {
  const queue: Progress[] = [];
  let settled = false;
  let wake: (() => void) | null = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  const onProgress = (p: Progress) => {
    queue.push({ ...p });
    notify();
  };
  const result = Promise.resolve().then(() => start({ onProgress, ...(options.signal ? { signal: options.signal } : {}) }));
  result.then(
    () => ((settled = true), notify()),
    () => ((settled = true), notify()),
  );
  async function* events(): AsyncGenerator<Progress> {
    for (;;) {
      while (queue.length) yield queue.shift()!;
      if (settled) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  }
  return { progress: { [Symbol.asyncIterator]: events }, result };
}
