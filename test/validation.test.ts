// The validation policy (docs/formats.md, "Validation"; docs/reliability.md): inputs that used to
// be turned into wrong numbers with exit 0 are errors naming file, frame and field; overrides are
// explicit and recorded; a failed or interrupted run leaves no temporary file and never destroys
// an earlier output. Each broken file is one defect applied to a real fixture.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { runCli } from './helpers/cli';
import { cliPath, fixturesDir, repoRoot, tempDir } from './helpers/paths';
import { NpyWriter, verifyNpyChecksum } from '../lib/npy';

const dir = tempDir('ionfield-validation-');
const formats = path.join(fixturesDir, 'formats');
const xtc = fs.readFileSync(path.join(formats, 'ortho-mda.xtc'));
const dcd = fs.readFileSync(path.join(formats, 'ortho-mda.dcd'));
const topology = path.join(formats, 'ortho-mda.gro');

/** Byte offsets of the frames of a compressed XTC (header 92 bytes, then the padded block). */
function xtcFrames(buf: Buffer): number[] {
  const out: number[] = [];
  for (let o = 0; o < buf.length; o += 92 + Math.ceil(buf.readInt32BE(o + 88) / 4) * 4) out.push(o);
  return out;
}
const frameAt = xtcFrames(xtc);
function xtcWith(edit: (b: Buffer) => void): Buffer {
  const b = Buffer.from(xtc);
  edit(b);
  return b;
}
const setBox = (b: Buffer, frame: number, diag: number[] | null, all?: number) => {
  for (let k = 0; k < 9; k++) {
    const o = frameAt[frame] + 16 + 4 * k;
    if (all !== undefined) b.writeFloatBE(all, o);
    else if (diag && k % 4 === 0) b.writeFloatBE(diag[k / 4], o);
  }
};
// DCD (MDAnalysis, little-endian, 4-byte markers): header record 92 bytes, title record, natoms
// record, then frames starting with the 6-double unit cell record (A, gamma, B, beta, alpha, C).
const titleBytes = dcd.readInt32LE(92);
const frame0 = 92 + titleBytes + 8 + 12;
function dcdWith(edit: (b: Buffer) => void): Buffer {
  const b = Buffer.from(dcd);
  edit(b);
  return b;
}
const nsavcAt = 8 + 4 * 2;
const dcdFrameBytes = 56 + 3 * (8 + 4 * 64);
const dcdFrames = (dcd.length - frame0) / dcdFrameBytes;

interface Case {
  name: string;
  content: Buffer;
  frame: number | null;
  message: RegExp;
  allow?: string; // the override that lets the file through
}

