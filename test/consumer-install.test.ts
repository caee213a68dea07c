// ionfield as a dependency, the way a user gets it: `npm pack` (prepack makes the prebuild), a new
// project, `npm install <tgz>` with every compiler shadowed by a script that records being called
// and fails, then an ES-module program, a CommonJS program and `tsc --noEmit --strict` on a
// TypeScript one. The project's package.json has the allowScripts entries the README tells users
// to add (ionfield's own install step allowed, onnxruntime-node's CUDA download denied); npm names
// a tarball dependency by its resolved spec, file:<absolute path>, where a registry one is "ionfield".
// Skips, saying why, where the npm registry cannot be reached or the prebuild platform differs.
import { strict as assert } from 'node:assert';
import { spawnSync, SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot, tempDir } from './helpers/paths';

const COMPILERS = ['cc', 'c++', 'gcc', 'g++', 'clang', 'clang++', 'cmake', 'make', 'ninja', 'nvcc'];
const INSTALL_SECONDS = 30;
const TARBALL_MIB = 15;

/** The environment of a user's shell: without the npm_* variables of the `npm test` running us. */
function userEnv(extraPath: string[] = []): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'INIT_CWD'));
  env.PATH = [...extraPath, process.env.PATH ?? ''].join(path.delimiter);
  return env;
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutS = 600): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: timeoutS * 1000, maxBuffer: 64 << 20 });
}

function output(r: SpawnSyncReturns<string>): string {
  return `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}`;
}

/** A folder of scripts named like the compilers; each appends its name to `log` and exits 1. */
function shadowCompilers(dir: string, log: string): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const name of COMPILERS) {
    fs.writeFileSync(path.join(dir, name), `#!/bin/sh\necho "${name} $*" >> '${log}'\nexit 1\n`, { mode: 0o755 });
  }
}

