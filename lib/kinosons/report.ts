// A kinosons report as tasks (lib/cli/kinosons-report.ts runs them): per temperature of the
// config, the KMC reference and the tracer fit of every species, in this order; the report is
// finished from every task's result — by the single run from its checkpoint, and by `ionfield
// merge` from the tasks of `kinosons report --shard` runs (each task is seeded by the config alone,
// so it gives the same numbers in either; only measured wall times differ, as between two runs).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compareCosts, CostComparison, fitTemperatureModels, FitResult, KinosonConfig, KmcReference, loadConfig } from './index';
import { plot } from './svg';
import { writeFileAtomic } from '../atomic-file';
import { badPartial } from '../shard/partial-file';

export type Done = Record<string, { kmc?: KmcReference; fits: Record<string, FitResult> }>;

/** One unit of a report: the KMC reference at a temperature, or the tracer fit of one species there. */
export type ReportTask = { temperature: number; kind: 'kmc' } | { temperature: number; kind: 'fit'; species: string };

/** The report's tasks in the single run's order (per temperature: KMC, then each species' fit). */
export function reportTasks(config: KinosonConfig): ReportTask[] {
  return config.temperatures.flatMap((temperature) => [{ temperature, kind: 'kmc' as const }, ...config.species.map((s) => ({ temperature, kind: 'fit' as const, species: s.name }))]);
}

export function record(done: Done, task: ReportTask, result: KmcReference | FitResult): void {
  const entry = (done[String(task.temperature)] ??= { fits: {} });
  if (task.kind === 'kmc') entry.kmc = result as KmcReference;
  else entry.fits[task.species] = result as FitResult;
}

export function taskDone(done: Done, task: ReportTask): boolean {
  const entry = done[String(task.temperature)];
  return task.kind === 'kmc' ? Boolean(entry?.kmc) : Boolean(entry?.fits[task.species]);
}

/** The report from every task's result: temperature models, plots and kinosons-report.json in outDir. */
export function finishReport(configFile: string, config: KinosonConfig, outDir: string, done: Done) {
  const names = config.species.map((s) => s.name);
  const temperatures: { temperature: number; kmc: KmcReference; fits: Record<string, FitResult>; comparisons: Record<string, CostComparison> }[] = [];
  for (const T of config.temperatures) {
    const entry = done[String(T)];
    // Side by side on this machine: which route reaches a 1 % error sooner, per species.
    const comparisons = Object.fromEntries(names.map((s) => [s, compareCosts(entry.fits[s], entry.kmc!)]));
    temperatures.push({ temperature: T, kmc: entry.kmc!, fits: entry.fits, comparisons });
  }
  const models: Record<string, ReturnType<typeof fitTemperatureModels>> = {};
  for (const s of names) models[s] = fitTemperatureModels(temperatures.map((t) => t.fits[s].kinosons.point));
  const last = temperatures[temperatures.length - 1];
  const files: string[] = [];
  fs.mkdirSync(outDir, { recursive: true });
  const saveSvg = (name: string, svg: string) => {
    writeFileAtomic(path.join(outDir, name), svg);
    files.push(name);
  };
  saveSvg(
    'kinosons-log-density.svg',
    plot(
      names.flatMap((s) => last.fits[s].kinosons.bySpecies.map((d) => ({ name: `${s}* (${d.group} jumps)`, x: d.centres, y: d.density }))),
      { title: `Density of log10 κ at ${last.temperature} K (tracer of each species, by jumping species)`, xLabel: 'log10 κ (a² ν)', yLabel: 'density' },
    ),
  );
  saveSvg(
    'kinosons-cumulative.svg',
    plot(names.map((s) => ({ name: `${s}*`, x: last.fits[s].kinosons.cumulative.kinosonFraction, y: last.fits[s].kinosons.cumulative.shareOfD })), {
      title: `Cumulative share of D by kinoson size (largest first), ${last.temperature} K`,
      xLabel: 'fraction of kinosons',
      yLabel: 'fraction of D',
    }),
  );
  if (temperatures.length >= 2) {
    const x = temperatures.map((t) => 1000 / t.temperature);
    saveSvg(
      'kinosons-D-of-T.svg',
      plot(
        names.flatMap((s) => [
          { name: `${s} KMC`, x, y: temperatures.map((t) => t.kmc.tracer[s].mean), error: temperatures.map((t) => t.kmc.tracer[s].error), style: 'points' as const },
          { name: `${s} kinosons`, x, y: temperatures.map((t) => t.fits[s].bound.mean), error: temperatures.map((t) => t.fits[s].bound.error), style: 'points' as const },
          ...(models[s]
            ? [
                { name: `${s} Arrhenius`, x, y: models[s]!.arrhenius.predicted },
                { name: `${s} log-normal κ`, x, y: models[s]!.lognormal.predicted },
                ...(models[s]!.mixture ? [{ name: `${s} log-normal mixture`, x, y: models[s]!.mixture!.predicted }] : []),
              ]
            : []),
        ]),
        { title: 'Tracer D(T): KMC, kinosons and the two fitted models', xLabel: '1000 / T (1/K)', yLabel: 'D* (a² ν)', logY: true },
      ),
    );
  }
  const out = { schema: 'ionfield.kinosons.report/2', config: path.resolve(configFile), species: names, temperatures, models, files };
  writeFileAtomic(path.join(outDir, 'kinosons-report.json'), JSON.stringify(out, null, 2) + '\n');
  return out;
}

export interface ReportPiece {
  tasks: { task: ReportTask; result: KmcReference | FitResult }[];
}

/** The report from all shards' pieces: the single run's finish, into the recorded --out-dir. */
export function mergeReportPieces(options: Record<string, unknown>, pieces: ReportPiece[]): unknown {
  const configFile = options.configFile as string;
  const config = loadConfig(configFile);
  if (JSON.stringify(JSON.parse(fs.readFileSync(configFile, 'utf8'))) !== JSON.stringify(options.config))
    throw badPartial(`${configFile} changed since the shards ran: rerun them`);
  const done: Done = {};
  for (const p of pieces) for (const { task, result } of p.tasks) record(done, task, result);
  const missing = reportTasks(config).filter((t) => !taskDone(done, t));
  if (missing.length) throw badPartial(`the report's shards lack ${missing.length} task(s) (first: ${JSON.stringify(missing[0])})`);
  return finishReport(configFile, config, options.outDir as string, done);
}
