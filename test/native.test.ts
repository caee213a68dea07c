// Runs every native unit-test executable (native/tests/test_*.cpp → build/native-tests/).
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildDir, repoRoot } from './helpers/paths';

describe('native unit tests (C++)', () => {
  const sources = fs.readdirSync(path.join(repoRoot, 'native', 'tests')).filter((f) => /^test_.*\.cpp$/.test(f));
  it('every native test source has a built executable', () => {
    assert.ok(sources.length > 0);
    for (const s of sources) assert.ok(fs.existsSync(path.join(buildDir, 'native-tests', s.replace(/\.cpp$/, ''))), `${s} not built`);
  });
  for (const source of sources) {
    const name = source.replace(/\.cpp$/, '');
    it(name, function () {
      this.timeout(600_000);
      const r = spawnSync(path.join(buildDir, 'native-tests', name), [], { encoding: 'utf8', cwd: repoRoot });
      assert.equal(r.status, 0, `${name} failed:\n${r.stdout}\n${r.stderr}`);
    });
  }
});
