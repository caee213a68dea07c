// Mutation fuzzing of the readers that live in TypeScript (the native readers have libFuzzer
// harnesses, scripts/fuzz.sh): the .npy reader, the kinoson states .npy reader and the kinosons
// config reader. Each gets a fixed budget of deterministic mutations (bit flips, byte
// replacements with boundary values, truncations, insertions, duplicated slices) of a valid input;
// every outcome must be a value that is self-consistent or an error carrying code
// IONFIELD_BAD_INPUT with a short message — never a TypeError, RangeError, hang or crash.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir, repoRoot } from './helpers/paths';
import { NpyWriter, readNpyArray } from '../lib/npy';
import { readNpyUint8 } from '../lib/kinosons/states';
import { loadConfig } from '../lib/kinosons/config';

const dir = tempDir('ionfield-jsfuzz-');
const ITERATIONS = Number(process.env.IONFIELD_JS_FUZZ_ITERATIONS ?? 1500);

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INTERESTING = [0, 1, 0x7f, 0x80, 0xff, 0x30, 0x39, 0x27, 0x28, 0x29, 0x2c, 0x7b, 0x7d, 0x2d, 0x2e, 0x0a];

function mutate(input: Buffer, random: () => number): Buffer {
  let b = Buffer.from(input);
  const rounds = 1 + Math.floor(random() * 4);
  for (let r = 0; r < rounds; r++) {
    const at = Math.floor(random() * Math.max(1, b.length));
    switch (Math.floor(random() * 6)) {
      case 0: if (b.length) b[at] ^= 1 << Math.floor(random() * 8); break;
      case 1: if (b.length) b[at] = INTERESTING[Math.floor(random() * INTERESTING.length)]; break;
      case 2: b = b.subarray(0, at); break;
      case 3: b = Buffer.concat([b.subarray(0, at), Buffer.from([Math.floor(random() * 256)]), b.subarray(at)]); break;
      case 4: { const len = Math.floor(random() * 16); b = Buffer.concat([b.subarray(0, at), b.subarray(at, at + len), b.subarray(at)]); break; }
      case 5: if (b.length >= 12) b.writeUInt32LE(Math.floor(random() * 2 ** 32), Math.min(at, b.length - 4)); break;
    }
  }
  return b;
}

/** Runs `read` on `iterations` mutants of `seed`; returns how many were accepted. */
function fuzz(name: string, seed: Buffer, read: (file: string) => void, seedNumber: number): { accepted: number; refused: number } {
  const random = prng(seedNumber);
  const file = path.join(dir, name);
  let accepted = 0, refused = 0;
  for (let i = 0; i < ITERATIONS; i++) {
    const input = mutate(seed, random);
    fs.writeFileSync(file, input);
    try {
      read(file);
      accepted++;
    } catch (err) {
      const e = err as Error & { code?: string };
      if (e.code !== 'IONFIELD_BAD_INPUT' || e.message.length > 1000) {
        const crash = path.join(dir, `${name}.crash-${i}`);
        fs.writeFileSync(crash, input);
        assert.fail(`${name}: mutant ${i} (${input.length} bytes, kept as ${crash}) gave ${e.constructor.name} ${e.code ?? ''}: ${e.message.slice(0, 300)}`);
      }
      refused++;
    }
  }
  return { accepted, refused };
}

describe('mutation fuzzing of the TypeScript readers (fixed budget, deterministic)', function () {
  this.timeout(120_000);

  it(`.npy (float64, float32, int32): ${ITERATIONS} mutants each, only clean refusals or consistent arrays`, () => {
    for (const [k, dtype] of (['float64', 'float32'] as const).entries()) {
      const file = path.join(dir, `seed-${dtype}.npy`);
      const w = new NpyWriter(file, dtype, [3, 4]);
      w.append(dtype === 'float64' ? new Float64Array(24).map((_, i) => i / 3) : new Float32Array(24).map((_, i) => i / 3), 2);
      w.close();
      const r = fuzz(`${dtype}.npy`, fs.readFileSync(file), (f) => {
        const a = readNpyArray(f);
        assert.equal(a.data.length, a.shape.reduce((x, y) => x * y, 1), 'the array fills its shape');
      }, 101 + k);
      assert.ok(r.refused > ITERATIONS / 4, `most mutants are refused (${r.refused})`);
    }
  });

  it(`kinoson states .npy (uint8): ${ITERATIONS} mutants`, () => {
    const header = "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 8), }";
    const text = header.padEnd(64 - 10 - 1, ' ') + '\n';
    const head = Buffer.alloc(10);
    head.write('\x93NUMPY', 0, 'latin1');
    head[6] = 1;
    head.writeUInt16LE(text.length, 8);
    const seed = Buffer.concat([head, Buffer.from(text, 'latin1'), Buffer.from([0, 1, 0, 1, 255, 0, 1, 0, 1, 1, 0, 0, 255, 1, 0, 1])]);
    fuzz('states.npy', seed, (f) => {
      const s = readNpyUint8(f);
      assert.equal(s.data.length, s.shape[0] * s.shape[1]);
    }, 202);
  });

  it(`kinosons config (JSON with comments): ${ITERATIONS} mutants of each shipped config`, () => {
    for (const [k, name] of ['binary-arrhenius.json', 'cocrfemnni-illustrative.json'].entries()) {
      const seed = fs.readFileSync(path.join(repoRoot, 'data', 'kinosons', name));
      const r = fuzz(name, seed, (f) => void loadConfig(f), 303 + k);
      assert.ok(r.refused > 0 && r.accepted > 0, `both outcomes occur (${r.accepted} accepted, ${r.refused} refused)`);
    }
  });
});
