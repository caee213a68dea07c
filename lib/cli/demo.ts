// `ionfield demo`: transport → descriptors → model → analyses → report on the shipped demo data.
import { runDemo } from '../demo/pipeline';
import { Command, parse, printJson } from './command';
import { Progress } from './progress';

export const demoCommand: Command = {
  name: 'demo',
  summary: 'the main job on the shipped demo electrolyte: transport → descriptors → model → analyses → HTML report',
  usage: `ionfield demo [--out DIR] [--json]

Runs every stage on data/demo/electrolyte.lammpstrj.gz (100 ions, LAMMPS lj units, T = 1) and
writes transport.json, the λ field (.npy), analysis/ and report.html into DIR. Stages not in
this build (descriptors, model) are skipped with a message; the analyses then use target λ.

  --out DIR   output folder (default: ionfield-demo)
  --json      print {schema: "ionfield.demo/1", out, report, stages: [{stage, status, detail, seconds}]}`,
  async run(argv) {
    const { values } = parse(argv, { out: { type: 'string' }, json: { type: 'boolean' } }, false);
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
    });
    if (values.json) printJson({ schema: 'ionfield.demo/1', out, report: ctx.report, stages: ctx.log });
    else console.log(`\nopen ${ctx.report} in a browser`);
    return 0;
  },
};
