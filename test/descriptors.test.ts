// Descriptors against an independent, deliberately plain reference written here: every pair and
// triplet over explicit periodic images, straight from the formulas in docs/descriptors.md.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bindSet, BoundSet, parseN2p2, parseSetJson, SymmetryFunction } from '../lib/descriptor-sets';
import { computeBatch, neighborList, rowMap } from '../lib/descriptors';
import { native } from '../lib/native';
import { readNpy } from '../lib/npy';
import { rng } from '../lib/analysis/stats';
import { FrameBatch } from '../lib/trajectory';
import { runCli } from './helpers/cli';
import { fixturesDir, tempDir } from './helpers/paths';

// ---------------------------------------------------------------- vector helpers
type V3 = [number, number, number];
const dot = (a: V3, b: V3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const cross = (a: V3, b: V3): V3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];

interface System {
  h: V3[]; // cell vectors (rows)
  x: V3[];
  types: string[];
}

function heights(h: V3[]): V3 {
  const v = Math.abs(dot(h[0], cross(h[1], h[2])));
  return [v / Math.hypot(...cross(h[1], h[2])), v / Math.hypot(...cross(h[2], h[0])), v / Math.hypot(...cross(h[0], h[1]))];
}

function randomSystem(seed: number, n: number, triclinic: boolean, species = ['A', 'B']): System {
  const r = rng(seed);
  const L = () => 6 + 5 * r();
  const h: V3[] = triclinic
    ? [[L(), 0, 0], [(r() - 0.5) * 4, L(), 0], [(r() - 0.5) * 4, (r() - 0.5) * 4, L()]]
    : [[L(), 0, 0], [0, L(), 0], [0, 0, L()]];
  const x: V3[] = [];
  const types: string[] = [];
  for (let i = 0; i < n; i++) {
    const s = [r() * 1.6 - 0.3, r() * 1.6 - 0.3, r() * 1.6 - 0.3]; // some atoms outside the cell
    x.push([0, 1, 2].map((k) => s[0] * h[0][k] + s[1] * h[1][k] + s[2] * h[2][k]) as V3);
    types.push(species[Math.floor(r() * species.length)]);
  }
  return { h, x, types };
}

// ---------------------------------------------------------------- the reference
function fcut(r: number, rc: number, kind: string): number {
  if (r >= rc) return 0;
  const x = r / rc;
  return kind === 'cos' ? 0.5 * (Math.cos(Math.PI * x) + 1) : ((15 - 6 * x) * x - 10) * x * x * x + 1;
}

interface Nb {
  v: V3;
  r: number;
  s: string;
}

/** All images of all atoms within rmax of atom i (explicit image loops, no cell list). */
function neighboursOf(sys: System, i: number, rmax: number): Nb[] {
  const H = heights(sys.h);
  const K = H.map((hk) => Math.ceil(rmax / hk) + 2);
  const out: Nb[] = [];
  for (let j = 0; j < sys.x.length; j++)
    for (let a = -K[0]; a <= K[0]; a++)
      for (let b = -K[1]; b <= K[1]; b++)
        for (let c = -K[2]; c <= K[2]; c++) {
          if (j === i && a === 0 && b === 0 && c === 0) continue;
          const v = [0, 1, 2].map((k) => sys.x[j][k] - sys.x[i][k] + a * sys.h[0][k] + b * sys.h[1][k] + c * sys.h[2][k]) as V3;
          const r = Math.hypot(...v);
          if (r < rmax) out.push({ v, r, s: sys.types[j] });
        }
  return out;
}

function reference(f: SymmetryFunction, nb: Nb[]): number {
  if (f.type === 'G2') {
    let g = 0;
    for (const p of nb) if (p.s === f.neighbours[0]) g += Math.exp(-f.eta * (p.r - f.rs) ** 2) * fcut(p.r, f.cutoff, f.cutoffFunction);
    return g;
  }
  let g = 0;
  const [e1, e2] = f.neighbours;
  for (let j = 0; j < nb.length; j++)
    for (let k = j + 1; k < nb.length; k++) {
      const sj = nb[j].s, sk = nb[k].s;
      if (!((sj === e1 && sk === e2) || (sj === e2 && sk === e1))) continue;
      const rj = nb[j].r, rk = nb[k].r;
      const cos = dot(nb[j].v, nb[k].v) / (rj * rk);
      let term = Math.max(0, 1 + f.lambda * cos) ** f.zeta * Math.exp(-f.eta * ((rj - f.rs) ** 2 + (rk - f.rs) ** 2)) * fcut(rj, f.cutoff, f.cutoffFunction) * fcut(rk, f.cutoff, f.cutoffFunction);
      if (f.type === 'G4') {
        const rjk = Math.hypot(nb[j].v[0] - nb[k].v[0], nb[j].v[1] - nb[k].v[1], nb[j].v[2] - nb[k].v[2]);
        term *= Math.exp(-f.eta * (rjk - f.rs) ** 2) * fcut(rjk, f.cutoff, f.cutoffFunction);
      }
      g += term;
    }
  return 2 ** (1 - f.zeta) * g;
}

