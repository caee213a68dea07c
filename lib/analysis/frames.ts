// A per-ion field seen a chunk of frames at a time: every analysis reads its frames through this,
// so the same code runs on a Field held in memory (views, no copies) and on one left on disk
// (open-field.ts), whose memory does not grow with the number of frames. Chunks come in frame
// order, so sums over frames keep the order of the whole-array loops: the same bits.
import type { Field } from './field';

export interface FieldChunk {
  /** Index of the chunk's first frame. */
  first: number;
  frames: number;
  /** frames × natoms */
  values: Float64Array;
  /** frames × natoms × 3 (empty unless asked for) */
  positions: Float64Array;
  /** frames × 9 */
  boxes: Float64Array;
}

export interface FieldFrames {
  frames: number;
  natoms: number;
  species: string[];
  charges: Float64Array;
  provenance?: Record<string, unknown>;
  /** The frames in order, at most `size` per chunk; positions only when `positions` is true. */
  chunks(size: number, positions?: boolean): Iterable<FieldChunk>;
}

/** A Field in memory as FieldFrames (chunks are views into its arrays). */
export function inMemory(field: Pick<Field, 'frames' | 'natoms' | 'values' | 'species'> & Partial<Field>): FieldFrames {
  const n = field.natoms;
  return {
    frames: field.frames,
    natoms: n,
    species: field.species,
    charges: field.charges ?? new Float64Array(field.natoms),
    provenance: field.provenance,
    *chunks(size: number, positions = false) {
      for (let first = 0; first < field.frames; first += size) {
        const frames = Math.min(size, field.frames - first);
        yield {
          first,
          frames,
          values: field.values.subarray(first * n, (first + frames) * n),
          positions: positions ? field.positions!.subarray(first * n * 3, (first + frames) * n * 3) : new Float64Array(0),
          // A values-only field (pairMoments of a shard's whole field) has no cells.
          boxes: field.boxes ? field.boxes.subarray(9 * first, 9 * (first + frames)) : new Float64Array(0),
        };
      }
    },
  };
}

export function isField(f: object): f is Field {
  return 'values' in f && (f as Field).values instanceof Float64Array;
}

/** Anything holding its values in memory (a Field, or values only) or already FieldFrames. */
export function framesOf(f: (Pick<Field, 'frames' | 'natoms' | 'values' | 'species'> & Partial<Field>) | FieldFrames): FieldFrames {
  return 'chunks' in f ? f : inMemory(f);
}

/**
 * Frames per chunk for passes over values only: about 2¹⁷ values (1 MB of float64) per chunk —
 * few enough system calls, and a footprint that stays small next to the process's own.
 */
export function valueChunkFrames(natoms: number): number {
  return Math.max(1, Math.floor((1 << 17) / Math.max(1, natoms)));
}
