// Trajectory format conversion: streams batches from a reader into a native writer, which writes
// to a temporary file and renames it into place only when every frame is written.
import { native } from './native';
import { openTrajectory, TrajectoryOptions } from './trajectory';

export interface ConvertOptions extends TrajectoryOptions {
  /** Output format; default from the output file's extension. */
  outputFormat?: string;
  onProgress?: (frames: number) => void;
}

export interface ConvertResult {
  input: string;
  output: string;
  inputFormat: string;
  outputFormat: string;
  frames: number;
  atoms: number;
  unwrapped: boolean;
}

export async function convertTrajectory(input: string, output: string, options: ConvertOptions = {}): Promise<ConvertResult> {
  const trajectory = openTrajectory(input, { unwrap: true, ...options });
  const writer = new (native().NativeTrajectoryWriter)(output, options.outputFormat ?? 'auto');
  let frames = 0;
  let atoms = 0;
  let unwrapped = false;
  try {
    for await (const b of trajectory.batches()) {
      atoms = b.natoms;
      unwrapped = b.unwrapped;
      const n3 = b.natoms * 3;
      for (let k = 0; k < b.frames; k++) {
        writer.write({
          positions: b.positions.subarray(k * n3, (k + 1) * n3),
          box: b.boxes ? b.boxes.subarray(9 * k, 9 * k + 9) : undefined,
          origin: b.origins.subarray(3 * k, 3 * k + 3),
          step: b.steps[k],
          time: b.times[k],
          types: b.types ?? undefined,
          charges: b.charges ?? undefined,
          unwrapped: b.unwrapped,
        });
      }
      frames += b.frames;
      options.onProgress?.(frames);
    }
    if (frames === 0) throw new Error(`${input}: no frames to convert`);
    writer.close();
  } catch (err) {
    writer.abort();
    throw err;
  }
  return { input, output, inputFormat: trajectory.format, outputFormat: options.outputFormat ?? output.split('.').pop() ?? '', frames, atoms, unwrapped };
}