function batchOf(sys: System): FrameBatch {
  const positions = Float64Array.from(sys.x.flat());
  return {
    first: 0, frames: 1, natoms: sys.x.length, positions, boxes: Float64Array.from(sys.h.flat()), origins: new Float64Array(3),
    steps: new Float64Array(1), times: new Float64Array(1), types: sys.types, charges: null, unwrapped: false,
  };
}

async function nativeValues(bound: BoundSet, sys: System, options = {}) {
  const map = rowMap(bound, sys.types);
  const v = (await computeBatch(bound, batchOf(sys), map, { precision: 'float64', device: 'cpu', ...options })) as Float64Array;
  return { v, map };
}

const testSet = parseSetJson(
  JSON.stringify({
    schema: 'ionfield.descriptor-set/2',
    functions: [
      { type: 'G2', neighbours: '*', eta: 1.7, rs: { from: 0.4, step: 0.55, count: 9 }, cutoff: 5.2 },
      { type: 'G2', neighbours: '*', eta: [0.05, 0.4], rs: [0, 1.3], cutoff: 4.4, cutoffFunction: 'poly2' },
      { type: 'G5', neighbours: '*', eta: [0.01, 0.09], zeta: [1, 2, 3, 4, 1.5], lambda: [1, -1], cutoff: 4.1 },
      { type: 'G5', neighbours: '*', eta: 0.04, rs: 0.6, zeta: [2, 16], lambda: [1, -1], cutoff: 3.6, cutoffFunction: 'poly2' },
      { type: 'G4', neighbours: '*', eta: [0.02, 0.3], zeta: [1, 4, 2.5], lambda: [1, -1], cutoff: 3.9 },
    ],
  }),
  'test-set',
);

function assertClose(actual: number, expected: number, what: string) {
  const tol = 1e-10 * Math.abs(expected) + 1e-13;
  if (!(Math.abs(actual - expected) <= tol)) assert.fail(`${what}: ${actual} vs reference ${expected} (diff ${Math.abs(actual - expected)})`);
}

