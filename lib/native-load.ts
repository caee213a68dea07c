// Finds the native addon and checks that it fits this machine, in the node-gyp-build order:
//   1. IONFIELD_ADDON (an explicit path),
//   2. a build from source: <package>/build/Release/ionfield.node (IONFIELD_BUILD_DIR overrides build/),
//   3. the prebuild shipped in the package: <package>/prebuilds/<platform>-<arch>/ionfield.napi.glibc.node,
//      described by ionfield.json beside it (made by scripts/prebuild.js at `npm pack`).
// Plain Node, no other module of lib/: scripts/install.js uses it to decide whether to compile.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** What scripts/prebuild.js records about the binary it made. */
export interface PrebuildManifest {
  file: string;
  platform: string;
  arch: string;
  libc: 'glibc';
  /** Oldest glibc the binary runs on (its newest GLIBC_x.y symbol version). */
  glibc: string;
  cpu: string;
  napi: number;
  /** Shared libraries it links (readelf NEEDED). */
  needs: string[];
  cuda: { toolkit: string; architectures: string; runtime: string } | null;
}

const TOOLS = 'needs cmake >= 3.18, make, a C++17 compiler and zlib headers: Debian/Ubuntu apt-get install cmake g++ make zlib1g-dev';

/** The exact command that compiles the addon: in a checkout of the repository (it has the native
 * test sources), or in a project that depends on ionfield (the package ships no tests). */
export function buildFromSourceHint(root = packageRoot()): string {
  if (fs.existsSync(path.join(root, 'native', 'tests'))) return `build it with 'npm run build:native' (${TOOLS})`;
  return `build it from source with 'IONFIELD_BUILD_FROM_SOURCE=1 npm rebuild ionfield' ` +
    `(or 'node ${path.join(root, 'scripts', 'build-native.js')}'; ${TOOLS})`;
}

let rootCache: string | undefined;

/** The package root: the nearest folder above this file whose package.json is ionfield's. */
export function packageRoot(): string {
  if (rootCache) return rootCache;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file) && (JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string }).name === 'ionfield') return (rootCache = dir);
    if (path.dirname(dir) === dir) throw new Error(`ionfield: cannot find the package root above ${__dirname}`);
  }
}

export function prebuildDir(root = packageRoot()): string {
  return path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);
}

export function readPrebuildManifest(root = packageRoot()): PrebuildManifest | null {
  const file = path.join(prebuildDir(root), 'ionfield.json');
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as PrebuildManifest) : null;
}

function versionAtLeast(have: string, need: string): boolean {
  const a = have.split('.').map(Number);
  const b = need.split('.').map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return true;
}

/** This process's glibc version, or undefined on musl and non-Linux systems. */
function glibcRuntime(): string | undefined {
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return report?.header?.glibcVersionRuntime;
}

/** The shipped prebuild's path when it fits this machine (glibc version, platform), else why not. */
export function findPrebuild(root = packageRoot()): { file: string; manifest: PrebuildManifest } | { problem: string } {
  const here = `${process.platform}-${process.arch}`;
  const manifest = readPrebuildManifest(root);
  if (!manifest) return { problem: `ionfield ships no prebuilt addon for ${here} (only for linux-x64 with glibc)` };
  const glibc = glibcRuntime();
  const needs = `the prebuilt addon for ${here} needs glibc >= ${manifest.glibc}`;
  if (!glibc) return { problem: `${needs}; this system has no glibc (musl?)` };
  if (!versionAtLeast(glibc, manifest.glibc)) return { problem: `${needs}; this system has glibc ${glibc}` };
  return { file: path.join(prebuildDir(root), manifest.file), manifest };
}

/** Loads the prebuild after checking it fits; the error says what is needed (without the hint). */
export function requirePrebuild(root = packageRoot()): unknown {
  const found = findPrebuild(root);
  if ('problem' in found) throw new Error(found.problem);
  try {
    return require(found.file);
  } catch (err) {
    throw new Error(`the prebuilt addon ${found.file} does not load here (${(err as Error).message.split('\n')[0]}); ` +
      `it needs glibc >= ${found.manifest.glibc}, an x86-64 CPU and these libraries: ${found.manifest.needs.join(', ')} ` +
      '(Debian/Ubuntu: libgomp1 zlib1g; RHEL: libgomp zlib)');
  }
}

/** A build from source, if there is one: the explicit IONFIELD_ADDON, else build/Release. */
export function builtAddonPath(root = packageRoot()): string | undefined {
  const candidates = [process.env.IONFIELD_ADDON, path.join(root, process.env.IONFIELD_BUILD_DIR ?? 'build', 'Release', 'ionfield.node')];
  return candidates.find((p): p is string => typeof p === 'string' && p.length > 0 && fs.existsSync(p));
}

/** The addon module: a build from source when there is one, else the shipped prebuild. */
export function loadAddon(): unknown {
  const root = packageRoot();
  const built = builtAddonPath(root);
  if (built) return require(built);
  try {
    return requirePrebuild(root);
  } catch (err) {
    throw new Error(`ionfield: ${(err as Error).message}, and there is no build from source; ${buildFromSourceHint(root)}`);
  }
}
