#!/usr/bin/env node
// Builds the native core and the Node addon with cmake-js, against the Node-API headers package
// (package.json "binary.napi_versions"), so nothing is downloaded from outside the npm registry.
// Incremental: re-running it after a source change rebuilds only what changed.
// Environment: IONFIELD_CUDA=OFF skips the CUDA kernels even where nvcc exists;
// IONFIELD_BUILD_DIR overrides the build folder (default: build);
// IONFIELD_BUILD_TESTS=ON|OFF builds the native test programs (default: ON in a checkout that has
// native/tests, OFF in an installed package, which ships no test sources).
// Used as a command (`npm run build:native`, or `node node_modules/ionfield/scripts/build-native.js`
// in a project that depends on ionfield) and as a module by scripts/install.js and scripts/prebuild.js.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const os = require('node:os');

const root = path.resolve(__dirname, '..');

/** Options passed through from the environment to CMake as -D definitions. */
function envDefines(env = process.env) {
  const hasTests = fs.existsSync(path.join(root, 'native', 'tests'));
  const defines = { IONFIELD_BUILD_TESTS: env.IONFIELD_BUILD_TESTS || (hasTests ? 'ON' : 'OFF') };
  if (env.IONFIELD_CUDA) defines.IONFIELD_CUDA = env.IONFIELD_CUDA;
  if (env.IONFIELD_NATIVE_ARCH) defines.IONFIELD_NATIVE_ARCH = env.IONFIELD_NATIVE_ARCH;
  if (env.CMAKE_CUDA_ARCHITECTURES) defines.CMAKE_CUDA_ARCHITECTURES = env.CMAKE_CUDA_ARCHITECTURES;
  return defines;
}

/** Runs cmake-js and returns its exit status. verb: 'compile' (configure once, then incremental),
 * 'rebuild' (from scratch), 'configure' (apply changed -D values to an existing build folder). */
function buildNative({ buildDir = process.env.IONFIELD_BUILD_DIR || 'build', defines = envDefines(), verb = 'compile' } = {}) {
  const cmakeJs = require.resolve('cmake-js/bin/cmake-js', { paths: [root] });
  const jobs = String(os.availableParallelism?.() ?? os.cpus().length);
  const args = [cmakeJs, verb, '-O', buildDir, '-p', jobs, '-l', 'warn',
    ...Object.entries(defines).map(([k, v]) => `--CD${k}=${v}`)];
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('ionfield: native build failed. Needs cmake >= 3.18, make, a C++17 compiler and zlib headers ' +
      '(Debian/Ubuntu: apt-get install cmake g++ make zlib1g-dev).');
  }
  return result.status ?? 1;
}

module.exports = { buildNative, envDefines, root };

if (require.main === module) process.exit(buildNative({ verb: process.argv.includes('--force') ? 'rebuild' : 'compile' }));