describe('symmetry functions vs an independent brute-force reference', function () {
  this.timeout(120_000);
  const cases: [string, number, boolean, number][] = [
    ['orthorhombic', 11, false, 60],
    ['triclinic', 12, true, 70],
    ['triclinic, small cell (cutoff beyond half the box: several images)', 13, true, 25],
    ['three species', 14, true, 50],
  ];
  for (const [name, seed, triclinic, n] of cases) {
    it(`${name}: every feature of every atom to 1e-10 relative`, async () => {
      const species = name === 'three species' ? ['A', 'B', 'C'] : ['A', 'B'];
      const sys = randomSystem(seed, n, triclinic, species);
      if (name.startsWith('triclinic, small')) sys.h = sys.h.map((v) => v.map((c) => c * 0.7) as V3);
      const bound = bindSet(testSet, species);
      const { v, map } = await nativeValues(bound, sys);
      const rmax = Math.max(...bound.functions.map((f) => f.cutoff));
      let checked = 0;
      map.rows.forEach((atom, row) => {
        const nb = neighboursOf(sys, atom, rmax);
        bound.columns[sys.types[atom]].forEach((f, col) => {
          assertClose(v[row * bound.maxFeatures + col], reference(f, nb), `atom ${atom} column ${col} (${f.type} ${f.neighbours.join(',')} zeta ${f.zeta})`);
          checked++;
        });
      });
      assert.ok(checked > 1000);
    });
  }

  it('fast paths off (every function by its definition) give the same values', async () => {
    const sys = randomSystem(21, 60, true);
    const bound = bindSet(testSet, ['A', 'B']);
    const fast = await nativeValues(bound, sys);
    const slow = await nativeValues(bound, sys, { separableG5: false, shiftRecurrence: false, threads: 1 });
    fast.v.forEach((x, k) => assertClose(x, slow.v[k], `value ${k}`));
  });

  it('invariant under rotation, translation, periodic image shifts and permutation', async () => {
    const sys = randomSystem(31, 70, true);
    const bound = bindSet(testSet, ['A', 'B']);
    const base = (await nativeValues(bound, sys)).v;
    const F = bound.maxFeatures;
    const r = rng(5);
    // rotation about a random axis
    const u = (() => { const a: V3 = [r() - 0.5, r() - 0.5, r() - 0.5]; const l = Math.hypot(...a); return a.map((c) => c / l) as V3; })();
    const th = 2.1, c = Math.cos(th), s = Math.sin(th);
    const rot = (p: V3): V3 => { const k = cross(u, p), d = dot(u, p); return [0, 1, 2].map((q) => p[q] * c + k[q] * s + u[q] * d * (1 - c)) as V3; };
    const variants: [string, System, number[]][] = [
      ['rotation', { h: sys.h.map(rot), x: sys.x.map(rot), types: sys.types }, sys.x.map((_, i) => i)],
      ['translation', { h: sys.h, x: sys.x.map((p) => [p[0] + 1.7, p[1] - 3.1, p[2] + 0.4] as V3), types: sys.types }, sys.x.map((_, i) => i)],
      ['image shifts', { h: sys.h, x: sys.x.map((p, i) => (i % 2 ? [0, 1, 2].map((k) => p[k] + 2 * sys.h[0][k] - sys.h[2][k]) as V3 : p)), types: sys.types }, sys.x.map((_, i) => i)],
    ];
    const perm = sys.x.map((_, i) => (i * 17 + 3) % sys.x.length); // 17 coprime with 70
    const px: V3[] = new Array(sys.x.length), pt: string[] = new Array(sys.x.length);
    perm.forEach((to, from) => { px[to] = sys.x[from]; pt[to] = sys.types[from]; });
    variants.push(['permutation', { h: sys.h, x: px, types: pt }, perm]);
    for (const [what, other, where] of variants) {
      const v = (await nativeValues(bound, other)).v;
      for (let i = 0; i < sys.x.length; i++)
        for (let k = 0; k < bound.columns[sys.types[i]].length; k++) assertClose(v[where[i] * F + k], base[i * F + k], `${what}: atom ${i} column ${k}`);
    }
  });

  it('CUDA equals CPU to float precision (or skips with the reason)', async function () {
    const gpu = native().descriptorsGpu();
    if (!gpu.available) {
      console.log(`      SKIP (no GPU): ${gpu.reason}`);
      this.skip();
    }
    const sys = randomSystem(41, 400, true);
    const bound = bindSet(testSet, ['A', 'B']);
    const cpu = (await nativeValues(bound, sys)).v;
    const cuda = (await nativeValues(bound, sys, { device: 'cuda' })).v;
    cpu.forEach((x, k) => assert.ok(Math.abs(x - cuda[k]) <= 1e-6 * Math.abs(x) + 1e-9, `value ${k}: ${x} vs ${cuda[k]}`));
  });
});

