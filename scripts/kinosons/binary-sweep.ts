// Binary random alloys (fast species A, slow species B, non-interacting lattice gas on FCC):
// KMC reference vs variational D per species over compositions and rate ratios, with the cost of
// each to reach a 1 % standard error. Writes docs/kinosons/binary-sweep.{json,md}.
//   npx tsx scripts/kinosons/binary-sweep.ts [--quick]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runFit, runKmc, validateConfig } from '../../lib/kinosons/index';

const quick = process.argv.includes('--quick');
const out = path.resolve(__dirname, '..', '..', 'docs', 'kinosons');

async function main() {
  const rows: Record<string, unknown>[] = [];
  for (const ratio of [0.1, 0.3])
    for (const fast of [0.25, 0.5, 0.75]) {
      const config = validateConfig(
        {
          lattice: 'fcc',
          supercell: 4,
          species: [
            { name: 'A', fraction: fast, nu: 1, e0: 0 },
            { name: 'B', fraction: 1 - fast, nu: ratio, e0: 0 },
          ],
          temperatures: [1000],
          seed: 11,
          kmc: { steps: quick ? 20000 : 200000, trajectories: 32 },
          states: { training: quick ? 200 : 1000, validation: quick ? 200 : 2000 },
          models: [
            { name: 'vacancy-shells-4', vacancyShells: 4 },
            { name: 'vacancy-all+pairs-2x2', vacancyShells: -1, speciesShells: 1, pairFirstShells: 2, pairSecondShells: 2 },
          ],
        },
        'binary-sweep',
      );
      const kmc = await runKmc(config, 1000);
      for (const s of ['A', 'B']) {
        const fit = await runFit(config, 1000, { kind: 'tracer', species: s });
        const ref = kmc.tracer[s];
        const row = {
          ratio,
          fastFraction: fast,
          species: s,
          kmc: ref,
          kmcJumps: kmc.jumps,
          kmcSeconds: kmc.seconds,
          kmcJumpsFor1Percent: kmc.jumpsFor1Percent[s],
          kmcSecondsFor1Percent: kmc.secondsFor1Percent[s],
          uncorrelated: fit.models[0].validation,
          models: fit.models.map((m) => ({ name: m.name, validation: m.validation, functions: m.functions, rank: m.rank })),
          best: fit.best,
          variational: fit.bound,
          deviationSigma: (fit.bound.mean - ref.mean) / Math.hypot(fit.bound.error, ref.error),
          relativeDeviation: fit.bound.mean / ref.mean - 1,
          transitionsFor1Percent: Math.round((fit.statesFor1Percent * fit.validationTransitions) / fit.validationStates),
          statesFor1Percent: fit.statesFor1Percent,
          variationalSecondsFor1Percent: fit.secondsFor1Percent,
        };
        rows.push(row);
        console.log(
          `W_B/W_A=${ratio} c_A=${fast} ${s}: KMC ${ref.mean.toPrecision(4)}±${ref.error.toPrecision(2)}  var ${fit.bound.mean.toPrecision(4)}±${fit.bound.error.toPrecision(2)} (${(100 * row.relativeDeviation).toFixed(1)} %, ${row.deviationSigma.toFixed(1)}σ)  1%: KMC ${row.kmcJumpsFor1Percent.toExponential(1)} jumps/${row.kmcSecondsFor1Percent.toPrecision(2)} s, var ${row.transitionsFor1Percent.toExponential(1)} transitions/${row.variationalSecondsFor1Percent.toPrecision(2)} s`,
        );
      }
    }
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'binary-sweep.json'), JSON.stringify({ schema: 'ionfield.kinosons.binary-sweep/1', quick, rows }, null, 2) + '\n');
  const f = (x: { mean: number; error: number }) => `${x.mean.toPrecision(4)} ± ${x.error.toPrecision(2)}`;
  const md = [
    '| W_B/W_A | c_A | species | KMC D* (a²ν) | variational D* (best model) | y = 0 bound | deviation | KMC to 1 %: jumps / s | variational to 1 %: transitions / s |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r: any) => `| ${r.ratio} | ${r.fastFraction} | ${r.species} | ${f(r.kmc)} | ${f(r.variational)} | ${f(r.uncorrelated)} | ${(100 * r.relativeDeviation).toFixed(1)} % (${r.deviationSigma.toFixed(1)}σ) | ${r.kmcJumpsFor1Percent.toExponential(1)} / ${r.kmcSecondsFor1Percent.toPrecision(2)} | ${r.transitionsFor1Percent.toExponential(1)} / ${r.variationalSecondsFor1Percent.toPrecision(2)} |`),
  ].join('\n');
  fs.writeFileSync(path.join(out, 'binary-sweep.md'), md + '\n');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
