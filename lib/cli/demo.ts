// `ionfield demo`: transport → descriptors → model → importance → analyses → report on the shipped demo data.
import { defaultStages, runDemo } from '../demo/pipeline';
import { Command, parse, printJson } from './command';
import { Progress } from './progress';

export const demoCommand: Command = {
  name: 'demo',
  summary: 'the main job on the shipped demo electrolyte: transport → descriptors → model → importance → analyses → HTML report',
  usage: `ionfield demo [--out DIR] [--targets] [--json]

Runs every stage on data/demo/electrolyte.lammpstrj.gz (100 ions, LAMMPS lj units, T = 1) and
writes transport.json, descriptors.npy, the λ field (.npy), importance.json (which descriptor
features the model relies on, from a small dataset built in DIR/dataset), analysis/ and
report.html into DIR. The field is λ̂ of the shipped default model (data/models/default.onnx, run
by ONNX Runtime); without that file, or with --targets, the analyses use the exact target λ_i(t0)
instead (and the importance stage is skipped).

  --out DIR   output folder (default: ionfield-demo)
  --targets   analyse the target field λ_i(t0) (exact decomposition) instead of the model's λ̂
  --json      print {schema: "ionfield.demo/2", out, report, stages: [{stage, status, detail, seconds}]}`,
  async run(argv) {
    const { values } = parse(argv, { out: { type: 'string' }, targets: { type: 'boolean' }, json: { type: 'boolean' } }, false);
    const out = (values.out as string | undefined) ?? 'ionfield-demo';
    const bars = new Map<string, Progress>();
    const ctx = await runDemo({
      out,
      progress: (stage, done, total) => {
        if (!bars.has(stage)) bars.set(stage, new Progress(stage, total, !values.json));
        bars.get(stage)!.update(done);
      },
      onStage: (e) => {
        for (const b of bars.values()) b.done();
        bars.clear();
        if (!values.json) console.log(`${e.stage.padEnd(12)} ${e.status === 'done' ? `${e.seconds.toFixed(1)} s` : '—'.padEnd(5)}  ${e.detail}`);
      },
    }, values.targets ? { ...defaultStages, predict: null } : defaultStages);
    if (values.json) printJson({ schema: 'ionfield.demo/2', out, report: ctx.report, stages: ctx.log });
    else console.log(`\nopen ${ctx.report} in a browser`);
    return 0;
  },
};
