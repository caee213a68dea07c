// Streams a C-ordered float32/float64 .npy array to disk with bounded memory: rows are appended
// as they come, the header (a fixed 128 bytes) is rewritten with the final leading dimension at the
// end, and the file is written under a temporary name and renamed into place on close(). The
// SHA-256 of the data bytes is kept as they stream past, so a sidecar describing the array can
// name exactly the data it belongs to (verifyNpyChecksum).
import { createHash, Hash } from 'node:crypto';
import * as fs from 'node:fs';
import { commitTogether, discardTemporary, temporaryFor } from './atomic-file';
import { NpyFile } from './npy-file';

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
  private finished = false;
  private readonly descr: string;
  private hash: Hash = createHash('sha256');

  /** trailing: the shape after the first (streamed) dimension. */
  constructor(readonly destination: string, readonly dtype: 'float32' | 'float64', readonly trailing: number[]) {
    this.descr = dtype === 'float32' ? '<f4' : '<f8';
    this.temporary = temporaryFor(destination);
    this.fd = fs.openSync(this.temporary, 'w+'); // read back by rescale()
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
    this.hash.update(bytes);
    this.leading += count;
  }

  /**
   * Multiplies every value written so far by `factor` (in place, in chunks: memory stays bounded),
   * for outputs whose normalisation is known only at the end. The data checksum follows.
   */
  rescale(factor: number): void {
    if (this.finished) throw new Error('npy: rescale() after finish()');
    if (factor === 1) return;
    const size = this.dtype === 'float32' ? 4 : 8;
    const total = this.leading * this.trailing.reduce((a, b) => a * b, 1) * size;
    const chunk = Buffer.alloc(Math.min(total, 1 << 22) || 8);
    this.hash = createHash('sha256');
    for (let at = 0; at < total; ) {
      const n = Math.min(chunk.length, total - at);
      for (let got = 0; got < n; ) got += fs.readSync(this.fd, chunk, got, n - got, HEADER_BYTES + at + got);
      const view = this.dtype === 'float32' ? new Float32Array(chunk.buffer, chunk.byteOffset, n / 4) : new Float64Array(chunk.buffer, chunk.byteOffset, n / 8);
      for (let k = 0; k < view.length; k++) view[k] *= factor;
      for (let done = 0; done < n; ) done += fs.writeSync(this.fd, chunk, done, n - done, HEADER_BYTES + at + done);
      this.hash.update(chunk.subarray(0, n));
      at += n;
    }
  }

  /**
   * Completes the file under its temporary name (final header, closed) without moving it into
   * place, and returns the SHA-256 (hex) of its data bytes: write a sidecar that records it, move
   * the sidecar into place, then close() — the data last, so a reader never pairs new data with an
   * old description without noticing.
   */
  finish(): string {
    if (this.finished) throw new Error('npy: finish() called twice');
    fs.writeSync(this.fd, header(this.descr, [this.leading, ...this.trailing]), 0, HEADER_BYTES, 0);
    fs.closeSync(this.fd);
    this.finished = true;
    return this.hash.digest('hex');
  }

  close(): void {
    this.closeWith([]);
  }

  /**
   * Moves finished description files (written to temporaries) into place, then this array last,
   * as one unit that a concurrent run on the same paths cannot interleave with.
   */
  closeWith(descriptions: { tmp: string; destination: string }[]): void {
    if (this.closed) return;
    if (!this.finished) this.finish();
    commitTogether([...descriptions, { tmp: this.temporary, destination: this.destination }]);
    this.closed = true;
  }

  /** Finishes this array and hands it to another writer's closeWith, which moves it into place. */
  handOver(): { tmp: string; destination: string } {
    if (!this.finished) this.finish();
    this.closed = true;
    return { tmp: this.temporary, destination: this.destination };
  }

  abort(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      if (!this.finished) fs.closeSync(this.fd);
    } finally {
      discardTemporary(this.temporary);
    }
  }
}

/** SHA-256 (hex) of a .npy file's data bytes (everything after its header), read in chunks. */
export function npyDataSha256(file: string): string {
  const npy = NpyFile.open(file);
  try {
    const hash = createHash('sha256');
    for (const bytes of npy.byteChunks()) hash.update(bytes);
    return hash.digest('hex');
  } finally {
    npy.close();
  }
}

/**
 * Refuses a .npy whose data do not match the checksum its sidecar records (a crash or a concurrent
 * run between the two renames, or files copied from different runs).
 */
