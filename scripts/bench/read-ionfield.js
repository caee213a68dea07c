// Reads a whole trajectory through ionfield's public JS API in batches and prints one JSON line:
// frames, atoms, seconds. usage: node scripts/bench/read-ionfield.js FILE [--unwrap] [--batch N]
const { openTrajectory } = require('../../dist/lib/index.js');

async function main() {
  const [file, ...rest] = process.argv.slice(2);
  const unwrap = rest.includes('--unwrap');
  const b = rest.indexOf('--batch');
  const batchSize = b >= 0 ? Number(rest[b + 1]) : 64;
  const start = process.hrtime.bigint();
  let frames = 0, atoms = 0, checksum = 0;
  for await (const batch of openTrajectory(file, { unwrap, batchSize }).batches()) {
    frames += batch.frames;
    atoms = batch.natoms;
    checksum += batch.positions[batch.positions.length - 1]; // touch the data
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(JSON.stringify({ reader: 'ionfield', unwrap, frames, atoms, seconds, checksum }));
}
main().catch((e) => { console.error(e.message); process.exit(1); });
