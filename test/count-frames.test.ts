// countFrames (shard planning, `ionfield slurm`): the frame count by skipping frames (XTC headers,
// DCD seeks) equals the count of a full read on every format, and a file cut inside a frame is an
// error naming it, as a full read would say.
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { countFrames, trajectoryInfo } from '../lib/info';
import { native } from '../lib/native';

const formats = path.join(__dirname, 'fixtures', 'formats');
const family = path.join(__dirname, '..', 'data', 'family');

describe('countFrames: frames counted without decoding them', () => {
  const files = [
    path.join(formats, 'binary', 'lammps-tri.gmx.xtc'),
    path.join(formats, 'binary', 'spc216.gmx.xtc'),
    path.join(formats, 'binary', 'lammps-tri.mda.dcd'),
    path.join(formats, 'binary', 'lammps-tri.lammpstrj'),
    path.join(formats, 'ortho-ase.xyz'),
    path.join(formats, 'ortho-gmx.gro'),
    path.join(family, 's11-lb2-rho0.1.xtc'),
  ];
  for (const file of files) {
    it(`equals a full read: ${path.basename(file)}`, async () => {
      const full = (await trajectoryInfo(file)).frames;
      assert.ok(full > 0);
      assert.equal(await countFrames(file), full);
    });
  }

  it('a file cut inside its last frame is an error naming the file (XTC and DCD)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ionfield-count-'));
    try {
      for (const src of [path.join(family, 's11-lb2-rho0.1.xtc'), path.join(formats, 'binary', 'lammps-tri.mda.dcd')]) {
        const cut = path.join(dir, `cut${path.extname(src)}`);
        const bytes = fs.readFileSync(src);
        fs.writeFileSync(cut, bytes.subarray(0, bytes.length - 7));
        await assert.rejects(countFrames(cut), (err: Error) => err.message.includes(cut));
        await assert.rejects(trajectoryInfo(cut), (err: Error) => err.message.includes(cut));
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('skips frames without decoding them: a NaN coordinate stops a full read, not the count', async () => {
    // An XTC of 3 atoms stores its coordinates as plain floats after a 56-byte header, so one can be
    // made NaN at a known place; the full read refuses it (validation policy), the count skips it.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ionfield-count-'));
    try {
      const file = path.join(dir, 'nan.xtc');
      const w = new (native().NativeTrajectoryWriter)(file, 'xtc');
      for (let k = 0; k < 5; k++) w.write({ positions: Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9], (v) => v + 0.1 * k), box: Float64Array.from([20, 0, 0, 0, 20, 0, 0, 0, 20]), step: k, time: k });
      w.close();
      const bytes = fs.readFileSync(file);
      const frameBytes = bytes.length / 5;
      bytes.writeFloatBE(NaN, 2 * frameBytes + 56); // frame 2, atom 0, x
      fs.writeFileSync(file, bytes);
      await assert.rejects(trajectoryInfo(file), /frame 2/);
      assert.equal(await countFrames(file), 5);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
