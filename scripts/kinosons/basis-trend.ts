// How the variational D of the fast species approaches KMC as the relaxation-vector basis grows,
// on the hardest binary case of the sweep (FCC 4×4×4, one vacancy, W_B/W_A = 0.1). Every model is
// an upper bound, so its validation value must fall towards the KMC value as the basis grows.
// Writes docs/kinosons/basis-trend.{json,md}.
// Results are written after every model (atomically); --resume skips the models already there.
//   npx tsx scripts/kinosons/basis-trend.ts [--fast 0.25] [--ratio 0.1] [--species A] [--quick] [--resume]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runFit, runKmc, validateConfig } from '../../lib/kinosons/index';

const arg = (k: string, d: string) => {
  const i = process.argv.indexOf(k);
  return i > 0 ? process.argv[i + 1] : d;
};
const quick = process.argv.includes('--quick');
const fast = Number(arg('--fast', '0.25'));
const ratio = Number(arg('--ratio', '0.1'));
const species = arg('--species', 'A');
const out = path.resolve(__dirname, '..', '..', 'docs', 'kinosons');

// Growing bases: shell ranges of vacancy singlets, species singlets, (vacancy, atom) pairs and
// (vacancy, atom, atom) triplets; the last ones add the scaled residual bias.
const models = [
  { name: 'vacancy-all+pairs-2x2', vacancyShells: -1, speciesShells: 1, pairFirstShells: 2, pairSecondShells: 2 },
  { name: 'vacancy-all+pairs-3x3', vacancyShells: -1, speciesShells: 2, pairFirstShells: 3, pairSecondShells: 3 },
  { name: 'vacancy-all+pairs-4x4', vacancyShells: -1, speciesShells: 3, pairFirstShells: 4, pairSecondShells: 4 },
  { name: 'vacancy-all+pairs-2x2+triplets-1x2', vacancyShells: -1, speciesShells: 1, pairFirstShells: 2, pairSecondShells: 2, tripletFirstShells: 1, tripletSecondShells: 2 },
  { name: 'vacancy-all+pairs-3x3+triplets-2x2', vacancyShells: -1, speciesShells: 2, pairFirstShells: 3, pairSecondShells: 3, tripletFirstShells: 2, tripletSecondShells: 2 },
  { name: 'vacancy-all+pairs-2x2+residual', vacancyShells: -1, speciesShells: 1, pairFirstShells: 2, pairSecondShells: 2, residualBias: true },
  { name: 'vacancy-all+pairs-2x2+site-network-16x2-R2', vacancyShells: -1, speciesShells: 1, pairFirstShells: 2, pairSecondShells: 2, networkHidden: 16, networkShells: 2, epochs: 400 },
  { name: 'vacancy-all+pairs-2x2+site-network-32x2-R3', vacancyShells: -1, speciesShells: 1, pairFirstShells: 2, pairSecondShells: 2, networkHidden: 32, networkShells: 3, epochs: 400 },
  { name: 'vacancy-all+pairs-4x4+site-network-32x2-R3', vacancyShells: -1, speciesShells: 3, pairFirstShells: 4, pairSecondShells: 4, networkHidden: 32, networkShells: 3, epochs: 400 },
];

function writeAtomically(file: string, text: string) {
  fs.writeFileSync(`${file}.tmp`, text);
  fs.renameSync(`${file}.tmp`, file);
}

async function main() {
  const base = {
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
  };
  const tag = `fcc4-ratio${ratio}-cA${fast}-${species}`;
  const jsonFile = path.join(out, `basis-trend-${tag}.json`);
  type Row = { name: string; functions: number; validation: { mean: number; error: number }; relativeDeviation: number; deviationSigma: number; seconds: number };
  const previous = process.argv.includes('--resume') && fs.existsSync(jsonFile) ? JSON.parse(fs.readFileSync(jsonFile, 'utf8')) : null;
  const kmc = previous?.quick === quick ? { tracer: { [species]: previous.kmc }, seconds: previous.kmcSeconds } : await runKmc(validateConfig({ ...base, models: [models[0]] }, 'basis-trend'), 1000);
  const ref = kmc.tracer[species];
  console.log(`KMC D*_${species} = ${ref.mean.toPrecision(4)} ± ${ref.error.toPrecision(2)} (${kmc.seconds.toFixed(1)} s)`);
  const rows: Row[] = previous?.quick === quick ? previous.rows : [];
  const f = (x: { mean: number; error: number }) => `${x.mean.toPrecision(4)} ± ${x.error.toPrecision(2)}`;
  const save = () => {
    fs.mkdirSync(out, { recursive: true });
    writeAtomically(jsonFile, JSON.stringify({ schema: 'ionfield.kinosons.basis-trend/1', quick, case: tag, kmc: ref, kmcSeconds: kmc.seconds, rows }, null, 2) + '\n');
    const md = [
      `KMC D*_${species} = ${f(ref)} (a²ν)`,
      '',
      '| model | functions | validation D* | vs KMC | seconds (fit + validation) |',
      '|---|---|---|---|---|',
      ...rows.map((r) => `| ${r.name} | ${r.functions} | ${f(r.validation)} | ${(100 * r.relativeDeviation).toFixed(1)} % (${r.deviationSigma.toFixed(1)}σ) | ${r.seconds.toFixed(0)} |`),
    ].join('\n');
    writeAtomically(path.join(out, `basis-trend-${tag}.md`), md + '\n');
  };
  for (const m of models) {
    if (rows.some((r) => r.name === m.name)) continue;
    const fit = await runFit(validateConfig({ ...base, models: [m] }, 'basis-trend'), 1000, { kind: 'tracer', species });
    const s = fit.models[1];
    const row: Row = {
      name: m.name,
      functions: s.functions,
      validation: s.validation,
      relativeDeviation: s.validation.mean / ref.mean - 1,
      deviationSigma: (s.validation.mean - ref.mean) / Math.hypot(s.validation.error, ref.error),
      seconds: s.fitSeconds + s.validationSeconds,
    };
    rows.push(row);
    save();
    console.log(`${m.name}: K=${s.functions} validation ${f(s.validation)} (${(100 * row.relativeDeviation).toFixed(1)} %, ${row.deviationSigma.toFixed(1)}σ) ${row.seconds.toFixed(0)} s`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