describe('neighbour list vs brute force (property test through the API)', function () {
  this.timeout(60_000);
  it('same pairs, shifts and distances on 24 random boxes, half and full, small and large cutoffs', async () => {
    for (let t = 0; t < 24; t++) {
      const sys = randomSystem(100 + t, 20 + t, t % 2 === 1);
      const H = Math.min(...heights(sys.h));
      const rc = t % 3 === 0 ? H * (0.6 + 0.01 * t) : H * 0.3;
      for (const full of [false, true]) {
        const nl = await neighborList(Float64Array.from(sys.x.flat()), Float64Array.from(sys.h.flat()), { cutoff: rc, full, threads: 1 });
        const got = new Map<string, number>();
        for (let p = 0; p < nl.first.length; p++)
          got.set(`${nl.first[p]} ${nl.second[p]} ${nl.shifts[3 * p]} ${nl.shifts[3 * p + 1]} ${nl.shifts[3 * p + 2]}`, nl.distances[p]);
        let expected = 0;
        const K = heights(sys.h).map((hk) => Math.ceil(rc / hk) + 2);
        for (let i = 0; i < sys.x.length; i++)
          for (let j = full ? 0 : i; j < sys.x.length; j++)
            for (let a = -K[0]; a <= K[0]; a++)
              for (let b = -K[1]; b <= K[1]; b++)
                for (let c = -K[2]; c <= K[2]; c++) {
                  if (i === j && (a === 0 && b === 0 && c === 0)) continue;
                  if (!full && i === j && !(a > 0 || (a === 0 && (b > 0 || (b === 0 && c > 0))))) continue;
                  const d = Math.hypot(...[0, 1, 2].map((k) => sys.x[j][k] - sys.x[i][k] + a * sys.h[0][k] + b * sys.h[1][k] + c * sys.h[2][k]));
                  if (d >= rc) continue;
                  expected++;
                  const key = `${i} ${j} ${a} ${b} ${c}`;
                  assert.ok(got.has(key), `case ${t}: missing pair ${key} at ${d}`);
                  assert.ok(Math.abs(got.get(key)! - d) < 1e-12, `case ${t}: distance of ${key}`);
                }
        assert.equal(nl.first.length, expected, `case ${t} (rc ${rc.toFixed(2)}, full ${full}): pair count`);
      }
    }
  });
});