const cases: Case[] = [
  { name: 'box-inf.xtc', content: xtcWith((b) => setBox(b, 0, [Infinity, 2, 2])), frame: 0, message: /the cell holds a non-finite number/ },
  { name: 'box-nan.xtc', content: xtcWith((b) => setBox(b, 3, [NaN, 2, 2])), frame: 3, message: /the cell holds a non-finite number \(cell vector component nan\)/ },
  { name: 'box-negative.xtc', content: xtcWith((b) => setBox(b, 0, [-2, 2, 2])), frame: 0, message: /left-handed/ },
  { name: 'box-zero-later.xtc', content: xtcWith((b) => setBox(b, 1, null, 0)), frame: 1, message: /the frame has no cell \(all zeros\), but frame 0 had one/ },
  { name: 'box-huge.xtc', content: xtcWith((b) => setBox(b, 0, [1e37, 1e37, 1e37])), frame: 0, message: /cell vector a is 1e\+37 long; ionfield accepts at most 1e\+06/ },
  { name: 'box-jump.xtc', content: xtcWith((b) => setBox(b, 16, [200, 200, 200])), frame: 16, message: /the cell volume jumps from 8 \(frame 15\) to 8e\+06.*--allow box-jumps/, allow: 'box-jumps' },
  { name: 'time-nan.xtc', content: xtcWith((b) => b.writeFloatBE(NaN, frameAt[2] + 12)), frame: 2, message: /the frame's time is nan; expected a finite number/ },
  { name: 'cut-one-byte.xtc', content: xtc.subarray(0, xtc.length - 1), frame: frameAt.length - 1, message: /the file ends inside the frame's compressed coordinates: they take \d+ bytes .* but only \d+ remain/ },
  { name: 'nsavc-zero.dcd', content: dcdWith((b) => b.writeInt32LE(0, nsavcAt)), frame: null, message: /NSAVC \(steps between frames\) is 0; expected a positive number\. Pass --allow dcd-nsavc/, allow: 'dcd-nsavc' },
  { name: 'nsavc-negative.dcd', content: dcdWith((b) => b.writeInt32LE(-5, nsavcAt)), frame: null, message: /NSAVC \(steps between frames\) is -5/ },
  { name: 'angle-5-degrees.dcd', content: dcdWith((b) => { for (let f = 0; f < dcdFrames; f++) b.writeDoubleLE(5, frame0 + f * dcdFrameBytes + 4 + 8); }), frame: 0, message: /cell angle gamma is 5 degrees.*--allow skewed-cells/, allow: 'skewed-cells' },
  // cosines (CHARMM form: 0 = 90°) mixed with a value that is no cosine: neither form
  { name: 'cosine-5.dcd', content: dcdWith((b) => [0, 5, 0].forEach((v, k) => b.writeDoubleLE(v, frame0 + 4 + 8 * [1, 3, 4][k]))), frame: 0, message: /angles are neither cosines .* nor degrees in \(0, 180\)/ },
  { name: 'angles-do-not-close.dcd', content: dcdWith((b) => [170, 10, 10].forEach((v, k) => b.writeDoubleLE(v, frame0 + 4 + 8 * [1, 3, 4][k]))), frame: 0, message: /the unit cell angles do not form a cell/ },
  { name: 'box-1e300.dcd', content: dcdWith((b) => b.writeDoubleLE(1e300, frame0 + 4)), frame: 0, message: /cell vector a is inf long; ionfield accepts at most/ },
  { name: 'coordinate-nan.dcd', content: dcdWith((b) => b.writeFloatLE(NaN, frame0 + 56 + 4 + 4 * 3)), frame: 0, message: /atom 4 has the coordinate x = nan; expected a finite number/ },
  { name: 'coordinate-inf-later.dcd', content: dcdWith((b) => b.writeFloatLE(-Infinity, frame0 + 2 * (56 + 3 * (8 + 4 * 64)) + 56 + 2 * (8 + 4 * 64) + 4 + 4 * 9)), frame: 2, message: /atom 10 has the coordinate z = -inf/ },
  { name: 'cut-in-title.dcd', content: dcd.subarray(0, 92 + 100), frame: null, message: /the file ends inside the title record: its marker says 244 bytes, but only 96 remain/ },
];

const transportArgs = (file: string, extra: string[] = []) => ['transport', file, '--temperature', '300', '--units', 'gromacs', '--topology', topology, '--charges', 'NA:1,CL:-1', '--allow-negative', ...extra];

describe('validation: every reader refuses numbers that cannot be physics (file, frame, field)', function () {
  this.timeout(120_000);
  for (const c of cases) {
    it(`${c.name}: transport exits 1 with one line naming the file${c.frame !== null ? `, frame ${c.frame}` : ''}`, () => {
      const file = path.join(dir, c.name);
      fs.writeFileSync(file, c.content);
      const r = runCli(transportArgs(file, ['--json']));
      assert.equal(r.status, 1, `exit code (stdout ${r.stdout.slice(0, 200)}): ${r.stderr}`);
      assert.equal(r.stdout, '', 'no result printed');
      assert.match(r.stderr, new RegExp(`^ionfield transport: error: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      if (c.frame !== null) assert.match(r.stderr, new RegExp(`frame ${c.frame}[:,]`), `names frame ${c.frame}`);
      assert.match(r.stderr, c.message);
      assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
    });
    if (c.allow)
      it(`${c.name}: --allow ${c.allow} lets it through and the JSON records it`, () => {
        const file = path.join(dir, c.name);
        const r = runCli(transportArgs(file, ['--allow', c.allow!, '--json']));
        assert.equal(r.status, 0, r.stderr);
        const report = JSON.parse(r.stdout) as { frameSelection: { overrides: string[] } };
        assert.deepEqual(report.frameSelection.overrides, [c.allow]);
      });
  }

  it('the fixtures themselves pass (the checks do not fire on good files), with no overrides recorded', () => {
    for (const f of ['ortho-mda.xtc', 'ortho-mda.dcd', 'tri-mda.xtc', 'tri-mda.dcd']) {
      const r = runCli(transportArgs(path.join(formats, f), ['--json']));
      assert.equal(r.status, 0, `${f}: ${r.stderr}`);
      assert.deepEqual((JSON.parse(r.stdout) as { frameSelection: { overrides: string[] } }).frameSelection.overrides, []);
    }
  });

  it('info and convert refuse the same defects (convert of a NaN DCD writes nothing)', () => {
    const bad = path.join(dir, 'coordinate-nan.dcd');
    const info = runCli(['info', bad]);
    assert.equal(info.status, 1);
    assert.match(info.stderr, /frame 0: atom 4 has the coordinate x = nan/);
    const out = path.join(dir, 'converted', 'out.xyz');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    const r = runCli(['convert', bad, out, '--topology', topology]);
    assert.equal(r.status, 1, r.stderr);
    assert.deepEqual(fs.readdirSync(path.dirname(out)), [], 'nothing written');
  });

  it('an unknown override is a usage error (exit 2)', () => {
    const r = runCli(transportArgs(path.join(formats, 'ortho-mda.xtc'), ['--allow', 'everything']));
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--allow: 'everything' is not one of box-jumps, dcd-nsavc, skewed-cells/);
  });
});

describe('validation: a negative D or σ is an error unless asked for', function () {
  this.timeout(60_000);
  // Ions that oscillate (x = A sin(2π t / T)) without diffusing: the MSD falls between lags T/2 and
  // T, so a fit there has a negative slope — the shape a broken trajectory gives.
  const file = path.join(dir, 'oscillating.xyz');
  before(() => {
    const lines: string[] = [];
    const T = 40, frames = 400, n = 8;
    for (let f = 0; f < frames; f++) {
      lines.push(String(n), `Lattice="20 0 0 0 20 0 0 0 20" Properties=species:S:1:pos:R:3:charge:R:1 Time=${f} unwrapped=T`);
      for (let i = 0; i < n; i++) {
        const z = i % 2 ? -1 : 1;
        const x = 2 + 2 * i + z * 1.5 * Math.sin((2 * Math.PI * (f + i)) / T);
        lines.push(`${z > 0 ? 'Na' : 'Cl'} ${x.toFixed(6)} ${(5 + i).toFixed(3)} 5.000 ${z}`);
      }
    }
    fs.writeFileSync(file, lines.join('\n') + '\n');
  });
  const args = () => ['transport', file, '--temperature', '1', '--units', 'lj', '--fit-start', '22', '--fit-stop', '38'];

  it('exit 1 with an error line naming the negative values; the numbers are still printed for diagnosis', () => {
    const r = runCli([...args(), '--json']);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /ionfield transport: error: D\(Na\) = -[\d.e-]+, D\(Cl\) = -[\d.e-]+, σ = -[\d.e-]+ — .*pass --allow-negative/);
    const report = JSON.parse(r.stdout) as { diffusion: Record<string, { value: number }> };
    assert.ok(report.diffusion.Na.value < 0);
  });

  it('--allow-negative: exit 0 and a warning in the JSON', () => {
    const r = runCli([...args(), '--allow-negative', '--json']);
    assert.equal(r.status, 0, r.stderr);
    assert.ok((JSON.parse(r.stdout) as { warnings: string[] }).warnings.some((w) => /negative estimates kept \(--allow-negative\)/.test(w)));
  });
});

describe('validation: no half-written output, no lost output, no stray temporary', function () {
  this.timeout(180_000);
  const demo = path.join(repoRoot, 'data', 'demo', 'electrolyte.lammpstrj.gz');
  const text = zlib.gunzipSync(fs.readFileSync(demo)).toString('latin1');
  // Cut inside frame 591 of 3001: the failure comes after many batches have been written.
  const broken = path.join(dir, 'broken.lammpstrj');
  fs.writeFileSync(broken, text.slice(0, 2_000_000), 'latin1');
  const previous = Buffer.from('an earlier result that a failed run must not destroy\n');

  const commands: Record<string, (out: string) => string[]> = {
    descriptors: (out) => ['descriptors', broken, '--set', 'compact', '--out', path.join(out, 'x.npy')],
    predict: (out) => ['predict', broken, '--out', path.join(out, 'x.npy')],
    dataset: (out) => ['dataset', broken, '--set', 'compact', '--tau', '1', '--temperature', '1', '--timestep', '0.005', '--no-transport', '--out', path.join(out, 'set')],
  };
  for (const [name, argv] of Object.entries(commands)) {
    it(`${name} on a trajectory that breaks at frame 591: one error line, exit 1, the earlier output intact, nothing else left`, () => {
      const out = fs.mkdtempSync(path.join(dir, `${name}-`));
      fs.writeFileSync(path.join(out, 'x.npy'), previous);
      const r = runCli(argv(out));
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /^ionfield \w+: error: .*broken\.lammpstrj, frame 591, line \d+: file ends after 25 of 100 atom lines\n$/);
      assert.deepEqual(fs.readdirSync(out), ['x.npy'], 'no temporary, no empty folder');
      assert.deepEqual(fs.readFileSync(path.join(out, 'x.npy')), previous);
    });
  }

  it('SIGINT during predict: exit 130, one line, no temporary left, the earlier output intact', async () => {
    const out = fs.mkdtempSync(path.join(dir, 'sigint-'));
    fs.writeFileSync(path.join(out, 'p.npy'), previous);
    const child = spawn(process.execPath, [cliPath, 'predict', demo, '--out', path.join(out, 'p.npy')], { env: { ...process.env, IONFIELD_NO_PROGRESS: '1' } });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    // Wait until the run has opened its temporary outputs, then interrupt it.
    for (let t = 0; t < 600 && !fs.readdirSync(out).some((f) => f.endsWith('.tmp')); t++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(fs.readdirSync(out).some((f) => f.endsWith('.tmp')), 'the run got as far as writing');
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    assert.equal(code, 130, stderr);
    assert.match(stderr, /ionfield predict: interrupted \(SIGINT\)/);
    assert.deepEqual(fs.readdirSync(out), ['p.npy']);
    assert.deepEqual(fs.readFileSync(path.join(out, 'p.npy')), previous);
  });
});

describe('validation: .npy inputs and data/description pairs', function () {
  this.timeout(120_000);

  it('a v2 header whose length is 0xffffffff: a short message, not the file as "header"', () => {
    const file = path.join(dir, 'huge-header.npy');
    const buf = Buffer.alloc(4096, 0x41);
    buf.write('\x93NUMPY', 0, 'latin1');
    buf[6] = 2;
    buf[7] = 0;
    buf.writeUInt32LE(0xffffffff, 8);
    fs.writeFileSync(file, buf);
    const r = runCli(['analyze', path.join(formats, 'ortho.lammpstrj'), '--field', file, '--out', path.join(dir, 'a1')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /the header says it is 4294967295 bytes long, but only 4084 bytes follow/);
    assert.ok(r.stderr.length < 400, `short: ${r.stderr.length} characters`);
    assert.ok(!fs.existsSync(path.join(dir, 'a1')), 'no output folder');
  });

  for (const [what, value, message] of [
    ['an infinity', Infinity, /element \[2, 5\] \(frame 2, ion 5\) is Infinity; expected a finite number/],
    ['a NaN in one frame of an ion', NaN, /element \[2, 5\] \(frame 2, ion 5\) is NaN.*NaN is accepted only for an ion left out in every frame/],
  ] as const) {
    it(`a field with ${what} is refused with its position (not dropped from the averages)`, () => {
      const file = path.join(dir, `field-${what.length}.npy`);
      const w = new NpyWriter(file, 'float64', [64]);
      const values = new Float64Array(3 * 64).fill(0.5);
      values[2 * 64 + 5] = value;
      w.append(values, 3);
      w.close();
      const r = runCli(['analyze', path.join(formats, 'ortho.lammpstrj'), '--field', file, '--out', path.join(dir, 'a2'), '--charges', '1:1,2:-1']);
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, message);
    });
  }

  it('descriptors record the array checksum in the columns file; a mismatched pair is refused', () => {
    const out = path.join(dir, 'desc', 'x.npy');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    const r = runCli(['descriptors', path.join(formats, 'ortho.lammpstrj'), '--set', 'compact', '--out', out, '--type-map', '1:Na,2:Cl']);
    assert.equal(r.status, 0, r.stderr);
    const columns = JSON.parse(fs.readFileSync(out.replace(/\.npy$/, '.columns.json'), 'utf8')) as { arraySha256: string };
    assert.match(columns.arraySha256, /^[0-9a-f]{64}$/);
    verifyNpyChecksum(out, 'x.columns.json', columns.arraySha256);
    const b = fs.readFileSync(out);
    b[b.length - 1] ^= 1;
    fs.writeFileSync(out, b);
    assert.throws(() => verifyNpyChecksum(out, 'x.columns.json', columns.arraySha256), /its data do not match x\.columns\.json/);
  });
});

describe('validation: concurrent runs', function () {
  this.timeout(180_000);
  const runAsync = (args: string[]) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [cliPath, ...args], { env: { ...process.env, IONFIELD_NO_PROGRESS: '1' } });
      let stdout = '', stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('exit', (status) => resolve({ status, stdout, stderr }));
    });
  const dump = path.join(formats, 'ortho.lammpstrj');

  it('four transport runs at once on one input give the same result', async () => {
    const args = ['transport', dump, '--temperature', '1', '--units', 'lj', '--timestep', '0.005', '--charges', '1:1,2:-1', '--json'];
    const runs = await Promise.all([0, 1, 2, 3].map(() => runAsync(args)));
    for (const r of runs) assert.equal(r.status, 0, r.stderr);
    const strip = (s: string) => JSON.stringify({ ...(JSON.parse(s) as object), timing: undefined });
    for (const r of runs.slice(1)) assert.equal(strip(r.stdout), strip(runs[0].stdout));
  });

  it('two descriptors runs racing on the same output: a whole, matching array and description, never a mix', async () => {
    const refDir = fs.mkdtempSync(path.join(dir, 'race-ref-'));
    const common = ['descriptors', dump, '--set', 'compact', '--type-map', '1:Na,2:Cl'];
    const refs = [1, 2].map((stride) => {
      const out = path.join(refDir, `s${stride}.npy`);
      assert.equal(runCli([...common, '--stride', String(stride), '--out', out]).status, 0);
      return fs.readFileSync(out);
    });
    for (let round = 0; round < 3; round++) {
      const out = path.join(fs.mkdtempSync(path.join(dir, 'race-')), 'x.npy');
      const runs = await Promise.all([1, 2].map((stride) => runAsync([...common, '--stride', String(stride), '--out', out])));
      for (const r of runs) assert.equal(r.status, 0, r.stderr);
      const got = fs.readFileSync(out);
      assert.ok(got.equals(refs[0]) || got.equals(refs[1]), 'the array is one run\'s whole output');
      const columns = JSON.parse(fs.readFileSync(out.replace(/\.npy$/, '.columns.json'), 'utf8')) as { arraySha256: string; frames: { count: number } };
      verifyNpyChecksum(out, 'x.columns.json', columns.arraySha256);
      assert.equal(columns.frames.count, got.equals(refs[0]) ? 33 : 17, 'the description belongs to that array');
      assert.deepEqual(fs.readdirSync(path.dirname(out)).sort(), ['x.columns.json', 'x.npy'], 'no temporary or lock left');
    }
  });
});

describe('validation: a write that fails at any point leaves every output whole (fault injection)', function () {
  this.timeout(600_000);
  const dump = path.join(formats, 'ortho.lammpstrj');
  const demo = path.join(repoRoot, 'data', 'demo', 'electrolyte.lammpstrj.gz');

  /** Every file under `root`, by relative path. */
  function snapshot(root: string): Map<string, Buffer> {
    const out = new Map<string, Buffer>();
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else out.set(path.relative(root, p), fs.readFileSync(p));
      }
    };
    if (fs.existsSync(root)) walk(root);
    return out;
  }

  // Each command runs twice in the same folder, with `before` and then `after` options: every
  // failure of the second run, injected at its k-th file commit, must leave each file equal to its
  // version from before or its version from a complete second run — never a mix, never a temporary.
  const commands: { name: string; run: (out: string, variant: 'before' | 'after') => string[]; markers?: RegExp }[] = [
    { name: 'descriptors', run: (out, v) => ['descriptors', dump, '--set', 'compact', '--type-map', '1:Na,2:Cl', '--stride', v === 'before' ? '2' : '1', '--out', path.join(out, 'x.npy')] },
    { name: 'predict', run: (out, v) => ['predict', demo, '--stop', v === 'before' ? '40' : '80', '--out', path.join(out, 'p.npy'), '--json'] },
    { name: 'transport --save-partial', run: (out, v) => ['transport', dump, '--temperature', '1', '--units', 'lj', '--timestep', '0.005', '--stride', v === 'before' ? '2' : '1', '--save-partial', path.join(out, 'partial.json')] },
    {
      name: 'kinosons generate',
      run: (out, v) => ['kinosons', 'generate', '--config', path.join(repoRoot, 'data', 'kinosons', 'binary-arrhenius.json'), '--states', v === 'before' ? '2' : '3', '--out', path.join(out, 'states.npy')],
    },
    {
      name: 'dataset',
      run: (out, v) => ['dataset', demo, '--set', 'compact', '--tau', '1', '--temperature', '1', '--timestep', '0.005', '--no-transport', '--stop', '60', '--origin-stride', v === 'before' ? '2' : '1', '--out', path.join(out, 'set')],
      markers: /system\.json$/, // removed before its arrays are replaced, so an interrupted system is rebuilt
    },
  ];
  for (const c of commands) {
    it(`${c.name}: a failure injected at each file commit exits 1 in one line and leaves whole files only`, () => {
      const out = fs.mkdtempSync(path.join(dir, 'inject-'));
      const env = { ...process.env };
      const ok = (args: string[]) => assert.equal(runCli(args).status, 0);
      ok(c.run(out, 'after')); // the complete second run, at the same paths
      const after = snapshot(out);
      let k = 1;
      for (; k < 20; k++) {
        fs.rmSync(out, { recursive: true, force: true });
        fs.mkdirSync(out);
        ok(c.run(out, 'before'));
        const before = snapshot(out);
        process.env.IONFIELD_INJECT_WRITE_FAILURE = String(k);
        const r = runCli(c.run(out, 'after'));
        delete process.env.IONFIELD_INJECT_WRITE_FAILURE;
        if (r.status === 0) break; // k is past the last commit
        assert.equal(r.status, 1, r.stderr);
        assert.match(r.stderr, new RegExp(`^ionfield \\w+: error: .*injected write failure \\(IONFIELD_INJECT_WRITE_FAILURE=${k}\\)\\n$`));
        const now = snapshot(out);
        for (const [file, content] of now) {
          assert.doesNotMatch(file, /\.(tmp|lock)$/, `commit ${k}: ${file} left behind`);
          const rel = file;
          // JSON descriptions carry timings, so they are only checked to be whole; arrays byte for byte.
          const whole = /\.json$/.test(rel) ? (() => { JSON.parse(content.toString('utf8')); return true; })() : false;
          assert.ok(whole || content.equals(before.get(rel) ?? Buffer.alloc(0)) || content.equals(after.get(rel) ?? Buffer.alloc(0)),
            `commit ${k}: ${rel} is neither its old nor its new version`);
        }
        for (const file of before.keys()) if (!c.markers?.test(file)) assert.ok(now.has(file), `commit ${k}: ${file} was destroyed`);
      }
      Object.assign(process.env, env);
      assert.ok(k > 1 && k < 20, `the command commits between 1 and 18 files (${k - 1})`);
    });
  }
});

describe('validation: species labels that are JavaScript property names', function () {
  this.timeout(60_000);
  it("species '__proto__' and 'constructor' are counted and get their own D (random walk, D = 0.005)", () => {
    const file = path.join(dir, 'proto.xyz');
    let seed = 7;
    const gauss = () => {
      const u = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) + 0.5) / 4294967296;
      return Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
    };
    const n = 40, pos = Array.from({ length: n }, (_, i) => [i % 10, Math.floor(i / 10) * 2, 5]);
    const lines: string[] = [];
    for (let f = 0; f < 400; f++) {
      lines.push(String(n), `Lattice="20 0 0 0 20 0 0 0 20" Properties=species:S:1:pos:R:3:charge:R:1 Time=${f} unwrapped=T`);
      pos.forEach((p, i) => {
        for (let k = 0; k < 3; k++) p[k] += 0.1 * gauss();
        lines.push(`${i % 2 ? '__proto__' : 'constructor'} ${p.map((v) => v.toFixed(5)).join(' ')} ${i % 2 ? 1 : -1}`);
      });
    }
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const info = JSON.parse(runCli(['info', file, '--json']).stdout) as { species: Record<string, number> };
    assert.deepEqual(Object.entries(info.species), [['constructor', 20], ['__proto__', 20]]);
    const r = runCli(['transport', file, '--temperature', '1', '--units', 'lj', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const d = (JSON.parse(r.stdout) as { diffusion: Record<string, { value: number; error: number }> }).diffusion;
    assert.deepEqual(Object.keys(d).sort(), ['__proto__', 'constructor']);
    for (const s of ['__proto__', 'constructor']) assert.ok(Math.abs(d[s].value - 0.005) < 4 * d[s].error + 5e-4, `${s}: ${d[s].value} ± ${d[s].error}`);
  });
});

describe('validation: signals at random points, and internal errors', function () {
  this.timeout(300_000);
  const demo = path.join(repoRoot, 'data', 'demo', 'electrolyte.lammpstrj.gz');
  // Deterministic "random" delays spread over each command's run time.
  const delays = [150, 420, 800, 1300, 2100];
  const commands: Record<string, (out: string) => string[]> = {
    descriptors: (out) => ['descriptors', demo, '--set', 'compact', '--out', path.join(out, 'x.npy')],
    dataset: (out) => ['dataset', demo, '--set', 'compact', '--tau', '1', '--temperature', '1', '--timestep', '0.005', '--no-transport', '--out', path.join(out, 'set')],
    'transport --checkpoint': (out) => ['transport', demo, '--temperature', '1', '--units', 'lj', '--timestep', '0.005', '--checkpoint', path.join(out, 'ck.json'), '--checkpoint-every', '200'],
  };
  for (const [name, argv] of Object.entries(commands)) {
    it(`${name}: SIGTERM after ${delays.join(', ')} ms leaves no temporary, and a finished output only whole`, async () => {
      for (const delay of delays) {
        const out = fs.mkdtempSync(path.join(dir, 'sigterm-'));
        const child = spawn(process.execPath, [cliPath, ...argv(out)], { env: { ...process.env, IONFIELD_NO_PROGRESS: '1' } });
        let stderr = '';
        child.stderr.on('data', (d) => (stderr += d));
        const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
        const timer = setTimeout(() => child.kill('SIGTERM'), delay);
        const code = await exited;
        clearTimeout(timer);
        // null: the signal came before Node had loaded the CLI (default action), nothing started.
        assert.ok(code === 0 || code === 143 || code === null, `exit ${code}: ${stderr}`);
        if (code === 143) assert.match(stderr, /interrupted \(SIGTERM\)/);
        const left: string[] = [];
        const walk = (d: string) => fs.readdirSync(d, { withFileTypes: true }).forEach((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : left.push(path.join(d, e.name))));
        walk(out);
        assert.deepEqual(left.filter((f) => /\.(tmp|lock)$/.test(f)), [], `after ${delay} ms`);
        for (const f of left.filter((f) => f.endsWith('.json'))) assert.doesNotThrow(() => JSON.parse(fs.readFileSync(f, 'utf8')), f);
      }
    });
  }

  it('an internal error (a bug) is one line saying so; the trace only with --debug', async () => {
    const { reportFailure } = await import('../lib/cli');
    const lines: string[] = [];
    const original = console.error;
    console.error = (...a: unknown[]) => void lines.push(a.join(' '));
    try {
      assert.equal(reportFailure('demo', null, new TypeError("Cannot read properties of undefined (reading 'x')"), false), 1);
      assert.equal(reportFailure('demo', null, new TypeError('again'), true), 1);
    } finally {
      console.error = original;
    }
    assert.match(lines[0], /^ionfield demo: error: internal error: Cannot read .* \(a bug in ionfield: rerun with --debug for the trace and report it\)$/);
    assert.equal(lines.length, 3, 'one line without --debug, line + trace with it');
    assert.match(lines[2], /TypeError: again\n\s+at /);
  });
});
