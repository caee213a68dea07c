// The neighbour list's arrays are the native vectors themselves, handed to JavaScript without a copy
// (binding/adopt.hpp): they must stay correct after garbage collections and many other calls, and
// be freed when dropped.
import { strict as assert } from 'node:assert';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { randomBatch, uniform } from '../lib/bench/frames';
import { native, NativeNeighborList } from '../lib/native';

/** A full collection, with or without --expose-gc. */
function collector(): () => void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}
const gc = collector();
/** A collection that frees what was dropped: the last call's arrays survive one made in the same
 * turn of the event loop, and the finalizers of native buffers run in an immediate. */
async function collect() {
  await new Promise((resolve) => setTimeout(resolve, 0));
  gc();
  await new Promise((resolve) => setImmediate(resolve));
}

/** Every half pair (i < j, or i == j with a positive shift) by explicit image loops: key → distance. */
function bruteForce(x: Float64Array, L: number, rc: number): Map<string, number> {
  const n = x.length / 3, K = Math.ceil(rc / L);
  const pairs = new Map<string, number>();
  for (let i = 0; i < n; i++)
    for (let j = i; j < n; j++)
      for (let a = -K; a <= K; a++)
        for (let b = -K; b <= K; b++)
          for (let c = -K; c <= K; c++) {
            if (i === j && !(a > 0 || (a === 0 && (b > 0 || (b === 0 && c > 0))))) continue;
            const d = Math.hypot(x[3 * j] - x[3 * i] + a * L, x[3 * j + 1] - x[3 * i + 1] + b * L, x[3 * j + 2] - x[3 * i + 2] + c * L);
            if (d < rc) pairs.set(`${i} ${j} ${a} ${b} ${c}`, d);
          }
  return pairs;
}

function assertMatches(nl: NativeNeighborList, x: Float64Array, L: number, expected: Map<string, number>, label: string) {
  assert.equal(nl.first.length, expected.size, `${label}: pair count`);
  assert.equal(nl.second.length, expected.size);
  assert.equal(nl.shifts.length, 3 * expected.size);
  assert.equal(nl.distances.length, expected.size);
  assert.equal(nl.vectors.length, 3 * expected.size);
  for (let p = 0; p < nl.first.length; p++) {
    const i = nl.first[p], j = nl.second[p], s = [nl.shifts[3 * p], nl.shifts[3 * p + 1], nl.shifts[3 * p + 2]];
    const key = `${i} ${j} ${s.join(' ')}`;
    assert.ok(expected.has(key), `${label}: unexpected pair ${key}`);
    // The reference uses Math.hypot, the native code sqrt(r²): equal to the rounding.
    assert.ok(Math.abs(nl.distances[p] - expected.get(key)!) < 1e-12, `${label}: distance of ${key}`);
    for (let k = 0; k < 3; k++) {
      const v = x[3 * j + k] - x[3 * i + k] + s[k] * L;
      assert.ok(Math.abs(nl.vectors[3 * p + k] - v) < 1e-12, `${label}: vector of ${key}`);
    }
  }
}

describe('neighbour list arrays handed over without a copy', function () {
  this.timeout(120_000);

  it('match a brute-force list after collections and many other calls', async () => {
    const n = 300, L = 9, rc = 3.7;
    const r = uniform(11);
    const x = Float64Array.from({ length: 3 * n }, () => r() * 1.4 * L - 0.2 * L); // some atoms outside the box
    const frame = { positions: x, boxes: Float64Array.of(L, 0, 0, 0, L, 0, 0, 0, L), periodic: [true, true, true] };
    const expected = bruteForce(x, L, rc);
    const kept: NativeNeighborList[] = [];
    for (const threads of [1, 2]) kept.push(await native().neighborList(frame, { cutoff: rc, full: false, threads, distances: true, vectors: true }));
    // Each array has its own buffer, starting at its first byte.
    const arrays = [kept[0].first, kept[0].second, kept[0].shifts, kept[0].distances, kept[0].vectors];
    assert.equal(new Set(arrays.map((a) => a.buffer)).size, arrays.length);
    for (const a of arrays) assert.equal(a.byteOffset, 0);
    const snapshot = kept.map((nl) => ({ first: nl.first.slice(), shifts: nl.shifts.slice(), distances: nl.distances.slice() }));
    // Churn: lists made and dropped, collections in between, then the kept lists again.
    for (let k = 0; k < 40; k++) {
      await native().neighborList(frame, { cutoff: rc, full: k % 2 === 0, threads: 1 + (k % 2) });
      if (k % 10 === 0) {
        await collect();
      }
    }
    await collect();
    kept.forEach((nl, t) => {
      assert.deepEqual(nl.first, snapshot[t].first);
      assert.deepEqual(nl.shifts, snapshot[t].shifts);
      assert.deepEqual(nl.distances, snapshot[t].distances);
      assertMatches(nl, x, L, expected, `threads ${t + 1}`);
    });
    // One and two threads give the same list, in the same order.
    assert.deepEqual(kept[0].first, kept[1].first);
    assert.deepEqual(kept[0].second, kept[1].second);
    assert.deepEqual(kept[0].shifts, kept[1].shifts);
    assert.deepEqual(kept[0].distances, kept[1].distances);
    assert.deepEqual(kept[0].vectors, kept[1].vectors);
  });

  it('frees dropped lists: 40 lists of ~34 MB do not accumulate', async () => {
    const b = randomBatch(10_000, 1, 3);
    const frame = { positions: b.positions, boxes: b.boxes, origins: b.origins, periodic: b.periodic };
    const call = () => native().neighborList(frame, { cutoff: 6, full: false, threads: 1, distances: false, vectors: false });
    const pairs = (await call()).first.length;
    await collect();
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    for (let k = 0; k < 40; k++) {
      assert.equal((await call()).first.length, pairs);
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    const perList = 20 * pairs; // two int32 indices and three int32 shifts per pair
    const mb = (x: number) => `${(x / 2 ** 20).toFixed(0)} MB`;
    assert.ok(peak - rss0 < 12 * perList, `RSS grew by ${mb(peak - rss0)} over 40 lists of ${mb(perList)}`);
  });
});
