// Convergence with trajectory length: Λ_ML (ionfield predict) and Λ_EH (ionfield transport) on the
// first N frames of one trajectory, with their statistical errors, for N = 1/16 … 1 of the run.
//   npx tsx scripts/model/convergence.ts <trajectory> --model model.onnx --temperature 1 --timestep 0.005
//        [--fit-start 3 --fit-stop 12] [--fractions 0.0625,0.125,0.25,0.5,1]
// Prints a Markdown table; "frames for 5 %" is the first N whose relative error is ≤ 5 %, and the
// extrapolation N·(err/0.05)² from the longest run (errors fall like 1/√N).
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    model: { type: 'string' }, temperature: { type: 'string', default: '1' }, timestep: { type: 'string', default: '0.005' },
    'fit-start': { type: 'string', default: '3' }, 'fit-stop': { type: 'string', default: '12' }, fractions: { type: 'string', default: '0.0625,0.125,0.25,0.5,1' },
    frames: { type: 'string' },
  },
});
if (positionals.length !== 1 || !values.model) {
  console.error('usage: convergence.ts <trajectory> --model model.onnx [--temperature T --timestep dt --fit-start t --fit-stop t --frames N]');
  process.exit(2);
}
const cli = path.join(__dirname, '..', '..', 'bin', 'ionfield.js');
const run = (args: string[]) => {
  const r = spawnSync(process.execPath, [cli, ...args, '--json'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`ionfield ${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout);
};
const total = values.frames ? Number(values.frames) : run(['info', positionals[0]]).frames;
console.log('| frames | Λ_ML (± total error) | sampling rel. err | Λ_EH | rel. err |');
console.log('|---|---|---|---|---|');
let last: { n: number; ml: number; eh: number } | null = null;
for (const f of (values.fractions as string).split(',').map(Number)) {
  const n = Math.round(f * total);
  const p = run(['predict', positionals[0], '--model', values.model as string, '--stop', String(n), '--provider', 'cpu']);
  let eh = '—';
  let ehRel = Number.NaN;
  try {
    const t = run(['transport', positionals[0], '--units', 'lj', '--temperature', values.temperature as string, '--timestep', values.timestep as string,
      '--fit-start', values['fit-start'] as string, '--fit-stop', values['fit-stop'] as string, '--stop', String(n)]);
    const m = t.molarConductivity as { value: number | null; error: number | null } | null;
    if (m && Number.isFinite(m.value) && Number.isFinite(m.error)) {
      ehRel = m.error! / Math.abs(m.value!);
      eh = `${m.value!.toPrecision(4)} ± ${m.error!.toPrecision(2)}`;
    } else eh = '(no error estimate: run too short)';
  } catch (err) {
    // The CLI's first stderr line is the reason; the usage text follows it.
    const reason = /error: (.*)/.exec((err as Error).message)?.[1] ?? (err as Error).message.split('\n')[0];
    eh = `(transport refused: ${reason})`;
  }
  // Too few frames for a blocking error: predict reports the error as null. A shared model's error
  // is the total (model ⊕ sampling): the model part does not shrink with frames, so the convergence
  // column is the sampling part (`parts.sampling`) and the total is printed beside Λ_ML.
  const sampling = p.lambdaMl.parts ? p.lambdaMl.parts.sampling : p.lambdaMl.error;
  const mlRel = sampling === null ? Number.NaN : sampling / Math.abs(p.lambdaMl.value);
  const ml = p.lambdaMl.error === null ? `${p.lambdaMl.value.toPrecision(4)} (no error: too few frames)` : `${p.lambdaMl.value.toPrecision(4)} ± ${p.lambdaMl.error.toPrecision(2)}`;
  console.log(`| ${n} | ${ml} | ${Number.isFinite(mlRel) ? `${(100 * mlRel).toFixed(1)} %` : '—'} | ${eh} | ${Number.isFinite(ehRel) ? `${(100 * ehRel).toFixed(1)} %` : '—'} |`);
  if (Number.isFinite(mlRel)) last = { n, ml: mlRel, eh: ehRel };
}
if (last) console.log(`\nframes for 5 % statistical error (Λ_ML: sampling only; extrapolated from ${last.n} frames, error ∝ 1/√N): Λ_ML ${Math.ceil(last.n * (last.ml / 0.05) ** 2)}, Λ_EH ${Number.isFinite(last.eh) ? Math.ceil(last.n * (last.eh / 0.05) ** 2) : '—'}`);
