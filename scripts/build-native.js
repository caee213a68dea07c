#!/usr/bin/env node
// Builds the native core and the Node addon with cmake-js, against the Node-API headers package
// (package.json "binary.napi_versions"), so nothing is downloaded from outside the npm registry.
// Incremental: re-running it after a source change rebuilds only what changed.
// Environment: IONFIELD_CUDA=OFF skips the CUDA kernels even where nvcc exists;
// IONFIELD_BUILD_DIR overrides the build folder (default: build).
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const os = require('node:os');

const root = path.resolve(__dirname, '..');
const cmakeJs = require.resolve('cmake-js/bin/cmake-js', { paths: [root] });
const buildDir = process.env.IONFIELD_BUILD_DIR || 'build';
const defines = [];
if (process.env.IONFIELD_CUDA) defines.push(`--CDIONFIELD_CUDA=${process.env.IONFIELD_CUDA}`);
if (process.env.IONFIELD_NATIVE_ARCH) defines.push(`--CDIONFIELD_NATIVE_ARCH=${process.env.IONFIELD_NATIVE_ARCH}`);
const verb = process.argv.includes('--force') ? 'rebuild' : 'compile';
const args = [cmakeJs, verb, '-O', buildDir, '-p', String(os.availableParallelism?.() ?? os.cpus().length), '-l', 'warn', ...defines];
const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
if (result.status !== 0) {
  console.error('ionfield: native build failed. Needs cmake >= 3.18, a C++17 compiler and zlib headers (Debian: cmake g++ make zlib1g-dev).');
  process.exit(result.status ?? 1);
}
