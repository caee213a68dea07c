// Packs finished family systems into the compact committed form: data/family/<name>.xtc (positions
// in σ stored as XTC "nm", times in τ stored as "ps": no unit conversion, so the file reads back in
// lj units), every `stride`-th frame, coordinates rounded to 1/precision σ, plus
// data/family/<name>.topology.json (species per atom and charges, which XTC cannot hold).
// Systems already packed with the same settings are skipped. Usage:
//   node --import tsx scripts/family/pack.ts [--raw DIR] [--out data/family] [--stride 2] [--precision 40] [--only a,b] [--stop N]
// --stop N keeps only the first N frames of the source (for the small test/demo subset).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { writeTopology } from '../../lib/dataset/topology';
import { native } from '../../lib/native';
import { openTrajectory } from '../../lib/trajectory';

const repo = path.resolve(__dirname, '..', '..');

export interface PackOptions {
  stride: number;
  precision: number;
  stop?: number;
}

// The family's dumps hold xu/yu/zu, which the reader takes as they are; its warning about moves of
// more than half a cell between the (strided) frames is expected in the smallest boxes, and is why
// the topology marks the packed coordinates continuous.
function note(message: string): void {
  console.log(`  note: ${message.replace(/:.*?: /, ': ')}`);
}

export async function packSystem(traj: string, outBase: string, o: PackOptions, timePerFrame: number, sizes?: Record<string, number>): Promise<{ frames: number; bytes: number }> {
  const xtc = `${outBase}.xtc`;
  const writer = new (native().NativeTrajectoryWriter)(xtc, 'xtc', { precision: o.precision });
  let frames = 0;
  let types: string[] | null = null;
  let charges: Record<string, number> = {};
  try {
    for await (const f of openTrajectory(traj, { stride: o.stride, stop: o.stop, unwrap: true, batchSize: 64, onWarning: note })) {
      if (!types) {
        if (!f.types || !f.charges) throw new Error(`${traj}: needs species and charges`);
        types = f.types;
        charges = {};
        f.types.forEach((t, i) => (charges[t] = f.charges![i]));
      }
      writer.write({ positions: f.positions, box: f.box ?? undefined, origin: f.origin, step: f.step, time: f.index * o.stride * timePerFrame, unwrapped: true });
      frames++;
    }
    writer.close();
  } catch (err) {
    writer.abort();
    throw err;
  }
  writeTopology(`${outBase}.topology.json`, types!, charges, true, sizes);
  return { frames, bytes: fs.statSync(xtc).size };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { raw: { type: 'string' }, out: { type: 'string' }, stride: { type: 'string' }, precision: { type: 'string' }, only: { type: 'string' }, stop: { type: 'string' } },
  });
  const raw = path.resolve(values.raw ?? process.env.IONFIELD_FAMILY_DIR ?? path.join(repo, 'data', 'family', 'raw'));
  const out = path.resolve(values.out ?? path.join(repo, 'data', 'family'));
  const o: PackOptions = { stride: Number(values.stride ?? 4), precision: Number(values.precision ?? 40), stop: values.stop ? Number(values.stop) : undefined };
  fs.mkdirSync(out, { recursive: true });
  const only = values.only ? new Set(values.only.split(',')) : null;
  const names = fs.readdirSync(raw).filter((n) => fs.existsSync(path.join(raw, n, 'done.json')) && (!only || only.has(n))).sort();
  const ledgerFile = path.join(out, 'packed.json');
  const ledger: Record<string, unknown> = fs.existsSync(ledgerFile) ? JSON.parse(fs.readFileSync(ledgerFile, 'utf8')) : {};
  for (const name of names) {
    const done = JSON.parse(fs.readFileSync(path.join(raw, name, 'done.json'), 'utf8'));
    const key = { stride: o.stride, precision: o.precision, stop: o.stop ?? null, sourceFinished: done.finished };
    const prev = ledger[name] as (typeof key & { bytes: number }) | undefined;
    if (prev && prev.stride === key.stride && prev.precision === key.precision && prev.stop === key.stop && prev.sourceFinished === key.sourceFinished && fs.existsSync(path.join(out, `${name}.xtc`))) {
      console.log(`${name}: packed already (${(prev.bytes / 1e6).toFixed(2)} MB)`);
      continue;
    }
    const t0 = Date.now();
    // Ion diameters (type 1 cations, type 2 anions in electrolyte.in) for the shared model.
    const sizes = { '1': Number(done.parameters.sigcat ?? 1), '2': Number(done.parameters.sigan ?? 1) };
    const r = await packSystem(path.join(raw, name, done.trajectory), path.join(out, name), o, done.timePerFrame, sizes);
    ledger[name] = { ...key, frames: r.frames, timePerFrame: done.timePerFrame * o.stride, bytes: r.bytes };
    const tmp = `${ledgerFile}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(ledger, null, 1) + '\n');
    fs.renameSync(tmp, ledgerFile);
    console.log(`${name}: ${r.frames} frames, ${(r.bytes / 1e6).toFixed(2)} MB in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
}

if (require.main === module) main().catch((e) => {
  console.error(e);
  process.exit(1);
});