export function verifyNpyChecksum(file: string, sidecar: string, expected: string | undefined): void {
  if (!expected) return; // sidecars from before checksums were recorded
  const got = npyDataSha256(file);
  if (got !== expected)
    throw Object.assign(new Error(`${file}: its data do not match ${sidecar} (checksum ${got.slice(0, 12)}…, the description expects ${expected.slice(0, 12)}…): the two come from different runs — rerun the command that writes them`), { code: 'IONFIELD_BAD_INPUT' });
}

export const DTYPES = {
  '<f8': { ctor: Float64Array, size: 8 },
  '<f4': { ctor: Float32Array, size: 4 },
  '<i4': { ctor: Int32Array, size: 4 },
} as const;
export type Descr = keyof typeof DTYPES;

export interface NpyArray {
  shape: number[];
  data: Float64Array | Float32Array | Int32Array;
}

function badNpy(file: string, what: string): Error {
  return Object.assign(new Error(`${file}: not a readable .npy array: ${what}`), { code: 'IONFIELD_BAD_INPUT' });
}

/** What a header holds, checked against the file: version 1–3, C order, a known dtype, a shape the bytes fill exactly. */
export function parseNpyHeader(buf: Buffer, file: string, fileBytes = buf.length): { descr: Descr; shape: number[]; dataOffset: number } {
  if (buf.length < 10 || buf.toString('latin1', 0, 6) !== '\x93NUMPY') throw badNpy(file, 'missing the \\x93NUMPY magic');
  const major = buf[6];
  if (major < 1 || major > 3) throw badNpy(file, `format version ${major}.${buf[7]} (expected 1.0, 2.0 or 3.0)`);
  const start = major === 1 ? 10 : 12;
  if (buf.length < start) throw badNpy(file, 'the file ends inside the header length');
  const headerLength = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  if (start + headerLength > buf.length)
    throw badNpy(file, `the header says it is ${headerLength} bytes long, but only ${buf.length - start} bytes follow`);
  const header = buf.toString('latin1', start, start + headerLength);
  // A header is a short Python dict literal; quote at most 120 printable characters of anything else.
  const shown = header.trim().slice(0, 120).replace(/[^\x20-\x7e]/g, '?');
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || shapeText === undefined) throw badNpy(file, `header '${shown}' lacks descr or shape`);
  if (!(descr in DTYPES)) throw badNpy(file, `dtype ${descr} (expected little-endian float64, float32 or int32)`);
  if (/'fortran_order':\s*True/.test(header)) throw badNpy(file, 'Fortran-ordered arrays are not supported (save with C order)');
  const shape = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (shape.some((n) => !Number.isSafeInteger(n) || n < 0)) throw badNpy(file, `shape (${shapeText.slice(0, 60)}) is not a tuple of non-negative integers`);
  const dataOffset = start + headerLength;
  const bytes = shape.reduce((a, b) => a * b, 1) * DTYPES[descr as Descr].size;
  if (fileBytes - dataOffset !== bytes) throw badNpy(file, `shape (${shape.join(', ')}) needs ${bytes} data bytes, the file has ${fileBytes - dataOffset}`);
  return { descr: descr as Descr, shape, dataOffset };
}

/**
 * Reads a float64/float32/int32 .npy file (NumPy v1–v3 headers, C order). With `finite`, a NaN or
 * infinite value is an error naming its position: analyses must not drop such values silently.
 */
export function readNpyArray(file: string, options: { finite?: boolean } = {}): NpyArray {
  const buf = fs.readFileSync(file);
  const { descr, shape, dataOffset } = parseNpyHeader(buf, file);
  const copy = new Uint8Array(buf.length - dataOffset);
  copy.set(buf.subarray(dataOffset));
  const data = new DTYPES[descr].ctor(copy.buffer);
  if (options.finite && !(data instanceof Int32Array)) {
    const bad = data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) {
      const index: number[] = [];
      for (let rest = bad, k = shape.length - 1; k >= 0; k--) {
        index.unshift(rest % shape[k]);
        rest = Math.floor(rest / shape[k]);
      }
      throw Object.assign(new Error(`${file}: element [${index.join(', ')}] is ${data[bad]}; expected finite numbers (the array holds ${data.filter((v) => !Number.isFinite(v)).length} non-finite values)`), { code: 'IONFIELD_BAD_INPUT' });
    }
  }
  return { shape, data };
}

/** Reads a float32/float64 .npy file written by NpyWriter or NumPy (v1/v2 headers, C order). */
export function readNpy(file: string, options: { finite?: boolean } = {}): { shape: number[]; data: Float32Array | Float64Array } {
  const a = readNpyArray(file, options);
  if (a.data instanceof Int32Array) throw badNpy(file, 'dtype <i4 where float32 or float64 is expected');
  return a as { shape: number[]; data: Float32Array | Float64Array };
}
