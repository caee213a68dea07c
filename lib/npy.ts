// Streams a C-ordered float32/float64 .npy array to disk with bounded memory: rows are appended
// as they come, the header (a fixed 128 bytes) is rewritten with the final leading dimension at the
// end, and the file is written under a temporary name and renamed into place on close().
import * as fs from 'node:fs';
import * as path from 'node:path';

const HEADER_BYTES = 128;

function header(descr: string, shape: number[]): Buffer {
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const room = HEADER_BYTES - 10; // magic (6) + version (2) + length (2)
  if (dict.length + 1 > room) throw new Error(`npy header too long for shape (${shape.join(', ')})`);
  const text = dict.padEnd(room - 1, ' ') + '\n';
  const buf = Buffer.alloc(HEADER_BYTES);
  buf.write('\x93NUMPY', 0, 'latin1');
  buf[6] = 1;
  buf[7] = 0;
  buf.writeUInt16LE(room, 8);
  buf.write(text, 10, 'latin1');
  return buf;
}

export class NpyWriter {
  private fd: number;
  private readonly temporary: string;
  private leading = 0;
  private closed = false;
  private readonly descr: string;

  /** trailing: the shape after the first (streamed) dimension. */
  constructor(readonly destination: string, readonly dtype: 'float32' | 'float64', readonly trailing: number[]) {
    this.descr = dtype === 'float32' ? '<f4' : '<f8';
    this.temporary = path.join(path.dirname(destination), `.${path.basename(destination)}.${process.pid}.tmp`);
    this.fd = fs.openSync(this.temporary, 'w');
    fs.writeSync(this.fd, header(this.descr, [0, ...trailing]));
  }

  get rows(): number {
    return this.leading;
  }

  /** Appends count leading rows (data.length must be count * product(trailing)). */
  append(data: Float32Array | Float64Array, count: number): void {
    const per = this.trailing.reduce((a, b) => a * b, 1);
    if (data.length !== count * per) throw new Error(`npy append: ${data.length} values for ${count} rows of ${per}`);
    if ((this.dtype === 'float32') !== data instanceof Float32Array) throw new Error(`npy append: expected ${this.dtype} data`);
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    for (let done = 0; done < bytes.length; ) done += fs.writeSync(this.fd, bytes, done, bytes.length - done);
    this.leading += count;
  }

  close(): void {
    if (this.closed) return;
    fs.writeSync(this.fd, header(this.descr, [this.leading, ...this.trailing]), 0, HEADER_BYTES, 0);
    fs.closeSync(this.fd);
    fs.renameSync(this.temporary, this.destination);
    this.closed = true;
  }

  abort(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      fs.closeSync(this.fd);
    } finally {
      fs.rmSync(this.temporary, { force: true });
    }
  }
}

/** Reads a float32/float64 .npy file written by NpyWriter or NumPy (v1/v2 headers, C order). */
export function readNpy(file: string): { shape: number[]; data: Float32Array | Float64Array } {
  const buf = fs.readFileSync(file);
  if (buf.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error(`${file}: not a .npy file`);
  const major = buf[6];
  const len = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const text = buf.toString('latin1', start, start + len);
  const descr = /'descr':\s*'([^']+)'/.exec(text)?.[1];
  const shape = (/'shape':\s*\(([^)]*)\)/.exec(text)?.[1] ?? '').split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (/'fortran_order':\s*True/.test(text)) throw new Error(`${file}: Fortran order is not supported`);
  const offset = start + len;
  const bytes = buf.subarray(offset);
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  if (descr === '<f4') return { shape, data: new Float32Array(copy.buffer) };
  if (descr === '<f8') return { shape, data: new Float64Array(copy.buffer) };
  throw new Error(`${file}: dtype ${descr} is not supported`);
}
