// The interacting five-component FCC alloy modelled on CoCrFeMnNi (illustrative parameters, see
// docs/kinosons.md): KMC reference vs variational tracer D per species and their costs.
//   npx tsx scripts/kinosons/five-component.ts   (writes docs/kinosons/five-component.{json,md})
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadConfig, runFit, runKmc } from '../../lib/kinosons/index';

const root = path.resolve(__dirname, '..', '..');

async function main() {
  const config = loadConfig(path.join(root, 'data', 'kinosons', 'cocrfemnni-illustrative.json'));
  const T = config.temperatures[0];
  const kmc = await runKmc(config, T);
  const rows = [];
  for (const s of config.species.map((x) => x.name)) {
    const fit = await runFit(config, T, { kind: 'tracer', species: s });
    const ref = kmc.tracer[s];
    const row = {
      species: s,
      kmc: ref,
      variational: fit.bound,
      best: fit.best,
      models: fit.models.map((m) => ({ name: m.name, validation: m.validation })),
      relativeDeviation: fit.bound.mean / ref.mean - 1,
      deviationSigma: (fit.bound.mean - ref.mean) / Math.hypot(fit.bound.error, ref.error),
      kmcJumpsFor1Percent: kmc.jumpsFor1Percent[s],
      kmcSecondsFor1Percent: kmc.secondsFor1Percent[s],
      transitionsFor1Percent: Math.round((fit.statesFor1Percent * fit.validationTransitions) / fit.validationStates),
      variationalSecondsFor1Percent: fit.secondsFor1Percent,
      shareBySpecies: fit.kinosons.bySpecies.map((d) => ({ group: d.group, share: d.share })),
    };
    rows.push(row);
    console.log(`${s}: KMC ${ref.mean.toPrecision(4)}±${ref.error.toPrecision(2)} var ${fit.bound.mean.toPrecision(4)}±${fit.bound.error.toPrecision(2)} (${(100 * row.relativeDeviation).toFixed(1)} %, ${row.deviationSigma.toFixed(1)}σ) best ${fit.best}`);
  }
  const f = (x: { mean: number; error: number }) => `${x.mean.toPrecision(4)} ± ${x.error.toPrecision(2)}`;
  const md = [
    `T = ${T} K, FCC 4×4×4, one vacancy, equiatomic; D* in a² s⁻¹. KMC: ${kmc.trajectories} × ${kmc.jumps / kmc.trajectories} jumps (${kmc.seconds.toFixed(1)} s).`,
    '',
    '| species | KMC D* | variational D* | y = 0 bound | deviation | KMC to 1 %: jumps / s | variational to 1 %: transitions / s |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.species} | ${f(r.kmc)} | ${f(r.variational)} | ${f(r.models[0].validation)} | ${(100 * r.relativeDeviation).toFixed(1)} % (${r.deviationSigma.toFixed(1)}σ) | ${r.kmcJumpsFor1Percent.toExponential(1)} / ${r.kmcSecondsFor1Percent.toPrecision(2)} | ${r.transitionsFor1Percent.toExponential(1)} / ${r.variationalSecondsFor1Percent.toPrecision(2)} |`),
  ].join('\n');
  fs.mkdirSync(path.join(root, 'docs', 'kinosons'), { recursive: true });
  fs.writeFileSync(path.join(root, 'docs', 'kinosons', 'five-component.json'), JSON.stringify({ schema: 'ionfield.kinosons.five-component/1', temperature: T, kmc, rows }, null, 2) + '\n');
  fs.writeFileSync(path.join(root, 'docs', 'kinosons', 'five-component.md'), md + '\n');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
