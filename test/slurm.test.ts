// `ionfield slurm` through a real Slurm: scripts/slurm/local-cluster.sh installs slurm-wlm and munge
// from Debian (as root) and starts a one-node cluster on loopback; a 4-shard transport of a family
// trajectory, a 4-shard predict of the demo, a 4-shard KMC and a 2-row trajectory table (2 shards a row) go
// through sbatch (job array + merge job) and must merge to the single-process results; a cancelled array task is resubmitted by `slurm resume` alone. Skips,
// saying why, where Slurm cannot be installed or started. The local executor and --dry-run need
// no Slurm and always run.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot, tempDir } from './helpers/paths';
import { worstDifference } from './helpers/compare';

const family = path.join(repoRoot, 'data', 'family', 'a11-lb2-rho0.05');
const transportArgs = ['transport', `${family}.xtc`, '--topology', `${family}.topology.json`, '--units', 'lj', '--temperature', '1'];
const script = path.join(repoRoot, 'scripts', 'slurm', 'local-cluster.sh');

function cli(args: string[], env: NodeJS.ProcessEnv = {}): string {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'ionfield.js'), ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, IONFIELD_NO_PROGRESS: '1', ...env } });
  assert.equal(r.status, 0, `ionfield ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}


const withoutSeconds = (r: Record<string, unknown>) => ({ ...r, seconds: undefined, secondsFor1Percent: undefined, runs: (r.runs as { seconds: number }[]).map((x) => ({ ...x, seconds: undefined })) });

function kmcConfig(dir: string): string {
  const file = path.join(dir, 'kmc.json');
  fs.writeFileSync(file, JSON.stringify({
    lattice: 'fcc', supercell: 3, vacancies: 1, seed: 3, temperatures: [1000],
    species: [{ name: 'A', fraction: 0.5, e0: 0.7 }, { name: 'B', fraction: 0.5, e0: 0.85 }],
    kmc: { steps: 2000, trajectories: 8, equilibrationSweeps: 5 },
  }));
  return file;
}

async function waitFor(file: string, seconds: number): Promise<void> {
  for (let t = 0; t < seconds * 5 && !fs.existsSync(file); t++) await new Promise((r) => setTimeout(r, 200));
  assert.ok(fs.existsSync(file), `${file} did not appear within ${seconds} s`);
}

describe('ionfield slurm', function () {
  this.timeout(180_000);
  let single: Record<string, unknown>;
  before(() => {
    single = JSON.parse(cli([...transportArgs, '--json']));
  });

  it('--executor local --jobs 2 runs the shards as processes and merges them to the single run', () => {
    const dir = path.join(tempDir(), 'run');
    cli(['slurm', ...transportArgs, '--shards', '3', '--executor', 'local', '--jobs', '2', '--dir', dir]);
    const merged = JSON.parse(fs.readFileSync(path.join(dir, 'result.json'), 'utf8'));
    assert.ok(worstDifference(single, merged) <= 1e-12);
    assert.match(cli(['slurm', 'status', dir]), /3 of 3 shards done; result:/);
    const st = JSON.parse(cli(['slurm', 'status', dir, '--json']));
    assert.deepEqual([st.schema, st.done, st.missing, st.result], ['ionfield.slurm-status/2', [0, 1, 2], [], path.join(dir, 'result.json')]);
  });

  it('--dry-run writes the job-array and merge scripts with the #SBATCH options, and submits nothing', () => {
    const dir = path.join(tempDir(), 'run');
    const out = cli(['slurm', ...transportArgs, '--shards', '4', '--partition', 'short', '--time', '00:10:00', '--cpus-per-task', '2', '--account', 'proj', '--dry-run', '--dir', dir]);
    assert.match(out, /sbatch --parsable .*shard\.sh/);
    assert.match(out, /--dependency=afterok:/);
    const shard = fs.readFileSync(path.join(dir, 'shard.sh'), 'utf8');
    for (const line of ['#SBATCH --array=0-3', '#SBATCH --partition=short', '#SBATCH --time=00:10:00', '#SBATCH --cpus-per-task=2', '#SBATCH --account=proj'])
      assert.ok(shard.includes(line), `shard.sh lacks ${line}`);
    assert.match(shard, /--shard "\$i\/4"/);
    assert.match(fs.readFileSync(path.join(dir, 'merge.sh'), 'utf8'), /slurm collect/);
    assert.ok(!fs.existsSync(path.join(dir, 'partials', 'shard-0.json')));
  });

  describe('through sbatch on a one-node local cluster', () => {
    let clusterDir = '';
    let env: NodeJS.ProcessEnv = {};
    before(function () {
      this.timeout(150_000);
      clusterDir = tempDir('ionfield-slurm-');
      // Ports of our own, so that a cluster someone else started on this machine is left alone.
      const port = 20000 + (process.pid % 20000) * 2;
      const r = spawnSync('bash', [script, 'start', clusterDir], { encoding: 'utf8', timeout: 140_000, env: { ...process.env, IONFIELD_SLURMCTLD_PORT: String(port), IONFIELD_SLURMD_PORT: String(port + 1) } });
      if (r.status !== 0) {
        console.log(`      skipped: ${(r.stderr || `local-cluster.sh exited ${r.status}`).trim().split('\n').pop()}`);
        this.skip();
      }
      env = { SLURM_CONF: path.join(clusterDir, 'slurm.conf') };
    });
    after(() => {
      if (clusterDir) spawnSync('bash', [script, 'stop', clusterDir], { timeout: 30_000 });
    });

    it('a 4-shard transport, a 4-shard predict and a 4-shard KMC through sbatch merge to the single-process results', async () => {
      const dir = tempDir();
      const config = kmcConfig(dir);
      const kmcSingle = withoutSeconds(JSON.parse(cli(['kinosons', 'kmc', '--config', config, '--json'])));
      const demo = path.join(repoRoot, 'data', 'demo', 'electrolyte.lammpstrj.gz');
      const predictArgs = ['predict', demo, '--stop', '400'];
      const timing = (r: Record<string, unknown>) => ({ ...r, seconds: undefined, stages: undefined, ionsFramesPerSecond: undefined, field: undefined });
      const predictSingle = timing(JSON.parse(cli([...predictArgs, '--out', path.join(dir, 'single.npy'), '--json'])));
      cli(['slurm', ...predictArgs, '--out', path.join(dir, 'merged.npy'), '--shards', '4', '--dir', path.join(dir, 'p')], env);
      const t = cli(['slurm', ...transportArgs, '--shards', '4', '--time', '5', '--dir', path.join(dir, 't')], env);
      assert.match(t, /submitted job array \d+ \(shards 0,1,2,3 of 4\) and merge job \d+/);
      cli(['slurm', 'kinosons', 'kmc', '--config', config, '--shards', '4', '--dir', path.join(dir, 'k')], env);
      await waitFor(path.join(dir, 't', 'result.json'), 60);
      await waitFor(path.join(dir, 'k', 'result.json'), 60);
      await waitFor(path.join(dir, 'p', 'result.json'), 60);
      assert.ok(fs.readFileSync(path.join(dir, 'single.npy')).equals(fs.readFileSync(path.join(dir, 'merged.npy'))), 'the merged field differs');
      assert.ok(worstDifference(predictSingle, timing(JSON.parse(fs.readFileSync(path.join(dir, 'p', 'result.json'), 'utf8')))) <= 1e-12);
      assert.ok(worstDifference(single, JSON.parse(fs.readFileSync(path.join(dir, 't', 'result.json'), 'utf8'))) <= 1e-12);
      assert.deepEqual(withoutSeconds(JSON.parse(fs.readFileSync(path.join(dir, 'k', 'result.json'), 'utf8'))), kmcSingle);
    });

    it('a trajectory table (2 rows × 2 shards) through sbatch merges to the single-process table', async () => {
      const dir = tempDir();
      const rows = ['a11-lb2-rho0.05', 'a11-lb2-rho0.1'].map((n) => path.join(repoRoot, 'data', 'family', `${n}.xtc`));
      const args = ['transport', '--table', ...rows, '--units', 'lj', '--temperature', '1'];
      const table = JSON.parse(cli([...args, '--json']));
      const out = cli(['slurm', ...args, '--shards', '2', '--dir', path.join(dir, 'tt')], env);
      assert.match(out, /submitted job array \d+ \(shards 0,1,2,3 of 4\) and merge job \d+/);
      await waitFor(path.join(dir, 'tt', 'result.json'), 90);
      const merged = JSON.parse(fs.readFileSync(path.join(dir, 'tt', 'result.json'), 'utf8'));
      assert.equal(merged.schema, 'ionfield.trajectory-table/1');
      assert.ok(worstDifference(table, merged) <= 1e-12);
    });

    it('resume resubmits only a cancelled array task, and the merge then completes', async () => {
      const dir = path.join(tempDir(), 'run');
      const slurm = (args: string[]) => spawnSync(args[0], args.slice(1), { encoding: 'utf8', env: { ...process.env, ...env } });
      // Hold the partition so the task can be cancelled before it runs.
      slurm(['scontrol', 'update', 'PartitionName=debug', 'State=DOWN']);
      let array = '';
      try {
        const out = cli(['slurm', ...transportArgs, '--shards', '4', '--dir', dir], env);
        array = /job array (\d+)/.exec(out)![1];
        assert.equal(slurm(['scancel', `${array}_2`]).status, 0);
      } finally {
        slurm(['scontrol', 'update', 'PartitionName=debug', 'State=UP']);
      }
      const others = [0, 1, 3].map((i) => path.join(dir, 'partials', `shard-${i}.json`));
      for (const f of others) await waitFor(f, 60);
      const before = others.map((f) => fs.statSync(f).mtimeMs);
      assert.match(cli(['slurm', 'status', dir], env), /3 of 4 shards done[\s\S]*shard 2: /);
      assert.match(cli(['slurm', 'resume', dir], env), /shards 2 of 4/);
      await waitFor(path.join(dir, 'result.json'), 60);
      assert.deepEqual(others.map((f) => fs.statSync(f).mtimeMs), before, 'finished shards were not redone');
      assert.ok(worstDifference(single, JSON.parse(fs.readFileSync(path.join(dir, 'result.json'), 'utf8'))) <= 1e-12);
    });
  });
});
