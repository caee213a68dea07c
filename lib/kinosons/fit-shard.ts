// `kinosons fit --shard i/n`: the training sums of a part of the training states, and the merge
// that finishes the fit from them. The fit's quadratic functional is accumulated in 16 fixed lanes
// (native accumulate_functional_lanes: lane l sums training states ⌊l·S/16⌋ … in order, and the
// lanes are added in lane order), so a shard that owns whole lanes computes the single run's lane
// sums bit for bit, and the merge, which adds every lane in lane order, has the single run's
// normal equations bit for bit: the same coefficients, ranks, training values, and — the
// validation being run by the merge on the same validation states (with the same chain blocks) —
// the same validation values, errors and kinosons. Only linear models shard: the networks train
// by epochs over all states, the residual bias needs a second pass at the solved coefficients.
import * as fs from 'node:fs';
import { native, NativeFitLane } from '../native';
import { badPartial, fingerprint, InputFingerprint, newShardPartial, ShardPartial, ShardSpec } from '../shard/partial-file';
import { KinosonConfig, nativeSpec, validateConfig } from './config';
import { FitResult, GivenStates, runFit, runKmc, Target } from './index';
import { loadStates } from './states';
import { compareCosts, CostComparison } from './cost';
import { LongCallOptions, stageReporter } from '../progress';
import { withNativeCancel } from '../abort';

export const FIT_COMMAND = 'kinosons fit';
/** The layout of a fit shard's piece (lanes, their encoding); the partial around it is ionfield.shard-partial/2. */
export const FIT_SUMS_SCHEMA = 'ionfield.kinosons.fit-sums/1';

/** One lane's sums in a partial: the matrices as base64 of their float64 little-endian bytes (exact). */
export interface FitLaneJson {
  lane: number;
  functions: number;
  channels: number;
  states: number;
  transitions: number;
  norm: number;
  /** "float64le-base64": A (functions × functions), B (functions × channels), C (channels × channels), row-major. */
  encoding: 'float64le-base64';
  A: string;
  B: string;
  C: string;
  correctorSolves: number;
  correctorIterations: number;
  correctorSeconds: number;
}

/** One shard: its lanes [firstLane, lastLane) and training states [firstState, lastState), per model its lanes' sums. */
export interface FitPiece {
  schema: typeof FIT_SUMS_SCHEMA;
  lanes: number;
  firstLane: number;
  lastLane: number;
  firstState: number;
  lastState: number;
  sites: number;
  samplingSeconds: number;
  models: { name: string; accumulateSeconds: number; lanes: FitLaneJson[] }[];
}

function usage(message: string): Error {
  return Object.assign(new Error(message), { code: 'IONFIELD_USAGE' });
}

/** Refuses (naming the model and why) configs with a model whose fit no sum over states can give. */
export function checkShardableModels(config: KinosonConfig): void {
  for (const m of config.models) {
    const why =
      (m.hidden ?? 0) > 0
        ? 'the equivariant gated network (hidden) is trained by gradient descent over epochs of all training states, which no sum over a part of them can replace'
        : (m.networkHidden ?? 0) > 0
          ? 'the equivariant site network (networkHidden) is trained by gradient descent over epochs of all training states, which no sum over a part of them can replace'
          : m.residualBias
            ? 'the residual bias (residualBias) is fitted in a second pass over all training states at the coefficients solved from every shard\'s sums'
            : '';
    if (why) throw usage(`--shard: model '${m.name}' cannot be fitted in shards: ${why}; fit it in one process, or leave it out of the config's models`);
  }
}

/** Shard i of n: lanes ⌊i·L/n⌋ … ⌊(i+1)·L/n⌋ − 1 of the L lanes, i.e. training states ⌊l·S/L⌋ of its first lane … before its end. */
export function fitShardRange(trainingStates: number, shard: ShardSpec, lanes = native().kinosonsFitLanes): { firstLane: number; lastLane: number; firstState: number; lastState: number } {
  const laneStart = (l: number) => Math.floor((l * trainingStates) / lanes);
  const range = (i: number, n: number) => {
    const firstLane = Math.floor((i * lanes) / n), lastLane = Math.floor(((i + 1) * lanes) / n);
    return { firstLane, lastLane, firstState: laneStart(firstLane), lastState: laneStart(lastLane) };
  };
  const fits = (n: number) => n <= lanes && Array.from({ length: n }, (_, i) => range(i, n)).every((r) => r.lastState > r.firstState);
  if (!fits(shard.count)) {
    let most = Math.min(lanes, trainingStates);
    while (most > 1 && !fits(most)) most--;
    throw usage(`--shard ${shard.index}/${shard.count}: the fit accumulates its ${trainingStates} training states in ${lanes} fixed lanes (a shard owns whole lanes, each holding at least one state), so at most ${most} shards`);
  }
  return range(shard.index, shard.count);
}

