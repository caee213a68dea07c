// Benchmark: training time per epoch, ionfield's native trainer against the same network in PyTorch
// (scripts/bench/train_peer.py, Debian python3-torch) on the same data in the same run.
//   node --import tsx scripts/bench/train.ts [--dataset DIR] [--frames 200] [--ions 256] [--epochs 5]
//        [--hidden 32,32] [--batch 16] [--threads 1,2]
// Without --dataset: four synthetic systems of `frames` frames x `ions` ions (half each species) with
// 16 features per ion (the size of the shipped 'compact' set), written as a dataset folder so both
// tools read the same .npy files. Per-ion objective, Adam (lr 1e-3), no validation, one warm-up epoch.
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { loadDatasets } from '../../lib/model/dataset';
import { native } from '../../lib/native';
import { writeSyntheticDataset } from '../../test/helpers/synthetic-dataset';

const { values } = parseArgs({
  options: {
    dataset: { type: 'string' },
    frames: { type: 'string', default: '200' },
    ions: { type: 'string', default: '256' },
    epochs: { type: 'string', default: '5' },
    hidden: { type: 'string', default: '32,32' },
    batch: { type: 'string', default: '16' },
    threads: { type: 'string', default: '1,2' },
  },
});

async function main(): Promise<void> {
  const frames = Number(values.frames);
  const ions = Number(values.ions);
  const epochs = Number(values.epochs);
  const hidden = (values.hidden as string).split(',').map(Number);
  const batch = Number(values.batch);
  let dir = values.dataset as string | undefined;
  if (!dir) {
    dir = path.join(os.tmpdir(), `ionfield-bench-train-${frames}x${ions}`);
    writeSyntheticDataset(dir, [1, 2, 3, 4].map((k) => ({ name: `s${k}`, frames, ions: { '1': ions / 2, '2': ions / 2 }, noise: 3, seed: k })), ['1', '2'], 16);
  }
  const ds = loadDatasets([dir]);
  const rows = ds.systems.reduce((a, s) => a + s.frames * s.species.reduce((b, x) => b + x.ions, 0), 0);
  const features = ds.manifest.species.map((s) => ds.manifest.featureColumns[s].length);
  console.log(`data: ${ds.systems.length} systems, ${rows} ion-frames per epoch, features ${features.join('/')}, network ${hidden.join('x')} tanh per species, batch ${batch} frames, ${epochs} timed epochs`);
  const results: { tool: string; threads: number; secondsPerEpoch: number }[] = [];
  for (const threads of (values.threads as string).split(',').map(Number)) {
    const arch = { features, hidden, activation: 'tanh' };
    await native().trainNetwork(arch, ds.systems, [], { epochs: 1, batchFrames: batch, patience: 0, threads, learningRate: 1e-3 }); // warm-up
    const t0 = process.hrtime.bigint();
    await native().trainNetwork(arch, ds.systems, [], { epochs, batchFrames: batch, patience: 0, threads, learningRate: 1e-3 });
    results.push({ tool: 'ionfield (native, float64)', threads, secondsPerEpoch: Number(process.hrtime.bigint() - t0) / 1e9 / epochs });
    for (const dtype of ['float64', 'float32']) {
      const args = { systems: ds.systems.map((s) => path.join(dir!, s.name)), species: ds.manifest.species, hidden, batch, epochs, threads, dtype };
      const r = spawnSync('/usr/bin/python3', [path.join(__dirname, 'train_peer.py'), JSON.stringify(args)], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: String(threads) } });
      if (r.status !== 0) throw new Error(`PyTorch peer failed: ${r.stderr}`);
      results.push(JSON.parse(r.stdout.trim().split('\n').pop()!));
    }
  }
  const base = (threads: number) => results.find((r) => r.tool.startsWith('ionfield') && r.threads === threads)!.secondsPerEpoch;
  console.log('| tool | threads | s / epoch | ion-frames / s | time vs ionfield |');
  console.log('|---|---|---|---|---|');
  for (const r of results)
    console.log(`| ${r.tool} | ${r.threads} | ${r.secondsPerEpoch.toFixed(3)} | ${(rows / r.secondsPerEpoch).toExponential(2)} | ${(r.secondsPerEpoch / base(r.threads)).toFixed(2)}x |`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
