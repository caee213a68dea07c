// Where tests find the package, its build and its fixtures.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..', '..');
export const buildDir = path.join(repoRoot, process.env.IONFIELD_BUILD_DIR ?? 'build');
export const fixturesDir = path.join(repoRoot, 'test', 'fixtures');
export const cliPath = path.join(repoRoot, 'bin', 'ionfield.js');

const tempDirs: string[] = [];

/** A fresh temporary folder, removed when the process exits (one exit handler for all of them). */
export function tempDir(prefix = 'ionfield-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  if (tempDirs.length === 0) process.on('exit', () => tempDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  tempDirs.push(dir);
  return dir;
}