describe('consumer install: npm pack, then npm install <tgz> in a new project without compilers', function () {
  this.timeout(120_000);
  const work = tempDir('ionfield-consumer-');
  const project = path.join(work, 'project');
  const shadow = path.join(work, 'no-compilers');
  const calls = path.join(work, 'compiler-calls.log');
  let tarball = '';

  before(function () {
    this.timeout(1_200_000); // a fresh prebuild compiles the core and CUDA kernels: minutes on 2 cores
    const glibc = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime;
    if (process.platform !== 'linux' || process.arch !== 'x64' || !glibc) {
      console.log(`      skipped: the prebuild is made on linux-x64 with glibc only (this is ${process.platform}-${process.arch})`);
      this.skip();
    }
    const ping = run('npm', ['ping'], work, userEnv(), 60);
    if (ping.status !== 0) {
      console.log(`      skipped: the npm registry cannot be reached (npm ping: ${output(ping).trim().split('\n').pop()})`);
      this.skip();
    }
    const pack = run('npm', ['pack', '--pack-destination', work], repoRoot, userEnv(), 1_150);
    assert.equal(pack.status, 0, `npm pack failed:\n${output(pack).slice(-4000)}`);
    tarball = path.join(work, fs.readdirSync(work).find((f) => /^ionfield-.*\.tgz$/.test(f))!);
    shadowCompilers(shadow, calls);
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({
      name: 'ionfield-consumer', version: '1.0.0', private: true, type: 'module',
      allowScripts: { [`file:${tarball}`]: true, 'onnxruntime-node': false, protobufjs: false },
    }, null, 2));
    for (const f of ['main.mjs', 'main.cjs', 'main.ts', 'tsconfig.json']) {
      fs.copyFileSync(path.join(repoRoot, 'test', 'fixtures', 'consumer', f), path.join(project, f));
    }
  });

  it(`the tarball is at most ${TARBALL_MIB} MiB, with the prebuild, dist/, the demo and the model, without the family data or tests`, () => {
    const mib = fs.statSync(tarball).size / 2 ** 20;
    assert.ok(mib <= TARBALL_MIB, `${path.basename(tarball)} is ${mib.toFixed(1)} MiB`);
    const list = run('tar', ['tzf', tarball], work, userEnv()).stdout.split('\n');
    for (const want of ['package/prebuilds/linux-x64/ionfield.napi.glibc.node', 'package/prebuilds/linux-x64/ionfield.json',
      'package/dist/lib/index.js', 'package/dist/lib/index.d.ts', 'package/data/models/default.onnx',
      'package/data/demo/electrolyte.lammpstrj.gz', 'package/CMakeLists.txt', 'package/scripts/build-native.js']) {
      assert.ok(list.includes(want), `${want} is not in the tarball`);
    }
    const unwanted = list.filter((f) => /^package\/(data\/family|native\/tests|native\/fuzz|test)\//.test(f) || f.endsWith('.map'));
    assert.deepEqual(unwanted.slice(0, 5), []);
  });

  it(`the shadowed compilers fail and are recorded (so the install check below means something)`, () => {
    const r = run('cc', ['--version'], work, userEnv([shadow]));
    assert.equal(r.status, 1);
    assert.match(fs.readFileSync(calls, 'utf8'), /^cc --version/);
    fs.rmSync(calls);
  });

  it(`npm install <tgz> succeeds in < ${INSTALL_SECONDS} s with no compiler called and no npm warning`, () => {
    const t0 = performance.now();
    const r = run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], project, userEnv([shadow]), 300);
    const seconds = (performance.now() - t0) / 1000;
    const out = output(r);
    console.log(`      npm install took ${seconds.toFixed(1)} s; tarball ${(fs.statSync(tarball).size / 2 ** 20).toFixed(1)} MiB`);
    assert.equal(r.status, 0, `npm install failed:\n${out.slice(-4000)}`);
    assert.equal(fs.existsSync(calls) ? fs.readFileSync(calls, 'utf8') : '', '', 'a compiler was called during the install');
    assert.doesNotMatch(out, /npm warn/i, out);
    assert.ok(!fs.existsSync(path.join(project, 'node_modules', 'ionfield', 'build')), 'the addon was compiled instead of using the prebuild');
    assert.ok(seconds < INSTALL_SECONDS, `npm install took ${seconds.toFixed(1)} s`);
  });

  function checkResult(r: SpawnSyncReturns<string>): Record<string, unknown> {
    assert.equal(r.status, 0, output(r).slice(-4000));
    const result = JSON.parse(r.stdout.trim().split('\n').pop()!) as { molarConductivity: { value: number; error: number }; lambdaMl: number; correlationFactor: number; cancelled: string; progressUnit: string };
    assert.equal(result.cancelled, 'AbortError', 'an aborted computeTransport rejects with an AbortError');
    assert.equal(result.progressUnit, 'frames');
    // The demo's Einstein–Helfand Λ is 0.93 ± 0.11 (README); f(fcc, 4 cells) is near 0.78.
    assert.ok(Math.abs(result.molarConductivity.value - 0.93) < 0.3, JSON.stringify(result));
    assert.ok(result.lambdaMl > 0.5 && result.lambdaMl < 2, JSON.stringify(result));
    assert.ok(Math.abs(result.correlationFactor - 0.78) < 0.05, JSON.stringify(result));
    return result;
  }

  it('an ES-module program: import { computeTransport, predictTrajectory, kinosons, ... } from "ionfield"', () => {
    checkResult(run(process.execPath, ['main.mjs'], project, userEnv([shadow])));
  });

  it('a CommonJS program: require("ionfield"), and the prebuild says whether it has CUDA kernels', () => {
    const result = checkResult(run(process.execPath, ['main.cjs'], project, userEnv([shadow])));
    const devices = result.devices as { builtWithCuda: boolean; gpus: unknown[]; note: string };
    const manifest = JSON.parse(fs.readFileSync(path.join(project, 'node_modules', 'ionfield', 'prebuilds', 'linux-x64', 'ionfield.json'), 'utf8')) as { cuda: unknown };
    assert.equal(devices.builtWithCuda, manifest.cuda !== null);
    // Without a GPU the CUDA build falls back to the CPU and says why.
    if (devices.gpus.length === 0 && devices.builtWithCuda) assert.match(devices.note, /CUDA/);
  });

  it('tsc --noEmit --strict on a TypeScript program that imports the package', function () {
    this.timeout(300_000);
    const repoPkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    const tools = [`typescript@${repoPkg.devDependencies.typescript}`, `@types/node@${repoPkg.devDependencies['@types/node']}`];
    const add = run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--save-dev', ...tools], project, userEnv([shadow]), 280);
    assert.equal(add.status, 0, output(add).slice(-4000));
    const tsc = run('npx', ['tsc', '--noEmit', '--strict', '-p', 'tsconfig.json'], project, userEnv([shadow]));
    assert.equal(tsc.status, 0, output(tsc));
  });
});
