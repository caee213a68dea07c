// Thins the committed family files in place: keeps every k-th stored frame of each packed XTC (same
// precision, so the kept frames are bit-for-bit the ones stored before) and updates packed.json.
// Used once to move the family from 2 τ to 4 τ between frames so that ≥ 28 systems fit the 60 MB
// budget (docs/family.md); the raw runs of the first systems are no longer on any machine, and
// thinning needs only the committed files.
//   npx tsx scripts/family/repack.ts --every 2 [--family data/family] [--only a,b]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { packSystem } from './pack';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { every: { type: 'string' }, family: { type: 'string', default: 'data/family' }, only: { type: 'string' } } });
  const every = Number(values.every);
  if (!(Number.isInteger(every) && every >= 2)) throw new Error('--every must be a whole number ≥ 2');
  const family = values.family as string;
  const ledgerFile = path.join(family, 'packed.json');
  const ledger = JSON.parse(fs.readFileSync(ledgerFile, 'utf8')) as Record<string, { stride: number; precision: number; frames: number; timePerFrame: number; bytes: number; thinnedFrom?: unknown }>;
  const only = values.only ? new Set((values.only as string).split(',')) : null;
  for (const [name, entry] of Object.entries(ledger)) {
    if (only && !only.has(name)) continue;
    const xtc = path.join(family, `${name}.xtc`);
    const topology = JSON.parse(fs.readFileSync(path.join(family, `${name}.topology.json`), 'utf8')) as { sizes?: Record<string, number> };
    const tmpBase = path.join(family, `.${name}.repack-${process.pid}`);
    // packSystem reads through the topology beside the input; write beside, then rename both.
    const r = await packSystem(xtc, tmpBase, { stride: every, precision: entry.precision }, entry.timePerFrame, topology.sizes);
    fs.renameSync(`${tmpBase}.topology.json`, path.join(family, `${name}.topology.json`));
    fs.renameSync(`${tmpBase}.xtc`, xtc);
    ledger[name] = { ...entry, stride: entry.stride * every, frames: r.frames, timePerFrame: entry.timePerFrame * every, bytes: r.bytes, thinnedFrom: { stride: entry.stride, frames: entry.frames, bytes: entry.bytes } };
    const tmp = `${ledgerFile}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(ledger, null, 1) + '\n');
    fs.renameSync(tmp, ledgerFile);
    console.log(`${name}: ${entry.frames} → ${r.frames} frames, ${(entry.bytes / 1e6).toFixed(2)} → ${(r.bytes / 1e6).toFixed(2)} MB`);
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
