// The variational bound tightened by short trajectories (config `tail`) against KMC on the alloys
// of the issue-14 agreement study (agreement-cases.ts): for D*_A, D*_B and L_AA, the bound of the
// kept model (vacancy-all + pairs + harmonic corrector), the refined value, and the plain KMC slope
// over the same segments (y = 0), each against the whole-trajectory KMC reference, with costs.
//
//   npx tsx scripts/kinosons/tail-agreement.ts [--only ID,ID] [--states N] [--fresh]
//
// The KMC reference is the one kmc-agreement.ts stored for the same alloy (same configuration and
// seed, docs/kinosons/kmc-agreement/cases/ID.json); without it the KMC is run here. Resumable: each
// alloy's results go to docs/kinosons/tail-agreement/cases/ID.json (atomically) and a rerun skips
// the cases already there with the same configuration; the table is rebuilt from them at the end:
// docs/kinosons/tail-agreement.{md,json}.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Estimate, FitResult, KinosonConfig, KmcReference, runFit, runKmc, validateConfig } from '../../lib/kinosons/index';
import { writeFileAtomic, writeJsonAtomic } from '../../lib/atomic-file';
import { cachedCase, cases, percent, saveCase, studyArguments, withError } from './agreement-cases';

const { only, states, fresh } = studyArguments();
const docs = path.resolve(__dirname, '..', '..', 'docs', 'kinosons');
const out = path.join(docs, 'tail-agreement');
const casesDir = path.join(out, 'cases');
const model = { name: 'vacancy-all+pairs-2x2+corrector', vacancyShells: -1, speciesShells: 1, pairFirstShells: 2, pairSecondShells: 2, corrector: true, correctorShells: 2 };
const targets = [
  { key: 'D*_A', target: { kind: 'tracer', species: 'A' } },
  { key: 'D*_B', target: { kind: 'tracer', species: 'B' } },
  { key: 'L_AA', target: { kind: 'collective', channel: 'A' } },
] as const;

const versus = (a: Estimate, ref: Estimate) => ({ ratio: a.mean / ref.mean, sigma: (a.mean - ref.mean) / Math.hypot(a.error, ref.error) });

async function reference(id: string, config: KinosonConfig, temperature: number): Promise<{ kmc: KmcReference; source: string }> {
  const stored = path.join(docs, 'kmc-agreement', 'cases', `${id}.json`);
  if (fs.existsSync(stored)) {
    const c = JSON.parse(fs.readFileSync(stored, 'utf8'));
    const same = JSON.stringify({ ...c.config, models: undefined, states: undefined }) === JSON.stringify({ ...rawOf(id), models: undefined, states: undefined });
    if (same) return { kmc: c.kmc, source: `docs/kinosons/kmc-agreement/cases/${id}.json` };
  }
  return { kmc: await runKmc(config, temperature), source: 'run here' };
}

function rawOf(id: string) {
  const c = cases.find((x) => x.id === id)!;
  return { ...c.config, temperatures: [c.temperature], threads: 0 };
}

async function runCase(id: string) {
  const c = cases.find((x) => x.id === id)!;
  const raw = { ...rawOf(id), states: { ...(c.config.states as object), training: states, validation: states }, models: [model], tail: { targets: 'all' } };
  const hash = crypto.createHash('sha256').update(JSON.stringify(raw)).digest('hex').slice(0, 16);
  const file = path.join(casesDir, `${id}.json`);
  const cached = cachedCase(file, hash, fresh);
  if (cached) return cached;
  const config = validateConfig(raw, id);
  console.log(`${id}: ${c.what}`);
  const { kmc, source } = await reference(id, config, c.temperature);
  const rows = [];
  for (const { key, target } of targets) {
    const fit: FitResult = await runFit(config, c.temperature, target);
    const ref = target.kind === 'tracer' ? kmc.tracer[target.species] : kmc.onsager[target.channel][target.channel];
    const kmcSeconds = target.kind === 'tracer' ? kmc.secondsFor1Percent[target.species] : kmc.seconds * (ref.error / ref.mean / 0.01) ** 2;
    const r = fit.refined!;
    const last = r.checkpoints[r.checkpoints.length - 1];
    const row = {
      quantity: key,
      kmc: ref,
      bound: { value: fit.bound, ...versus(fit.bound, ref) },
      refined: { value: r.D, ...versus(r.D, ref) },
      plain: { value: last.plainSlope, ...versus(last.plainSlope, ref) },
      converged: r.converged,
      resolution: r.resolution,
      segmentJumps: last.jumps,
      checkpoints: r.checkpoints,
      seconds: { fit: fit.models.find((m) => m.name === r.model)!.fitSeconds, validation: fit.models.find((m) => m.name === r.model)!.validationSeconds, tail: r.seconds },
      cost: { kmcSecondsFor1Percent: kmcSeconds, refinedSecondsFor1Percent: r.secondsFor1Percent },
    };
    console.log(`  ${key}: KMC ${ref.mean.toPrecision(4)}, bound ${(100 * (row.bound.ratio - 1)).toFixed(1)} %, refined ${(100 * (row.refined.ratio - 1)).toFixed(1)} % (${row.refined.sigma.toFixed(1)}σ), plain ${(100 * (row.plain.ratio - 1)).toFixed(1)} %`);
    rows.push(row);
  }
  const result = { schema: 'ionfield.kinosons.tail-agreement-case/1', id, what: c.what, configHash: hash, config: raw, kmcSource: source, rows };
  return saveCase(file, result);
}

function table(results: any[]): string {
  const pct = percent, f = withError;
  const lines = [
    `Short trajectories through y (config \`tail\`, defaults) from ${states} validation states per fit; model ${model.name}; ${states} training states.`,
    'Deviations from the KMC reference (whole trajectories, MSD slope); σ counts both errors. "plain" is the MSD slope of the same segments without y.',
    '',
    '| alloy | quantity | KMC | bound | refined | plain (same segments) | converged (resolution) | jumps per segment | seconds: fit + validation + tail | KMC s to 1 % |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of results)
    for (const row of r.rows)
      lines.push(
        `| ${r.what} | ${row.quantity} | ${f(row.kmc)} | ${pct(row.bound.ratio)} | **${pct(row.refined.ratio)}** (${row.refined.sigma.toFixed(1)}σ) | ${pct(row.plain.ratio)} (${row.plain.sigma.toFixed(1)}σ) | ${row.converged ? 'yes' : 'no'} (${row.resolution === null ? '—' : `${(100 * row.resolution).toFixed(1)} %`}) | ${row.segmentJumps.toExponential(1)} | ${row.seconds.fit.toPrecision(2)} + ${row.seconds.validation.toPrecision(2)} + ${row.seconds.tail.toPrecision(2)} | ${row.cost.kmcSecondsFor1Percent.toPrecision(2)} |`,
      );
  return lines.join('\n');
}

async function main() {
  for (const c of cases) if (!only || only.includes(c.id)) await runCase(c.id);
  const all = cases.map((c) => path.join(casesDir, `${c.id}.json`)).filter((f) => fs.existsSync(f)).map((f) => JSON.parse(fs.readFileSync(f, 'utf8')));
  writeJsonAtomic(path.join(docs, 'tail-agreement.json'), { schema: 'ionfield.kinosons.tail-agreement/1', states, cases: all.map((r) => ({ id: r.id, what: r.what, kmcSource: r.kmcSource, rows: r.rows })) });
  const text = table(all);
  writeFileAtomic(path.join(docs, 'tail-agreement.md'), text + '\n');
  console.log(text);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
