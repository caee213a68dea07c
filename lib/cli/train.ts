import { trainModel, TrainReport } from '../model/train';
import { Command, integerOption, numberOption, parse, printJson, UsageError } from './command';
import { Progress } from './progress';

function list(text: string | undefined): string[] {
  return (text ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

function printReport(r: TrainReport): void {
  const fmt = (v: number) => (Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? v.toFixed(4) : v.toExponential(3));
  console.log(`objective ${r.objective}; network ${r.architecture.hidden.join('x')} ${r.architecture.activation} per species (${r.architecture.parameters} parameters)`);
  console.log(`epochs ${r.epochsRun}${r.resumedFromEpoch ? ` (resumed after epoch ${r.resumedFromEpoch})` : ''}, best epoch ${r.bestEpoch}${r.stoppedEarly ? ', stopped early' : ''}; ${r.seconds.toFixed(1)} s (${r.secondsPerEpoch.toFixed(3)} s/epoch)`);
  console.log('system'.padEnd(28) + 'set'.padEnd(9) + 'Λ_target'.padStart(12) + 'Λ_ML'.padStart(12) + 'rel.err'.padStart(10));
  for (const [set, rows] of [['train', r.train], ['holdout', r.holdout]] as const)
    for (const p of rows) console.log(p.name.padEnd(28) + set.padEnd(9) + fmt(p.lambdaTarget).padStart(12) + fmt(p.lambdaMl).padStart(12) + `${(100 * p.relativeError).toFixed(1)} %`.padStart(10));
  if (r.holdoutMedianRelativeError !== null) console.log(`median relative error on held-out systems: ${(100 * r.holdoutMedianRelativeError).toFixed(1)} %`);
  if (r.out) console.log(`wrote ${r.out}`);
}

export const trainCommand: Command = {
  name: 'train',
  summary: 'train the local-conductivity network on dataset folders and export it to ONNX',
  usage: `ionfield train <dataset...> --holdout <systems> --out model.onnx [options]

  <dataset...>          dataset folders (schema ionfield.dataset/2, see docs/dataset.md) sharing
                        descriptors, species, tau and units
  --holdout A,B         systems held out of training: validation for early stopping and the
                        leave-systems-out evaluation (required; may be empty: --holdout '')
  --out F.onnx          the model (ONNX with metadata, docs/model.md)
  --objective O         per-ion (default) | global
  --hidden 32,32        hidden layer widths (default 32,32)
  --activation A        tanh (default) | softplus | shifted-softplus | silu
  --epochs N            maximum epochs (default 200)
  --patience N          stop after N epochs without a better validation loss (default 20; 0: never)
  --batch N             frames per mini-batch (default 16)
  --lr X                Adam learning rate (default 1e-3)
  --weight-decay X      L2 on weights (default 0)
  --seed N              initial weights and batch order (default 1); same seed, same model
  --threads N           CPU threads (default: all); the result does not depend on it
  --checkpoint F        save the training state after every epoch; rerun the same command to resume
  --json                print the training report (schema ionfield.train/2)`,
  async run(argv) {
    const { values, positionals } = parse(argv, {
      holdout: { type: 'string' },
      out: { type: 'string' },
      objective: { type: 'string' },
      hidden: { type: 'string' },
      activation: { type: 'string' },
      epochs: { type: 'string' },
      patience: { type: 'string' },
      batch: { type: 'string' },
      lr: { type: 'string' },
      'weight-decay': { type: 'string' },
      seed: { type: 'string' },
      threads: { type: 'string' },
      checkpoint: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (positionals.length === 0) throw new UsageError('expected at least one dataset folder');
    if (values.holdout === undefined) throw new UsageError('--holdout is required (the systems to leave out; --holdout "" trains on all)');
    if (!values.out) throw new UsageError('--out is required');
    const objective = (values.objective ?? 'per-ion') as string;
    if (!['per-ion', 'global'].includes(objective)) throw new UsageError(`--objective must be per-ion or global, got '${objective}'`);
    const activation = (values.activation ?? 'tanh') as string;
    if (!['tanh', 'softplus', 'shifted-softplus', 'silu'].includes(activation)) throw new UsageError(`--activation must be tanh, softplus, shifted-softplus or silu, got '${activation}'`);
    const hidden = values.hidden === undefined ? undefined : list(values.hidden as string).map(Number);
    if (hidden && (hidden.length === 0 || hidden.some((h) => !Number.isInteger(h) || h < 1))) throw new UsageError(`--hidden: '${values.hidden}' is not a list of positive integers`);
    const epochs = integerOption(values.epochs as string | undefined, 'epochs', 0) ?? 200;
    const progress = new Progress('train', epochs, !values.json);
    const { report } = await trainModel(positionals, {
      holdout: list(values.holdout as string),
      out: values.out as string,
      objective: objective as 'per-ion' | 'global',
      hidden,
      activation: activation as 'tanh',
      epochs,
      patience: integerOption(values.patience as string | undefined, 'patience', 0),
      batchFrames: integerOption(values.batch as string | undefined, 'batch', 1),
      learningRate: numberOption(values.lr as string | undefined, 'lr', (v) => v > 0 && Number.isFinite(v)),
      weightDecay: numberOption(values['weight-decay'] as string | undefined, 'weight-decay', (v) => v >= 0 && Number.isFinite(v)),
      seed: integerOption(values.seed as string | undefined, 'seed', 0),
      threads: integerOption(values.threads as string | undefined, 'threads', 0),
      checkpoint: values.checkpoint as string | undefined,
      onEpoch: (e) => progress.update(e.epoch, 'epochs'),
    });
    progress.done();
    if (values.json) printJson(report);
    else printReport(report);
    return 0;
  },
};
