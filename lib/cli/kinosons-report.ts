// `ionfield kinosons report`: runs the report's tasks (lib/kinosons/report.ts) one by one with a
// checkpoint after each (--resume), then finishes the report; `--shard i/n` runs tasks
// ⌊i·J/n⌋ … ⌊(i+1)·J/n⌋ − 1 of the J tasks into a shard partial for `ionfield merge`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compareCosts, describeCosts, FitResult, KinosonConfig, KmcReference, loadConfig, runFit, runKmc } from '../kinosons/index';
import { Done, finishReport, record, ReportPiece, ReportTask, reportTasks, taskDone } from '../kinosons/report';
import { writeFileAtomic } from '../atomic-file';
import { fingerprint, newShardPartial, parseShard, saveShardPartial, ShardPartial } from '../shard/partial-file';
import { printJson } from './command';
import { forConfig, prepareOutputDir } from './kinosons-options';
import { meanPm as fmt } from './numbers';
import { Progress } from './progress';

interface Checkpoint {
  schema: 'ionfield.kinosons.report-checkpoint/1';
  config: unknown;
  done: Done;
}

async function runTask(configFile: string, config: KinosonConfig, task: ReportTask, json: boolean): Promise<KmcReference | FitResult> {
  const bar = new Progress(task.kind === 'kmc' ? `KMC ${task.temperature} K` : `fit ${task.species} ${task.temperature} K`, null, !json);
  try {
    return await forConfig<KmcReference | FitResult>(configFile, () => (task.kind === 'kmc' ? runKmc(config, task.temperature, { onProgress: bar.report }) : runFit(config, task.temperature, { kind: 'tracer', species: task.species }, { onProgress: bar.report })));
  } finally {
    bar.done();
  }
}

export async function report(configFile: string, outDir: string, json: boolean, resume: boolean): Promise<number> {
  const config = loadConfig(configFile);
  prepareOutputDir(outDir);
  // Every finished KMC run and fit goes to the checkpoint (written atomically), so an interrupted
  // report resumes with --resume where it stopped. The validated config is stored with it: a
  // checkpoint of another config is refused rather than mixed in.
  const checkpointFile = path.join(outDir, 'kinosons-report.checkpoint.json');
  let checkpoint: Checkpoint = { schema: 'ionfield.kinosons.report-checkpoint/1', config, done: {} };
  if (resume && fs.existsSync(checkpointFile)) {
    let saved: Checkpoint;
    try {
      saved = JSON.parse(fs.readFileSync(checkpointFile, 'utf8'));
    } catch (e) {
      throw Object.assign(new Error(`${checkpointFile}: not valid JSON (${(e as Error).message}); delete it to start over`), { code: 'IONFIELD_BAD_INPUT' });
    }
    if (saved.schema !== checkpoint.schema || JSON.stringify(saved.config) !== JSON.stringify(config))
      throw Object.assign(new Error(`${checkpointFile}: written for a different configuration than ${configFile}; delete it or run without --resume`), { code: 'IONFIELD_BAD_INPUT' });
    checkpoint = saved;
  }
  const save = () => writeFileAtomic(checkpointFile, JSON.stringify(checkpoint) + '\n');
  for (const task of reportTasks(config)) {
    if (!taskDone(checkpoint.done, task)) {
      record(checkpoint.done, task, await runTask(configFile, config, task, json));
      save();
    }
    if (task.kind === 'fit' && !json) {
      const entry = checkpoint.done[String(task.temperature)];
      console.log(`${task.temperature} K ${task.species}: KMC ${fmt(entry.kmc!.tracer[task.species])}, kinosons ${fmt(entry.fits[task.species].bound)} (${entry.fits[task.species].best})\n${describeCosts(compareCosts(entry.fits[task.species], entry.kmc!))}`);
    }
  }
  const out = finishReport(configFile, config, outDir, checkpoint.done);
  fs.rmSync(checkpointFile, { force: true }); // the report is complete; nothing left to resume
  if (json) printJson(out);
  else console.log(`wrote ${['kinosons-report.json', ...out.files].map((f) => path.join(outDir, f)).join(', ')}`);
  return 0;
}

/** `kinosons report --shard i/n`: tasks ⌊i·J/n⌋ … of the J tasks, as a shard partial. */
export async function reportShardCli(configFile: string, outDir: string, shardText: string, partialFile: string | undefined): Promise<number> {
  const config = loadConfig(configFile);
  const shard = parseShard(shardText);
  const tasks = reportTasks(config);
  if (shard.count > tasks.length) throw Object.assign(new Error(`--shard ${shard.index}/${shard.count}: the report has ${tasks.length} tasks (a KMC run and ${config.species.length} fits per temperature), so at most ${tasks.length} shards`), { code: 'IONFIELD_USAGE' });
  const mine = tasks.slice(Math.floor((shard.index * tasks.length) / shard.count), Math.floor(((shard.index + 1) * tasks.length) / shard.count));
  const piece: ReportPiece = { tasks: [] };
  for (const task of mine) piece.tasks.push({ task, result: await runTask(configFile, config, task, true) });
  // The config travels as written (as for kinosons kmc shards): other configs are refused at merge.
  const raw = JSON.parse(fs.readFileSync(configFile, 'utf8')) as unknown;
  const partial: ShardPartial<ReportPiece> = newShardPartial('kinosons report', [fingerprint(configFile)], { config: raw, configFile: path.resolve(configFile), outDir: path.resolve(outDir) }, shard, piece);
  const file = partialFile ?? `kinosons-report.shard-${shard.index}-of-${shard.count}.json`;
  saveShardPartial(file, partial);
  console.error(`ionfield kinosons report: shard ${shard.index}/${shard.count}: tasks ${mine.map((t) => (t.kind === 'kmc' ? `KMC ${t.temperature} K` : `fit ${t.species} ${t.temperature} K`)).join(', ')} → ${file}`);
  return 0;
}

