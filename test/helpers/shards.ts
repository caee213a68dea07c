// Running `--shard i/n` runs and merging their partials in random orders and groupings, for the
// shard tests of each command (test/shards.test.ts, test/dataset-shards.test.ts).
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { runCli } from './cli';

/** A small seeded generator, so that a failing split can be replayed (the seed is in the test name). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

export function cli(args: string[]): string {
  const r = runCli(args, { timeoutMs: 60_000 });
  assert.equal(r.status, 0, `ionfield ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Merges the shard files in a random order and random groups (merged partials merged again). */
export function mergeRandomly(files: string[], dir: string, random: () => number): string {
  let pool = [...files];
  let k = 0;
  while (pool.length > 1) {
    pool.sort(() => random() - 0.5);
    const take = 2 + Math.floor(random() * Math.min(2, pool.length - 1));
    const group = pool.splice(0, Math.min(take, pool.length));
    const out = path.join(dir, `group-${k++}.json`);
    cli(['merge', ...group, '--out', out, '--partial']);
    pool.push(out);
  }
  const result = path.join(dir, 'result.json');
  cli(['merge', pool[0], '--out', result]);
  return result;
}

/** Runs shards 0..n-1; partialOption: the option naming the partial (--partial where --out is the command's own output). */
export function runShards(command: string[], n: number, dir: string, tag: string, partialOption = '--out'): string[] {
  return Array.from({ length: n }, (_, i) => {
    const out = path.join(dir, `${tag}-${i}.json`);
    cli([...command, '--shard', `${i}/${n}`, partialOption, out]);
    return out;
  });
}