describe('descriptor set formats', () => {
  it('n2p2 symfunction_short lines give the same functions as the equivalent JSON', () => {
    const n2p2 = parseN2p2(
      ['elements 2 Na Cl', 'cutoff_type 1 0.0', 'symfunction_short Na 2 Cl 0.5 1.5 6.0', 'symfunction_short Na 3 Na Cl 0.01 -1 2.0 4.0',
        'symfunction_short Cl 9 Cl Cl 0.02 1 4.0 4.5 0.3  # with rs', 'random_seed 1'].join('\n'),
      'input.nn',
    );
    const json = parseSetJson(
      JSON.stringify({
        species: ['Na', 'Cl'],
        functions: [
          { type: 'G2', centre: 'Na', neighbours: ['Cl'], eta: 0.5, rs: 1.5, cutoff: 6 },
          { type: 'G4', centre: 'Na', neighbours: ['Na', 'Cl'], eta: 0.01, lambda: -1, zeta: 2, cutoff: 4 },
          { type: 'G5', centre: 'Cl', neighbours: ['Cl', 'Cl'], eta: 0.02, lambda: 1, zeta: 4, cutoff: 4.5, rs: 0.3 },
        ],
      }),
      'set.json',
    );
    assert.deepEqual(bindSet(n2p2, []).functions, bindSet(json, []).functions);
    assert.deepEqual(bindSet(n2p2, []).species, ['Na', 'Cl']);
  });

  it('bad lines are refused with file:line and what was expected', () => {
    assert.throws(() => parseN2p2('symfunction_short Na 2 Cl 0.5 1.5\n', 'in.nn'), /in\.nn:1: type 2 expects/);
    assert.throws(() => parseN2p2('\nsymfunction_short Na 5 Cl 0.5 1.5 6\n', 'in.nn'), /in\.nn:2: symfunction_short type must be 2, 3 or 9/);
    assert.throws(() => parseN2p2('symfunction_short Na 9 Cl Cl 0.5 0.5 2 6\n', 'in.nn'), /lambda must be \+1 or -1/);
    assert.throws(() => parseSetJson('{"functions":[{"type":"G2","eta":1}]}', 's.json'), /s\.json: functions\[0\]: 'cutoff' is required/);
    assert.throws(() => bindSet(parseSetJson('{"functions":[{"type":"G2","centre":"K","eta":1,"cutoff":3}]}', 's.json'), ['Na']), /centre species 'K'/);
  });

  it('the benchmark set has 22 G2 + 12 G5 per centre species for two species', () => {
    const r = runCli(['descriptors', '--list-sets', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const names = (JSON.parse(r.stdout) as { sets: { name: string }[] }).sets.map((s) => s.name);
    assert.ok(names.includes('benchmark'));
    const bound = bindSet(parseSetJson(fs.readFileSync(path.join(__dirname, '..', 'data', 'descriptor-sets', 'benchmark.json'), 'utf8'), 'benchmark'), ['Na', 'Cl']);
    for (const s of ['Na', 'Cl']) {
      assert.equal(bound.columns[s].filter((f) => f.type === 'G2' && f.cutoff === 6).length, 22);
      assert.equal(bound.columns[s].filter((f) => f.type === 'G5' && f.cutoff === 4).length, 12);
    }
  });
});

describe('ionfield descriptors (CLI)', function () {
  this.timeout(60_000);
  const traj = path.join(fixturesDir, 'descriptors', 'ions-triclinic.lammpstrj');

  it('streams frames x ions x features float32 with a column file, equal to the API values', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'd.npy');
    const r = runCli(['descriptors', traj, '--set', 'benchmark', '--out', out, '--type-map', '1:Na,2:Cl', '--batch', '2', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const summary = JSON.parse(r.stdout);
    assert.equal(summary.schema, 'ionfield.descriptors/2');
    assert.deepEqual(summary.shape, [3, 96, 34]);
    const { shape, data } = readNpy(out);
    assert.deepEqual(shape, [3, 96, 34]);
    assert.ok(data instanceof Float32Array);
    const cols = JSON.parse(fs.readFileSync(path.join(dir, 'd.columns.json'), 'utf8'));
    assert.equal(cols.schema, 'ionfield.descriptor-columns/2');
    assert.equal(cols.columns.Na.length, 34);
    assert.deepEqual(cols.columns.Na[0].neighbours, ['Cl']); // species sorted: Cl, Na
    assert.equal(cols.columns.Na[33].type, 'G5');
    assert.equal(cols.rows.atoms.length, 96);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['d.columns.json', 'd.npy']); // no temporary files left
    // Frame 1 recomputed through the reference, for a few ions: the stored float32 values match.
    const text = fs.readFileSync(traj, 'utf8').split('ITEM: TIMESTEP').filter(Boolean)[1].split('\n');
    const b = text.slice(5, 8).map((l) => l.trim().split(/\s+/).map(Number));
    const [xy, xz, yz] = [b[0][2], b[1][2], b[2][2]];
    const xlo = b[0][0] - Math.min(0, xy, xz, xy + xz), xhi = b[0][1] - Math.max(0, xy, xz, xy + xz);
    const ylo = b[1][0] - Math.min(0, yz), yhi = b[1][1] - Math.max(0, yz);
    const h: V3[] = [[xhi - xlo, 0, 0], [xy, yhi - ylo, 0], [xz, yz, b[2][1] - b[2][0]]];
    const atoms = text.slice(9, 9 + 96).map((l) => l.trim().split(/\s+/).map(Number));
    const sys: System = { h, x: atoms.map((a) => [a[3], a[4], a[5]] as V3), types: atoms.map((a) => (a[1] === 1 ? 'Na' : 'Cl')) };
    const bound = bindSet(parseSetJson(fs.readFileSync(path.join(__dirname, '..', 'data', 'descriptor-sets', 'benchmark.json'), 'utf8'), 'b'), ['Cl', 'Na']);
    for (const atom of [0, 47, 48, 95]) {
      const nb = neighboursOf(sys, atom, 6);
      bound.columns[sys.types[atom]].forEach((f, col) => {
        const ref = reference(f, nb);
        const got = data[(1 * 96 + atom) * 34 + col];
        assert.ok(Math.abs(got - ref) <= 2e-7 * Math.abs(ref) + 1e-12, `atom ${atom} column ${col}: ${got} vs ${ref}`);
      });
    }
  });

  it('bad input exits 1 naming the file and line; bad usage exits 2', () => {
    const dir = tempDir();
    const bad = path.join(dir, 'bad.nn');
    fs.writeFileSync(bad, 'symfunction_short 1 2 2 0.5 nope 6\n');
    const r = runCli(['descriptors', traj, '--set', bad, '--out', path.join(dir, 'x.npy')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /bad\.nn:1: expected a number for rs, got 'nope'/);
    assert.equal(runCli(['descriptors', traj, '--set', 'benchmark']).status, 2);
    assert.equal(runCli(['descriptors', traj, '--set', 'benchmark', '--out', path.join(dir, 'x.txt')]).status, 2);
    const none = runCli(['descriptors', traj, '--set', 'no-such-set', '--out', path.join(dir, 'x.npy')]);
    assert.equal(none.status, 1);
    assert.match(none.stderr, /neither a file nor a shipped set/);
    assert.ok(!fs.existsSync(path.join(dir, 'x.npy')));
  });
});
