// Variational / kinoson D against KMC where correlation is strong (issue 14): random binary FCC
// alloys over x_B and two rate ratios, one BCC case, an ordering A–B alloy at two temperatures and
// the 8×8×8 x_B = 0.7, W_B/W_A = 1/100 alloy of the issue. For each alloy: KMC (MSD-slope
// estimator) D*_A, D*_B, L_AA, L_BB, L_AB; the linear vector basis with and without the harmonic
// corrector for both tracers and the collective target; the cost of a 1 % error with each.
//
//   npx tsx scripts/kinosons/kmc-agreement.ts [--only ID,ID] [--states N] [--fresh]
//
// Resumable: each alloy's results go to docs/kinosons/kmc-agreement/cases/ID.json (written
// atomically) and a rerun skips the cases already there with the same configuration. The table is
// rebuilt from the case files at the end: docs/kinosons/kmc-agreement.{md,json}.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KinosonConfig, runFit, runKmc, validateConfig, Estimate, FitResult, KmcReference } from '../../lib/kinosons/index';
import { writeFileAtomic, writeJsonAtomic } from '../../lib/atomic-file';
import { cachedCase, Case, cases, percent, saveCase, studyArguments, withError } from './agreement-cases';

const { only, states, fresh } = studyArguments();
const out = path.resolve(__dirname, '..', '..', 'docs', 'kinosons', 'kmc-agreement');
const casesDir = path.join(out, 'cases');

const linear = { vacancyShells: -1, speciesShells: 1, pairFirstShells: 2, pairSecondShells: 2 };
const models = [
  { name: 'linear (vacancy-all+pairs-2x2)', ...linear },
  { name: 'linear + harmonic corrector', ...linear, corrector: true, correctorShells: 2 },
];

const relative = (a: Estimate, ref: Estimate) => ({ ratio: a.mean / ref.mean, sigma: (a.mean - ref.mean) / Math.hypot(a.error, ref.error) });

async function runCase(c: Case) {
  const raw = { ...c.config, temperatures: [c.temperature], threads: 0, states: { ...(c.config.states as object), training: states, validation: states }, models };
  const hash = crypto.createHash('sha256').update(JSON.stringify(raw)).digest('hex').slice(0, 16);
  const file = path.join(casesDir, `${c.id}.json`);
  const cached = cachedCase(file, hash, fresh);
  if (cached) return cached;
  const config: KinosonConfig = validateConfig(raw, c.id);
  console.log(`${c.id}: ${c.what}`);
  const kmc: KmcReference = await runKmc(config, c.temperature);
  const fits: Record<string, FitResult> = {};
  for (const target of [{ kind: 'tracer', species: 'A' }, { kind: 'tracer', species: 'B' }, { kind: 'collective', channel: 'A' }, { kind: 'collective', channel: 'B' }] as const) {
    const key = target.kind === 'tracer' ? `D*_${target.species}` : `L_${target.channel}${target.channel}`;
    fits[key] = await runFit(config, c.temperature, target);
  }
  const rows = Object.entries(fits).map(([quantity, fit]) => {
    const ref = quantity.startsWith('D*') ? kmc.tracer[quantity.slice(3)] : kmc.onsager[quantity[2]][quantity[2]];
    const kmcSeconds = quantity.startsWith('D*') ? kmc.secondsFor1Percent[quantity.slice(3)] : kmc.seconds * (ref.error / ref.mean / 0.01) ** 2;
    const kmcJumps = quantity.startsWith('D*') ? kmc.jumpsFor1Percent[quantity.slice(3)] : kmc.jumps * (ref.error / ref.mean / 0.01) ** 2;
    return {
      quantity,
      kmc: ref,
      models: fit.models.map((m) => ({ name: m.name, functions: m.functions, validation: m.validation, ...relative(m.validation, ref), fitSeconds: m.fitSeconds, validationSeconds: m.validationSeconds })),
      best: fit.best,
      kinosons: fit.bound,
      ...relative(fit.bound, ref),
      cost: {
        kmcJumpsFor1Percent: kmcJumps,
        kmcSecondsFor1Percent: kmcSeconds,
        kinosonTransitionsFor1Percent: Math.round((fit.statesFor1Percent * fit.validationTransitions) / fit.validationStates),
        kinosonSecondsFor1Percent: fit.secondsFor1Percent,
      },
      onsager: fit.onsager,
    };
  });
  const result = { schema: 'ionfield.kinosons.kmc-agreement-case/1', id: c.id, what: c.what, configHash: hash, config: raw, kmc, rows };
  return saveCase(file, result);
}

