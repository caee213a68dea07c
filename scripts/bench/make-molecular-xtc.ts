// A synthetic molecular trajectory for the BENCHMARKS.md "Issue 20" timing at the size:
// three-site waters (O + two H at 0.1 nm) plus single-atom cations and anions, 100,000 atoms by
// default in a 10 nm box, each molecule's centre and orientation random-walking, every atom wrapped
// into the cell on its own (molecules broken across the boundary, as GROMACS writes them), as an
// XTC (ionfield's writer, precision 1000) with a LAMMPS data file (atom style full, bonds O–H) that
// both ionfield and MDAnalysis read as the topology.
//   npx tsx scripts/bench/make-molecular-xtc.ts [--waters 33000] [--ions 1000] [--frames 10000] [--out /tmp/bench20/water]
// Writes OUT.xtc and OUT.data. 10⁵ atoms × 10⁴ frames is about 4–5 GB of XTC: keep it under /tmp.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { native } from '../../lib/native';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const waters = Number(opt('waters', '33000'));
const ions = Number(opt('ions', '1000'));  // half cations, half anions
const frames = Number(opt('frames', '10000'));
const out = opt('out', '/tmp/bench20/water');
const L = 10;  // nm
const natoms = 3 * waters + ions;
fs.mkdirSync(path.dirname(out), { recursive: true });

// xorshift32: fast and reproducible; the trajectory's statistics do not matter, only its shape.
let seed = 2463534242;
const rand = () => {
  seed ^= seed << 13; seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5; seed >>>= 0;
  return seed / 4294967296;
};

// Unwrapped state: molecule centres, and two unit O–H directions per water.
const nmol = waters + ions;
const centre = Float64Array.from({ length: 3 * nmol }, () => rand() * L);
const dir = new Float64Array(6 * waters);
for (let k = 0; k < 2 * waters; k++) {
  const v = [rand() - 0.5, rand() - 0.5, rand() - 0.5];
  const n = Math.hypot(v[0], v[1], v[2]);
  for (let d = 0; d < 3; d++) dir[3 * k + d] = v[d] / n;
}

function frame(positions: Float64Array): void {
  for (let m = 0; m < nmol; m++) for (let d = 0; d < 3; d++) centre[3 * m + d] += (rand() - 0.5) * 0.04;
  for (let k = 0; k < 2 * waters; k++) {
    let n2 = 0;
    for (let d = 0; d < 3; d++) { dir[3 * k + d] += (rand() - 0.5) * 0.3; n2 += dir[3 * k + d] ** 2; }
    const s = 1 / Math.sqrt(n2);
    for (let d = 0; d < 3; d++) dir[3 * k + d] *= s;
  }
  const wrap = (x: number) => x - L * Math.floor(x / L);
  for (let w = 0; w < waters; w++)
    for (let d = 0; d < 3; d++) {
      const o = centre[3 * w + d];
      positions[9 * w + d] = wrap(o);
      positions[9 * w + 3 + d] = wrap(o + 0.1 * dir[6 * w + d]);
      positions[9 * w + 6 + d] = wrap(o + 0.1 * dir[6 * w + 3 + d]);
    }
  for (let i = 0; i < ions; i++) for (let d = 0; d < 3; d++) positions[3 * (3 * waters + i) + d] = wrap(centre[3 * (waters + i) + d]);
}

const positions = new Float64Array(3 * natoms);
const box = Float64Array.from([L, 0, 0, 0, L, 0, 0, 0, L]);
const writer = new (native().NativeTrajectoryWriter)(`${out}.xtc`, 'xtc');
const t0 = Date.now();
for (let k = 0; k < frames; k++) {
  frame(positions);
  if (k === 0) writeData(positions);
  writer.write({ positions, box, step: 500 * k, time: k });
  if (k % 1000 === 999) process.stderr.write(`${k + 1} frames, ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
}
writer.close();
console.log(JSON.stringify({ xtc: `${out}.xtc`, data: `${out}.data`, atoms: natoms, molecules: nmol, frames, bytes: fs.statSync(`${out}.xtc`).size }));

/** LAMMPS data file (Å, as LAMMPS real units would have it; only types, charges, molecules, masses and bonds are read). */
function writeData(x: Float64Array): void {
  const lines = ['synthetic waters and ions (scripts/bench/make-molecular-xtc.ts)', '', `${natoms} atoms`, `${2 * waters} bonds`, '4 atom types', '1 bond types', '',
    `0 ${10 * L} xlo xhi`, `0 ${10 * L} ylo yhi`, `0 ${10 * L} zlo zhi`, '', 'Masses', '', '1 15.9994 # O', '2 1.008 # H', '3 6.94 # Li', '4 35.45 # Cl', '', 'Atoms # full', ''];
  const at = (i: number) => `${(10 * x[3 * i]).toFixed(3)} ${(10 * x[3 * i + 1]).toFixed(3)} ${(10 * x[3 * i + 2]).toFixed(3)}`;
  for (let w = 0; w < waters; w++) {
    lines.push(`${3 * w + 1} ${w + 1} 1 -0.8476 ${at(3 * w)}`, `${3 * w + 2} ${w + 1} 2 0.4238 ${at(3 * w + 1)}`, `${3 * w + 3} ${w + 1} 2 0.4238 ${at(3 * w + 2)}`);
  }
  for (let i = 0; i < ions; i++) {
    const a = 3 * waters + i;
    lines.push(`${a + 1} ${waters + i + 1} ${i % 2 ? 4 : 3} ${i % 2 ? -1 : 1} ${at(a)}`);
  }
  lines.push('', 'Bonds', '');
  for (let w = 0; w < waters; w++) lines.push(`${2 * w + 1} 1 ${3 * w + 1} ${3 * w + 2}`, `${2 * w + 2} 1 ${3 * w + 1} ${3 * w + 3}`);
  fs.writeFileSync(`${out}.data`, lines.join('\n') + '\n');
}
