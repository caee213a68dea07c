// Runs every per-field analysis and writes the results (JSON summary + .npy curves).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { classifyClusters, ClusterResult } from './clusters';
import { distributions, SpeciesDistribution } from './distribution';
import { checkField, Field } from './field';
import { FieldFrames, isField } from './frames';
import { writeAtomic, writeNpy } from './npy';
import { pairCutoff, pairStructure, StructureOptions, StructureResult } from './structure';
import { stageReporter } from '../progress';

export interface AnalysisResult {
  schema: 'ionfield.analysis/2';
  provenance: Record<string, unknown>;
  frames: number;
  ions: number;
  units: { field: string; length: string };
  distributions: SpeciesDistribution[];
  structure: StructureResult;
  clusters: ClusterResult | null;
  warnings: string[];
}

export interface AnalyzeOptions extends StructureOptions {
  /** Contact-pair cutoff (length units); default: first minimum of g_{+-}(r). */
  pairCutoff?: number;
  fieldUnits?: string;
  lengthUnits?: string;
}

/** Runs every analysis on a field in memory (Field) or read in chunks from disk (openField). */
export async function analyzeField(field: Field | FieldFrames, options: AnalyzeOptions = {}): Promise<AnalysisResult> {
  if (isField(field)) checkField(field);
  options.signal?.throwIfAborted();
  const dist = distributions(field, { blocks: options.blocks });
  stageReporter(options.onProgress, 'distributions', 'frames', field.frames)(field.frames);
  const structure = await pairStructure(field, options);
  return assembleAnalysis(field, dist, structure, (cutoff, source) => classifyClusters(field, cutoff, source, { blocks: options.blocks, signal: options.signal, onProgress: options.onProgress }), options);
}

/**
 * The result from the distributions and the pair structure: the contact-pair cutoff (the user's,
 * else from g_{+-}(r)), the ion-pair classification at it (`clusters`: computed here, or merged
 * from shards that were given the cutoff) and the warnings. Shared by the single run and the merge
 * of `analyze --shard` runs (lib/analysis/shard.ts).
 */
export async function assembleAnalysis(field: Pick<Field, 'species' | 'charges' | 'frames' | 'natoms' | 'provenance'>, dist: SpeciesDistribution[], structure: StructureResult, clustersAt: (cutoff: number, source: string) => Promise<ClusterResult>, options: AnalyzeOptions): Promise<AnalysisResult> {
  const warnings: string[] = [];
  let clusters: ClusterResult | null = null;
  const signOf = new Map<string, number>();
  field.species.forEach((s, i) => signOf.set(s, Math.sign(field.charges[i])));
  const plusMinus = structure.curves.find((c) => signOf.get(c.a)! * signOf.get(c.b)! < 0);
  let cutoff = options.pairCutoff ?? null;
  let source = 'user (--pair-cutoff)';
  if (cutoff === null && plusMinus) {
    const found = pairCutoff(plusMinus.r, plusMinus.g);
    cutoff = found?.r ?? null;
    const g = `g_${plusMinus.a}${plusMinus.b}(r)`;
    source = found?.rule === 'first minimum' ? `first minimum of ${g}` : `end of the contact peak of ${g} (it has no minimum below 0.98)`;
    if (found?.rule === 'end of contact peak')
      warnings.push(`${g} has no depleted first minimum (weak pairing): the pair cutoff is where its contact peak has decayed to 10 % of its height above 1; pass --pair-cutoff to choose`);
    if (cutoff === null) warnings.push(`${g} has no contact peak above 1 below rMax = ${structure.rMax.toPrecision(4)}; pass --pair-cutoff to classify ion pairs`);
  }
  if (!plusMinus) warnings.push('no pair of oppositely charged species: ion-pair classification skipped');
  if (cutoff !== null && plusMinus) {
    clusters = await clustersAt(cutoff, source);
    if (clusters.largestClusterFraction > 0.5)
      warnings.push(`contacts within ${cutoff.toPrecision(3)} percolate: the largest cluster holds ${(100 * clusters.largestClusterFraction).toFixed(0)} % of the ions on average, so "free / pair / cluster" says little here; see λ by number of counter-ions`);
  }
  return {
    schema: 'ionfield.analysis/2',
    provenance: field.provenance ?? {},
    frames: field.frames,
    ions: field.natoms,
    units: { field: options.fieldUnits ?? 'as in the field file', length: options.lengthUnits ?? 'trajectory length unit' },
    distributions: dist,
    structure,
    clusters,
    warnings,
  };
}

/** Writes analysis.json and the curves as .npy (r, g, coordination, correlation per pair) into dir. */
export function writeAnalysis(result: AnalysisResult, dir: string): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const c of result.structure.curves) {
    const name = `pair_${c.a}_${c.b}.npy`;
    const rows = [c.r, c.g, c.gError.map((v) => v ?? NaN), c.coordination, c.correlation.map((v) => v ?? NaN), c.correlationError.map((v) => v ?? NaN)];
    const data = new Float64Array(rows.length * c.r.length);
    rows.forEach((row, k) => data.set(row, k * c.r.length));
    writeNpy(path.join(dir, name), { shape: [rows.length, c.r.length], data });
    written.push(name);
  }
  writeAtomic(path.join(dir, 'analysis.json'), JSON.stringify(result, null, 1) + '\n');
  written.push('analysis.json');
  return written;
}