function encode(a: Float64Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

function decode(text: string, length: number, what: string): Float64Array {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== 8 * length) throw badPartial(`fit partial: ${what} holds ${bytes.length} bytes, expected ${length} float64 values`);
  const out = new Float64Array(length);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

export interface FitShardRequest {
  temperature: number;
  target: Target;
  given: GivenStates;
  /** Whether the merge runs the config's KMC for the cost comparison (fit without --no-kmc). */
  kmc: boolean;
}

export async function runFitShard(configFile: string, config: KinosonConfig, request: FitShardRequest, shard: ShardSpec, options: LongCallOptions = {}): Promise<ShardPartial<FitPiece>> {
  checkShardableModels(config);
  const { temperature, target, given } = request;
  const trainingStates = given.training?.states ?? config.states.training;
  const range = fitShardRange(trainingStates, shard);
  const names = config.species.map((s) => s.name);
  const species = target.kind === 'tracer' ? target.species : target.channel;
  const index = names.indexOf(species);
  if (index < 0) throw Object.assign(new Error(`no species '${species}' in the configuration (${names.join(', ')})`), { code: 'IONFIELD_BAD_INPUT' });
  const spec = nativeSpec(config, temperature);
  spec.study = {
    target: target.kind === 'collective' ? 'collective' : index,
    sampling: config.sampling,
    trainingStates,
    validationStates: config.states.validation,
    ...(given.training ? { trainingOccupancy: given.training.occupancy } : {}),
    chains: config.states.chains,
    equilibrationSweeps: config.states.equilibrationSweeps,
    decorrelationSweeps: config.states.decorrelationSweeps,
    kinosonChannel: target.kind === 'tracer' ? 0 : index,
    firstLane: range.firstLane,
    lastLane: range.lastLane,
    models: config.models,
  };
  const report = stageReporter(options.onProgress, 'fit', 'models');
  const r = await withNativeCancel(options.signal, (token) => native().kinosonsFitSums(spec, (done, total) => report(done, total), token));
  if (r.firstState !== range.firstState || r.lastState !== range.lastState) throw new Error(`fit shard: the engine accumulated states ${r.firstState}–${r.lastState}, expected ${range.firstState}–${range.lastState}`);
  const piece: FitPiece = {
    schema: FIT_SUMS_SCHEMA,
    lanes: r.lanes,
    ...range,
    sites: r.sites,
    samplingSeconds: r.samplingSeconds,
    models: r.models.map((m) => ({
      name: m.name,
      accumulateSeconds: m.accumulateSeconds,
      lanes: m.lanes.map((q, k) => ({
        lane: range.firstLane + k,
        functions: q.functions,
        channels: q.channels,
        states: q.states,
        transitions: q.transitions,
        norm: q.norm,
        encoding: 'float64le-base64' as const,
        A: encode(q.A),
        B: encode(q.B),
        C: encode(q.C),
        correctorSolves: q.correctorSolves,
        correctorIterations: q.correctorIterations,
        correctorSeconds: q.correctorSeconds,
      })),
    })),
  };
  // The config travels as written (as the other kinosons partials carry it); the state files are
  // inputs (fingerprinted: shards of other states are refused), the validation file by its path too,
  // since the merge runs the validation.
  const raw = JSON.parse(fs.readFileSync(configFile, 'utf8')) as unknown;
  const inputs: InputFingerprint[] = [fingerprint(configFile)];
  if (given.training) inputs.push(fingerprint(given.training.file));
  if (given.validation) inputs.push(fingerprint(given.validation.file));
  return newShardPartial(
    FIT_COMMAND,
    inputs,
    {
      temperature,
      target,
      config: raw,
      trainingStates,
      training: given.training ? 'file' : 'sampled',
      validation: given.validation ? inputs[inputs.length - 1].path : 'sampled',
      kmc: request.kmc,
    },
    shard,
    piece,
  );
}

/** The single run's `fit --json` from every shard's sums: the validation (and the KMC comparison unless --no-kmc) run here. */
export async function mergeFitPieces(partial: ShardPartial, options: LongCallOptions = {}): Promise<FitResult & { comparison?: CostComparison }> {
  const o = partial.options;
  const config = validateConfig(o.config, "the partial's config");
  const temperature = o.temperature as number;
  const target = o.target as Target;
  const trainingStates = o.trainingStates as number;
  const pieces = [...(partial.pieces as FitPiece[])].sort((a, b) => a.firstLane - b.firstLane);
  for (const p of pieces) if (p.schema !== FIT_SUMS_SCHEMA) throw badPartial(`fit partial: expected pieces of schema ${FIT_SUMS_SCHEMA}, got ${JSON.stringify(p.schema)}`);
  const lanes = pieces[0].lanes;
  if (lanes !== native().kinosonsFitLanes) throw badPartial(`fit partial: written with ${lanes} accumulation lanes, this ionfield uses ${native().kinosonsFitLanes}`);
  pieces.forEach((p, k) => {
    const expected = k === 0 ? 0 : pieces[k - 1].lastLane;
    if (p.firstLane !== expected) throw badPartial(`fit shards do not tile the accumulation lanes: a shard starts at lane ${p.firstLane}, expected ${expected}`);
  });
  if (pieces[pieces.length - 1].lastLane !== lanes) throw badPartial(`fit shards hold lanes up to ${pieces[pieces.length - 1].lastLane} of ${lanes}`);
  const expectedNames = ['uncorrelated', ...config.models.map((m) => m.name)];
  const perModel: NativeFitLane[][] = expectedNames.map(() => []);
  const accumulateSeconds = expectedNames.map(() => 0);
  for (const p of pieces) {
    const names = p.models.map((m) => m.name);
    if (names.join('\u0000') !== expectedNames.join('\u0000')) throw badPartial(`fit shard ${p.firstLane}: models ${names.join(', ')}, the config has ${expectedNames.join(', ')}`);
    p.models.forEach((m, i) => {
      accumulateSeconds[i] += m.accumulateSeconds;
      for (const q of m.lanes) {
        if (q.encoding !== 'float64le-base64') throw badPartial(`fit partial: unknown encoding '${q.encoding}'`);
        perModel[i].push({
          functions: q.functions,
          channels: q.channels,
          states: q.states,
          transitions: q.transitions,
          norm: q.norm,
          A: decode(q.A, q.functions * q.functions, `model ${m.name} lane ${q.lane} A`),
          B: decode(q.B, q.functions * q.channels, `model ${m.name} lane ${q.lane} B`),
          C: decode(q.C, q.channels * q.channels, `model ${m.name} lane ${q.lane} C`),
          correctorSolves: q.correctorSolves,
          correctorIterations: q.correctorIterations,
          correctorSeconds: q.correctorSeconds,
        });
      }
    });
  }
  const held = perModel[0].reduce((a, q) => a + q.states, 0);
  if (held !== trainingStates) throw badPartial(`fit shards hold ${held} of the ${trainingStates} training states`);
  const given: GivenStates = {};
  if (o.validation !== 'sampled') {
    // The merge runs the validation on the file the shards named: it must be the same bytes.
    const file = o.validation as string;
    const recorded = partial.inputs.find((input) => input.path === file);
    const now = fingerprint(file);
    if (recorded && (recorded.sha256 !== now.sha256 || recorded.bytes !== now.bytes))
      throw badPartial(`the validation states ${file} changed since the shards ran (sha256 ${recorded.sha256.slice(0, 12)}… then, ${now.sha256.slice(0, 12)}… now)`);
    given.validation = loadStates(file, config, temperature);
  }
  const sampled = o.training === 'sampled';
  const pieceSampling = pieces.reduce((a, p) => a + p.samplingSeconds, 0);
  const r = await runFit(config, temperature, target, { ...options, given, sums: { lanes: perModel, trainingStates, sampled, samplingSeconds: pieceSampling, accumulateSeconds } });
  if (!o.kmc) return r;
  const comparison = compareCosts(r, await runKmc(config, temperature));
  return { ...r, comparison };
}
