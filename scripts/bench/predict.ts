// Benchmark: the whole `ionfield predict` pipeline (read -> descriptors -> ONNX Runtime -> .npy),
// ion-frames per second and the seconds each stage kept the pipeline waiting, for a few batch sizes.
//   node --import tsx scripts/bench/predict.ts <trajectory> --model model.onnx [--batch 8,32,128] [--stop N]
// Stages: read = waiting for the next trajectory batch; descriptors = native symmetry functions;
// inference = ONNX Runtime on its worker (overlapped with the next batch's descriptors, so the
// stage sums can exceed the wall time); write = the .npy field and the running sums.
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { model: { type: 'string' }, batch: { type: 'string', default: '8,32,128' }, stop: { type: 'string' }, threads: { type: 'string' } } });
if (positionals.length !== 1 || !values.model) {
  console.error('usage: predict.ts <trajectory> --model model.onnx [--batch 8,32,128] [--stop N] [--threads N]');
  process.exit(2);
}
const cli = path.join(__dirname, '..', '..', 'bin', 'ionfield.js');
console.log('| batch | frames | ions | wall s | ion-frames/s | read s | descriptors s | inference s | write s |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const batch of (values.batch as string).split(',')) {
  const args = [cli, 'predict', positionals[0], '--model', values.model as string, '--batch', batch, '--out', path.join(os.tmpdir(), 'ionfield-bench-field.npy'), '--provider', 'cpu', '--device', 'cpu', '--json'];
  if (values.stop) args.push('--stop', values.stop as string);
  if (values.threads) args.push('--threads', values.threads as string);
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  const rep = JSON.parse(r.stdout);
  const s = rep.stages;
  console.log(`| ${batch} | ${rep.frames} | ${rep.ions} | ${rep.seconds.toFixed(2)} | ${rep.ionsFramesPerSecond.toExponential(2)} | ${s.read.toFixed(2)} | ${s.descriptors.toFixed(2)} | ${s.inference.toFixed(2)} | ${s.write.toFixed(2)} |`);
}
