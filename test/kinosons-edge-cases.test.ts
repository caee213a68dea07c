// Unusual but valid kinoson studies through the real CLI: each case once broke the command (a
// crash, a hang, NaN or null where a number belongs), so each is run exactly as a user would.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli } from './helpers/cli';
import { fixturesDir, tempDir } from './helpers/paths';

describe('kinosons: edge cases through the CLI', function () {
  this.timeout(120_000);

  it('report on a pure lattice (every kinoson equal) writes its plots', () => {
    // One species and one vacancy in simple cubic: all jumps are alike, the log κ density has a
    // zero-width range, and drawing its axis once looped until V8 aborted (exit 133).
    const dir = tempDir();
    const r = runCli(['kinosons', 'report', '--config', path.join(fixturesDir, 'kinosons', 'pure-sc-two-temperatures.json'), '--out-dir', dir, '--json'], { timeoutMs: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.deepEqual(report.files, ['kinosons-log-density.svg', 'kinosons-cumulative.svg', 'kinosons-D-of-T.svg']);
    for (const f of report.files) assert.match(fs.readFileSync(path.join(dir, f), 'utf8'), /<\/svg>\n$/);
  });

  // A study that would run for hours: a bad output path must be reported before it starts.
  const long = (dir: string) => {
    const f = path.join(dir, 'long.json');
    fs.writeFileSync(f, JSON.stringify({ lattice: 'fcc', supercell: 4, species: [{ name: 'A', fraction: 1 }], kmc: { steps: 1e12, trajectories: 4 } }));
    return f;
  };

  it('checks --out and --out-dir before the work, not after it', () => {
    const dir = tempDir();
    const config = long(dir);
    const missing = path.join(dir, 'no-such-folder', 'kmc.json');
    let r = runCli(['kinosons', 'kmc', '--config', config, '--out', missing, '--json'], { timeoutMs: 20_000 });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /no-such-folder.*does not exist/);
    r = runCli(['kinosons', 'kmc', '--config', config, '--out', dir], { timeoutMs: 20_000 });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /is a folder/);
    r = runCli(['kinosons', 'report', '--config', config, '--out-dir', config], { timeoutMs: 20_000 });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /long\.json.*not a folder/);
    assert.doesNotMatch(r.stderr, /error: E[A-Z]+/);
  });

  it('a rate that underflows is refused naming the config file', () => {
    const dir = tempDir();
    const cold = path.join(dir, 'cold.json');
    fs.writeFileSync(cold, JSON.stringify({ lattice: 'bcc', supercell: 3, species: [{ name: 'A', fraction: 1, e0: 1.5 }], temperatures: [20], kmc: { steps: 100, trajectories: 2 } }));
    const r = runCli(['kinosons', 'kmc', '--config', cold, '--json']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /cold\.json: at T = 20 K every exit rate of a state underflows/);
    assert.equal(r.stdout, '');
  });

  it('refuses states written for the species in another order', () => {
    // Same counts, names swapped: the codes 0 and 1 would silently mean the other species.
    const dir = tempDir();
    const ab = path.join(dir, 'ab.json'), ba = path.join(dir, 'ba.json'), states = path.join(dir, 'states.npy');
    const species = (x: string, y: string) => [{ name: x, count: 53 }, { name: y, count: 54 }];
    fs.writeFileSync(ab, JSON.stringify({ lattice: 'fcc', supercell: 3, species: species('A', 'B'), states: { training: 4, validation: 4 } }));
    fs.writeFileSync(ba, JSON.stringify({ lattice: 'fcc', supercell: 3, species: species('B', 'A'), states: { training: 4, validation: 4 } }));
    assert.equal(runCli(['kinosons', 'generate', '--config', ab, '--states', '4', '--out', states]).status, 0);
    const r = runCli(['kinosons', 'fit', '--config', ba, '--training', states]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /states\.npy: written for species A, B \(.*states\.npy\.json\); the config has B, A/);
  });

  it('refuses states whose description belongs to another run (checksum), and installs the pair together', () => {
    const dir = tempDir();
    const ab = path.join(dir, 'ab.json'), states = path.join(dir, 'states.npy');
    fs.writeFileSync(ab, JSON.stringify({ lattice: 'fcc', supercell: 3, species: [{ name: 'A', count: 53 }, { name: 'B', count: 54 }], states: { training: 4, validation: 4 } }));
    assert.equal(runCli(['kinosons', 'generate', '--config', ab, '--states', '4', '--out', states]).status, 0);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['ab.json', 'states.npy', 'states.npy.json'], 'no temporary or lock left');
    assert.match((JSON.parse(fs.readFileSync(`${states}.json`, 'utf8')) as { dataSha256: string }).dataSha256, /^[0-9a-f]{64}$/);
    // Swap two sites of state 0 (same composition, so every count check passes).
    const b = fs.readFileSync(states);
    const start = b.length - 4 * 108;
    const j = b.subarray(start, start + 108).findIndex((v) => v !== b[start]);
    [b[start], b[start + j]] = [b[start + j], b[start]];
    fs.writeFileSync(states, b);
    const r = runCli(['kinosons', 'fit', '--config', ab, '--training', states]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /states\.npy: its states do not match .*states\.npy\.json \(data checksum differs\)/);
  });

  it('bounds integer options and says what it expected', () => {
    const r = runCli(['kinosons', 'correlation-factor', '--supercell', '3', '--trajectories', '1e9']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--trajectories: expected an integer from 2 to 1000000, got '1e9'/);
    assert.match(runCli(['kinosons', 'correlation-factor', '--seed', '1e20']).stderr, /--seed: expected an integer from 0 to/);
    assert.match(runCli(['kinosons', 'kmc', '--config', 'x.json', '--temperature=-5']).stderr, /--temperature: expected a temperature in K \(> 0\), got '-5'/);
  });

  it('a species that never moves in a short KMC run: D = 0, no Infinity in the text, null (documented) in JSON', () => {
    const dir = tempDir();
    const still = path.join(dir, 'still.json');
    fs.writeFileSync(still, JSON.stringify({ lattice: 'fcc', supercell: 3, species: [{ name: 'A', count: 106 }, { name: 'W', count: 1, nu: 1e-9 }], kmc: { steps: 200, trajectories: 2 } }));
    const text = runCli(['kinosons', 'kmc', '--config', still]);
    assert.equal(text.status, 0, text.stderr);
    assert.doesNotMatch(text.stdout, /Infinity|NaN/);
    assert.match(text.stdout, /W .*did not move in this run/);
    const json = JSON.parse(runCli(['kinosons', 'kmc', '--config', still, '--json']).stdout);
    assert.equal(json.tracer.W.mean, 0);
    assert.equal(json.jumpsFor1Percent.W, null);
    assert.ok(json.jumpsFor1Percent.A > 0);
  });

  it('report where one species does not move at the lowest temperature: D(T) models from the others, no null', () => {
    // A at 20 K: E0/kT = 870, its rate underflows (B's does not), so D_A(20 K) = 0 exactly.
    const dir = tempDir();
    const config = path.join(dir, 'cold.json');
    fs.writeFileSync(config, JSON.stringify({ supercell: 3, species: [{ name: 'A', fraction: 0.5, e0: 1.5 }, { name: 'B', fraction: 0.5, e0: 1.2 }], temperatures: [20, 40, 60], kmc: { steps: 1000, trajectories: 4 }, states: { training: 20, validation: 20 } }));
    const r = runCli(['kinosons', 'report', '--config', config, '--out-dir', path.join(dir, 'out'), '--json']);
    assert.equal(r.status, 0, r.stderr);
    const models = JSON.parse(r.stdout).models;
    assert.deepEqual(models.A.from, [40, 60]);
    assert.deepEqual(models.B.from, [20, 40, 60]);
    for (const s of ['A', 'B']) assert.ok(Number.isFinite(models[s].arrhenius.Q) && models[s].arrhenius.predicted.every(Number.isFinite), JSON.stringify(models[s].arrhenius));
  });

  it('refuses an option that the subcommand does not use instead of ignoring it', () => {
    // 'kmc --supercell 6' used to run the config's supercell and say nothing.
    const config = path.join(fixturesDir, 'kinosons', 'binary-small.json');
    let r = runCli(['kinosons', 'kmc', '--config', config, '--supercell', '6', '--json']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--supercell does not apply to 'kinosons kmc' \(it takes --config, --temperature, --out, --shard, --json\)/);
    r = runCli(['kinosons', 'correlation-factor', '--config', config, '--supercell', '3', '--steps', '100']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--config does not apply to 'kinosons correlation-factor'/);
    assert.equal(runCli(['kinosons', 'fit', '--config', config, '--steps', '10']).status, 2);
    assert.equal(runCli(['kinosons', 'generate', '--config', config, '--out', 'x.npy', '--resume']).status, 2);
  });
});
