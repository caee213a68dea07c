// A .npy array read in pieces: the header is parsed and checked against the file's size when the
// file is opened (the same checks and messages as readNpyArray), and rows of the leading dimension
// are then read on demand with positioned reads. Analyses and training stream their per-frame data
// through this, so their memory does not grow with the number of frames.
import * as fs from 'node:fs';
import { Descr, DTYPES, parseNpyHeader } from './npy';

export type NpyData = Float64Array | Float32Array | Int32Array;

/** Bytes per read when a caller does not choose: large enough for few system calls, small against memory. */
export const DEFAULT_CHUNK_BYTES = 1 << 20;

export class NpyFile {
  private closed = false;

  private constructor(
    readonly file: string,
    private readonly fd: number,
    readonly descr: Descr,
    readonly shape: number[],
    /** Byte offset of element 0 in the file. */
    readonly dataOffset: number,
  ) {}

  /** Opens and checks a .npy file (version 1–3 header, C order, a known dtype, exact size). */
  static open(file: string): NpyFile {
    const fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      // The header length sits in bytes 8–9 (v1) or 8–11 (v2/3): read those, then the header itself.
      const head = Buffer.alloc(Math.min(size, 12));
      readFully(fd, head, 0);
      let want = head.length;
      if (head.length >= 10 && head.toString('latin1', 0, 6) === '\x93NUMPY') {
        const major = head[6];
        if (major === 1) want = 10 + head.readUInt16LE(8);
        else if ((major === 2 || major === 3) && head.length >= 12) want = 12 + head.readUInt32LE(8);
      }
      const buf = Buffer.alloc(Math.min(size, want));
      readFully(fd, buf, 0);
      const { descr, shape, dataOffset } = parseNpyHeader(buf, file, size);
      return new NpyFile(file, fd, descr, shape, dataOffset);
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
  }

  /** Leading dimension (frames). */
  get rows(): number {
    return this.shape.length === 0 ? 1 : this.shape[0];
  }

  /** Values per leading row (product of the trailing dimensions). */
  get rowLength(): number {
    return this.shape.slice(1).reduce((a, b) => a * b, 1);
  }

  get itemBytes(): number {
    return DTYPES[this.descr].size;
  }

  get dtype(): 'float64' | 'float32' | 'int32' {
    return this.descr === '<f8' ? 'float64' : this.descr === '<f4' ? 'float32' : 'int32';
  }

  /** Rows per chunk so that one chunk holds about `bytes` bytes (at least one row). */
  rowsPerChunk(bytes = DEFAULT_CHUNK_BYTES): number {
    return Math.max(1, Math.floor(bytes / Math.max(1, this.rowLength * this.itemBytes)));
  }

  /**
   * Rows [first, first + count) as a typed array of the file's dtype: a fresh array, or a view of
   * `into` (an ArrayBuffer at least count rows long) so that a loop over chunks reuses one buffer
   * instead of leaving the garbage collector a chunk per step.
   */
  readRows(first: number, count: number, into?: ArrayBuffer): NpyData {
    if (this.closed) throw new Error(`${this.file}: read after close`);
    if (!(Number.isInteger(first) && Number.isInteger(count) && first >= 0 && count >= 0 && first + count <= this.rows))
      throw new RangeError(`${this.file}: rows [${first}, ${first + count}) outside the array's ${this.rows}`);
    const rowBytes = this.rowLength * this.itemBytes;
    const bytes = into ? new Uint8Array(into, 0, count * rowBytes) : new Uint8Array(count * rowBytes);
    readFully(this.fd, bytes, this.dataOffset + first * rowBytes, this.file);
    return new DTYPES[this.descr].ctor(bytes.buffer, 0, count * this.rowLength);
  }

  /**
   * The rows in order, `rows` at a time (default: about DEFAULT_CHUNK_BYTES per chunk). The chunks
   * share one buffer: a chunk's data are valid until the next one is asked for.
   */
  *chunks(rows = this.rowsPerChunk()): Generator<{ first: number; count: number; data: NpyData }> {
    const buffer = new ArrayBuffer(Math.min(rows, this.rows) * this.rowLength * this.itemBytes);
    for (let first = 0; first < this.rows; first += rows) {
      const count = Math.min(rows, this.rows - first);
      yield { first, count, data: this.readRows(first, count, buffer) };
    }
  }

  /** The raw data bytes in order, in chunks of about `bytes` (for checksums). */
  *byteChunks(bytes = DEFAULT_CHUNK_BYTES): Generator<Uint8Array> {
    const total = this.shape.reduce((a, b) => a * b, 1) * this.itemBytes;
    const buf = new Uint8Array(Math.max(1, Math.min(total, bytes)));
    for (let at = 0; at < total; at += buf.length) {
      const n = Math.min(buf.length, total - at);
      readFully(this.fd, buf.subarray(0, n), this.dataOffset + at, this.file);
      yield buf.subarray(0, n);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    fs.closeSync(this.fd);
  }
}

function readFully(fd: number, into: Uint8Array, position: number, file?: string): void {
  for (let got = 0; got < into.length; ) {
    const n = fs.readSync(fd, into, got, into.length - got, position + got);
    if (n === 0) throw Object.assign(new Error(`${file ?? 'npy'}: the file ended early (it changed while being read?)`), { code: 'IONFIELD_BAD_INPUT' });
    got += n;
  }
}
