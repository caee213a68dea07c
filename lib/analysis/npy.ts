// NumPy .npy files (format version 1.0/2.0, little-endian float64/float32/int32, C order): the
// array format a Python user loads with numpy.load. Writes go to a temporary name, then rename.
import * as fs from 'node:fs';
import { writeFileAtomic } from '../atomic-file';

export type { NpyArray } from '../npy';
import type { NpyArray } from '../npy';
import { readNpyArray } from '../npy';

/** Reads a float64/float32/int32 .npy array (checked header, exact size). */
export function readNpy(file: string): NpyArray {
  return readNpyArray(file);
}

export function npyBytes(array: NpyArray): Buffer {
  const descr = array.data instanceof Float64Array ? '<f8' : array.data instanceof Float32Array ? '<f4' : '<i4';
  const shape = array.shape.length === 1 ? `(${array.shape[0]},)` : `(${array.shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  return Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(array.data.buffer, array.data.byteOffset, array.data.byteLength)]);
}

/** Writes atomically: a temporary file beside the target, renamed into place. */
export const writeAtomic = writeFileAtomic;

export function writeNpy(file: string, array: NpyArray): void {
  const count = array.shape.reduce((a, b) => a * b, 1);
  if (count !== array.data.length) throw new Error(`writeNpy: shape (${array.shape.join(', ')}) does not hold ${array.data.length} values`);
  writeAtomic(file, npyBytes(array));
}
