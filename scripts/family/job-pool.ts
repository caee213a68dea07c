// Runs LAMMPS jobs a few at a time for generate.ts and extend.ts: workers take the next job in
// order; Ctrl-C or a batch scheduler's SIGTERM stops the LAMMPS children too, keeping what finished.
import { spawn, ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The LAMMPS children running now (a job adds its child, and removes it when it exits). */
export const running = new Set<ChildProcess>();

/** Runs `work` on every job, `jobs` at a time; sets a failing exit code if any failed. */
export async function runJobs<T>(todo: T[], jobs: number, describe: (job: T) => string, work: (job: T) => Promise<void>): Promise<void> {
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.on(signal, () => {
      for (const c of running) c.kill('SIGTERM');
      console.error(`\n${signal}: finished runs are kept; rerun to continue`);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  let next = 0;
  let failures = 0;
  const worker = async () => {
    while (next < todo.length) {
      const job = todo[next++];
      const t0 = Date.now();
      console.log(`[start] ${describe(job)}`);
      try {
        await work(job);
        console.log(`[done]  ${describe(job)} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
      } catch (err) {
        failures++;
        console.error(`[fail]  ${(err as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, jobs) }, worker));
  if (failures) process.exitCode = 1;
}

/** One LAMMPS run of electrolyte.in in `dir` (niced: IONFIELD_NICE, default 10); resolves when it exits 0. */
export function runLammps(name: string, dir: string, vars: Record<string, string | number>): Promise<void> {
  const args = ['-in', path.join(__dirname, 'electrolyte.in'), '-log', 'log.lammps', '-screen', 'none', '-nocite'];
  for (const [k, v] of Object.entries(vars)) args.push('-var', k, String(v));
  return new Promise((resolve, reject) => {
    const child = spawn('nice', ['-n', process.env.IONFIELD_NICE ?? '10', 'lmp', ...args], { cwd: dir, stdio: 'ignore' });
    running.add(child);
    child.on('exit', (code, signal) => {
      running.delete(child);
      if (code !== 0) reject(new Error(`${name}: LAMMPS exited ${code ?? signal}; see ${path.join(dir, 'log.lammps')}`));
      else resolve();
    });
  });
}

/** The production rate LAMMPS reported last in `log` (its "timesteps/s"). */
export function lastRate(logFile: string): number | null {
  const rates = [...fs.readFileSync(logFile, 'utf8').matchAll(/([0-9.]+) timesteps\/s/g)].map((m) => Number(m[1]));
  return rates.length ? rates[rates.length - 1] : null;
}
