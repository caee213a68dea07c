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
});
