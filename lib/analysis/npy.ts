// NumPy .npy files (format version 1.0/2.0, little-endian float64/float32/int32, C order): the
// array format a Python user loads with numpy.load. Writes go to a temporary name, then rename.
import * as fs from 'node:fs';

export interface NpyArray {
  shape: number[];
  data: Float64Array | Float32Array | Int32Array;
}

const DTYPES: Record<string, { ctor: Float64ArrayConstructor | Float32ArrayConstructor | Int32ArrayConstructor; size: number }> = {
  '<f8': { ctor: Float64Array, size: 8 },
  '<f4': { ctor: Float32Array, size: 4 },
  '<i4': { ctor: Int32Array, size: 4 },
};

export function readNpy(file: string): NpyArray {
  const buf = fs.readFileSync(file);
  const bad = (what: string) => Object.assign(new Error(`${file}: not a readable .npy array: ${what}`), { code: 'IONFIELD_BAD_INPUT' });
  if (buf.length < 10 || buf.toString('latin1', 0, 6) !== '\x93NUMPY') throw bad('missing the \\x93NUMPY magic');
  const major = buf[6];
  const headerLength = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', start, start + headerLength);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*True/.test(header);
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || shapeText === undefined) throw bad(`header '${header.trim()}' lacks descr or shape`);
  const dtype = DTYPES[descr];
  if (!dtype) throw bad(`dtype ${descr} (expected little-endian float64, float32 or int32)`);
  if (fortran) throw bad('Fortran-ordered arrays are not supported (save with C order)');
  const shape = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const offset = start + headerLength;
  if (buf.length - offset !== count * dtype.size) throw bad(`shape (${shape.join(', ')}) needs ${count * dtype.size} data bytes, file has ${buf.length - offset}`);
  const copy = new Uint8Array(count * dtype.size);
  copy.set(buf.subarray(offset));
  return { shape, data: new dtype.ctor(copy.buffer) };
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
export function writeAtomic(file: string, content: Buffer | string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, content);
  fs.renameSync(tmp, file);
}

export function writeNpy(file: string, array: NpyArray): void {
  const count = array.shape.reduce((a, b) => a * b, 1);
  if (count !== array.data.length) throw new Error(`writeNpy: shape (${array.shape.join(', ')}) does not hold ${array.data.length} values`);
  writeAtomic(file, npyBytes(array));
}