function table(results: any[]): string {
  const pct = percent, f = withError;
  const lines = [
    '| alloy | quantity | KMC (slope) | linear basis | + harmonic corrector | best vs KMC | KMC to 1 %: jumps / s | kinosons to 1 %: transitions / s |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of results)
    for (const row of r.rows) {
      const [lin, corr] = row.models.slice(1);
      lines.push(
        `| ${r.what} | ${row.quantity} | ${f(row.kmc)} | ${f(lin.validation)} (${pct(lin.ratio)}) | ${f(corr.validation)} (${pct(corr.ratio)}) | ${pct(row.ratio)}, ${row.sigma.toFixed(1)}σ | ${row.cost.kmcJumpsFor1Percent.toExponential(1)} / ${row.cost.kmcSecondsFor1Percent.toPrecision(2)} | ${row.cost.kinosonTransitionsFor1Percent.toExponential(1)} / ${row.cost.kinosonSecondsFor1Percent.toPrecision(2)} |`,
      );
    }
  return lines.join('\n');
}

// Convergence of D*_A with model size and training states on one strongly correlated alloy
// (validation states fixed): each model is an upper bound, so the curve shows how far more
// functions or more data can take it.
const convergenceModels = [
  { name: 'vacancy-shells-2', vacancyShells: 2 },
  { name: 'vacancy-shells-4', vacancyShells: 4 },
  { name: 'vacancy-all', vacancyShells: -1 },
  { name: 'vacancy-all+pairs-2x2', ...linear },
  { name: 'vacancy-all+pairs-2x2+triplets-1x1', ...linear, tripletFirstShells: 1, tripletSecondShells: 1 },
  { name: 'vacancy-all+pairs-2x2+corrector', ...linear, corrector: true, correctorShells: 2 },
];

async function convergence() {
  const base = cases.find((c) => c.id === 'fcc6-xB0.65-r0.01')!;
  const file = path.join(out, 'convergence.json');
  const done: any[] = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')).rows : [];
  for (const training of [100, 200, 400, 800]) {
    if (done.some((r) => r.training === training)) continue;
    const raw = { ...base.config, temperatures: [base.temperature], threads: 0, states: { training, validation: 400 }, models: convergenceModels };
    const fit = await runFit(validateConfig(raw, 'convergence'), base.temperature, { kind: 'tracer', species: 'A' });
    done.push({ training, models: fit.models.map((m) => ({ name: m.name, functions: m.functions, rank: m.rank, training: m.training, validation: m.validation, fitSeconds: m.fitSeconds })) });
    writeJsonAtomic(file, { schema: 'ionfield.kinosons.convergence/1', alloy: base.what, validationStates: 400, rows: done });
    console.log(`convergence: ${training} training states done`);
  }
  const kmc = JSON.parse(fs.readFileSync(path.join(casesDir, `${base.id}.json`), 'utf8')).kmc.tracer.A as Estimate;
  const names = convergenceModels.map((m) => m.name);
  const lines = [
    `D*_A of ${base.what}: validation value (400 states) / KMC (${kmc.mean.toPrecision(4)} ± ${kmc.error.toPrecision(1)}) by model and training states`,
    '',
    `| model | functions | ${done.map((r) => `${r.training} training states`).join(' | ')} |`,
    `|---|---|${done.map(() => '---').join('|')}|`,
    ...names.map((n) => {
      const cells = done.map((r) => {
        const m = r.models.find((x: any) => x.name === n);
        return `${(m.validation.mean / kmc.mean).toFixed(3)} ± ${(m.validation.error / kmc.mean).toFixed(3)}`;
      });
      const fn = done[0].models.find((x: any) => x.name === n).functions;
      return `| ${n} | ${fn} | ${cells.join(' | ')} |`;
    }),
  ];
  return lines.join('\n');
}

async function main() {
  const results = [];
  for (const c of cases) {
    if (only && !only.includes(c.id)) continue;
    results.push(await runCase(c));
  }
  const all = cases.map((c) => path.join(casesDir, `${c.id}.json`)).filter((f) => fs.existsSync(f)).map((f) => JSON.parse(fs.readFileSync(f, 'utf8')));
  writeJsonAtomic(path.join(out, '..', 'kmc-agreement.json'), { schema: 'ionfield.kinosons.kmc-agreement/1', states, cases: all.map((r) => ({ id: r.id, what: r.what, rows: r.rows })) });
  let text = table(all);
  if (!only && fs.existsSync(path.join(casesDir, 'fcc6-xB0.65-r0.01.json'))) text += '\n\n## Convergence\n\n' + (await convergence());
  writeFileAtomic(path.join(out, '..', 'kmc-agreement.md'), text + '\n');
  console.log(text);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
