// A field analysed from disk: the values stay in their .npy (read a chunk of frames at a time), and
// the positions and cells of the field's ions are read from the trajectory once and spilled to a
// scratch file (float64, as loadField holds them), so the several passes of the analyses read
// chunks back instead of decoding the trajectory again. Memory stays flat in the number of frames;
// disk use is 24 bytes per ion-frame plus 72 per frame, in a temporary folder removed by close().
import * as fs from 'node:fs';
import * as path from 'node:path';
import { discardTemporary, scratchFolder } from '../atomic-file';
import { LoadFieldOptions, openFieldValues, readFieldFrames } from './field';
import type { FieldChunk, FieldFrames } from './frames';
import type { NpyFile } from '../npy-file';

export interface DiskField extends FieldFrames {
  /** Closes the files and removes the scratch folder. */
  close(): void;
}

function writeAll(fd: number, a: Float64Array): void {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  for (let done = 0; done < bytes.length; ) done += fs.writeSync(fd, bytes, done, bytes.length - done);
}

function readInto(fd: number, out: Float64Array, position: number): Float64Array {
  const bytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  for (let got = 0; got < bytes.length; ) {
    const n = fs.readSync(fd, bytes, got, bytes.length - got, position + got);
    if (n === 0) throw new Error('field scratch file ended early (removed while in use?)');
    got += n;
  }
  return out;
}

/** A [frames, ions] .npy as float64 rows, `size` frames at a time, through buffers reused from chunk to chunk. */
function* valueChunks(npy: NpyFile, size: number): Generator<{ first: number; count: number; values: Float64Array }> {
  const [frames, ions] = npy.shape;
  const rows = Math.max(1, Math.min(size, frames));
  const raw = new ArrayBuffer(rows * ions * npy.itemBytes);
  const values = new Float64Array(rows * ions);
  for (let first = 0; first < frames; first += size) {
    const count = Math.min(size, frames - first);
    const v = values.subarray(0, count * ions);
    v.set(npy.readRows(first, count, raw));
    yield { first, count, values: v };
  }
}

/** Opens a field for the analyses without holding it (same checks and errors as loadField). */
export async function openField(trajectory: string, fieldFile: string, options: LoadFieldOptions = {}): Promise<DiskField> {
  const npy = openFieldValues(fieldFile);
  const [frames, ions] = npy.shape;
  // Removed by close(), or at exit if the run stops first (an error, SIGINT/SIGTERM via the CLI).
  const dir = scratchFolder('ionfield-field-');
  const positionsFile = path.join(dir, 'positions.f64');
  const boxesFile = path.join(dir, 'boxes.f64');
  let fdPos = -1, fdBox = -1;
  const close = () => {
    npy.close();
    if (fdPos >= 0) fs.closeSync(fdPos);
    if (fdBox >= 0) fs.closeSync(fdBox);
    fdPos = fdBox = -1;
    discardTemporary(dir);
  };
  try {
    fdPos = fs.openSync(positionsFile, 'w+');
    fdBox = fs.openSync(boxesFile, 'w+');
    const { species, charges, format } = await readFieldFrames(trajectory, fieldFile, frames, ions, options, (_first, _count, p, b) => {
      writeAll(fdPos, p);
      writeAll(fdBox, b);
    });
    return {
      frames,
      natoms: ions,
      species,
      charges,
      provenance: { trajectory, field: fieldFile, format },
      // Buffers reused from chunk to chunk (a chunk is valid until the next one is asked for), so
      // a pass leaves no garbage that grows with the frames read.
      *chunks(size: number, positions = false): Generator<FieldChunk> {
        const rows = Math.max(1, Math.min(size, frames));
        const pos = new Float64Array(positions ? rows * ions * 3 : 0);
        const boxes = new Float64Array(rows * 9);
        for (const { first, count, values } of valueChunks(npy, size))
          yield {
            first,
            frames: count,
            values,
            positions: positions ? readInto(fdPos, pos.subarray(0, count * ions * 3), first * ions * 3 * 8) : pos,
            boxes: readInto(fdBox, boxes.subarray(0, count * 9), first * 9 * 8),
          };
      },
      close,
    };
  } catch (err) {
    close();
    throw err;
  }
}

/**
 * A field's values alone, read in chunks from its .npy (no positions, no cells): what the moments
 * and distributions of `analyze --shard` need of the whole field (shard.ts). Values are checked as
 * openField checks them; `species` gives the columns' labels.
 */
export function openFieldValuesOnly(fieldFile: string, species: string[], charges: Float64Array, provenance?: Record<string, unknown>): DiskField {
  const npy = openFieldValues(fieldFile);
  const [frames, ions] = npy.shape;
  if (species.length !== ions) {
    npy.close();
    throw Object.assign(new Error(`${fieldFile}: ${ions} columns, but ${species.length} ions were given`), { code: 'IONFIELD_BAD_INPUT' });
  }
  return {
    frames,
    natoms: ions,
    species,
    charges,
    provenance,
    *chunks(size: number): Generator<FieldChunk> {
      for (const { first, count, values } of valueChunks(npy, size)) yield { first, frames: count, values, positions: new Float64Array(0), boxes: new Float64Array(0) };
    },
    close: () => npy.close(),
  };
}
