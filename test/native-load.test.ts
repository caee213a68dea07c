// Which addon loads, and what the user is told when the shipped prebuild does not fit this machine
// (lib/native-load.ts). Package folders are faked in temporary directories.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildFromSourceHint, findPrebuild, PrebuildManifest, requirePrebuild } from '../lib/native-load';
import { tempDir } from './helpers/paths';

const glibc = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime;

/** A package folder with a prebuild manifest (and no binary) for this platform. */
function fakePackage(manifest: Partial<PrebuildManifest> | null, checkout = false): string {
  const root = tempDir('ionfield-load-');
  fs.writeFileSync(path.join(root, 'package.json'), '{"name":"ionfield"}');
  if (checkout) fs.mkdirSync(path.join(root, 'native', 'tests'), { recursive: true });
  if (manifest) {
    const dir = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'ionfield.json'), JSON.stringify({ file: 'ionfield.napi.glibc.node', glibc: '2.17', needs: ['libgomp.so.1'], ...manifest }));
  }
  return root;
}

describe('native-load: choosing the prebuild and explaining a misfit', () => {
  it('no prebuild for this platform: says so', () => {
    const found = findPrebuild(fakePackage(null));
    assert.ok('problem' in found);
    assert.match(found.problem, /ships no prebuilt addon for .* \(only for linux-x64 with glibc\)/);
  });

  it('a prebuild that needs a newer glibc than this one: names both versions', function () {
    if (!glibc) this.skip();
    const found = findPrebuild(fakePackage({ glibc: '9.99' }));
    assert.ok('problem' in found);
    assert.equal(found.problem, `the prebuilt addon for ${process.platform}-${process.arch} needs glibc >= 9.99; this system has glibc ${glibc}`);
  });

  it('a prebuild that fits but does not load: says what it needs', function () {
    if (!glibc) this.skip();
    const root = fakePackage({ glibc: '2.17' });
    assert.throws(() => requirePrebuild(root), /does not load here .*needs glibc >= 2\.17, an x86-64 CPU and these libraries: libgomp\.so\.1/);
  });

  it('the build command offered: npm run build:native in a checkout, the rebuild line in a dependent project', () => {
    assert.match(buildFromSourceHint(fakePackage(null, true)), /^build it with 'npm run build:native'/);
    const root = fakePackage(null);
    assert.match(buildFromSourceHint(root), /'IONFIELD_BUILD_FROM_SOURCE=1 npm rebuild ionfield'/);
    assert.ok(buildFromSourceHint(root).includes(path.join(root, 'scripts', 'build-native.js')));
  });
});
