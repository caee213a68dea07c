#!/usr/bin/env node
// Makes the prebuilt addon that `npm pack` / `npm publish` ship (run by `prepack`), following the
// prebuildify / node-gyp-build layout: prebuilds/linux-x64/ionfield.napi.glibc.node, plus
// prebuilds/linux-x64/ionfield.json saying what the binary needs (read by lib/native.ts at load).
// Portable on purpose: plain x86-64 code (no -march=native), libstdc++/libgcc linked in, the CUDA
// kernels and the static CUDA runtime where nvcc exists, no native test programs. It refuses to
// finish when the result would not be portable (tuned to this CPU, or linked to libcudart.so).
// Build folder: build-prebuild/ (kept, so a second `npm pack` only recompiles what changed).
// IONFIELD_CUDA=OFF leaves the kernels out; CMAKE_CUDA_ARCHITECTURES overrides the GPU targets.
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { buildNative, root } = require('./build-native.js');

const buildDir = 'build-prebuild';
const outDir = path.join(root, 'prebuilds', 'linux-x64');
const fileName = 'ionfield.napi.glibc.node';

function fail(message) {
  console.error(`ionfield prebuild: ${message}`);
  process.exit(1);
}

const glibc = process.report.getReport().header.glibcVersionRuntime;
if (process.platform !== 'linux' || process.arch !== 'x64' || !glibc) {
  fail(`prebuilds are made on linux-x64 with glibc only (this is ${process.platform}-${process.arch}); pack on such a machine`);
}

const defines = {
  IONFIELD_BUILD_TESTS: 'OFF',
  IONFIELD_NATIVE_ARCH: 'OFF',
  IONFIELD_STATIC_CXX_RUNTIME: 'ON',
  IONFIELD_CUDA: process.env.IONFIELD_CUDA || 'ON',
  CMAKE_EXPORT_COMPILE_COMMANDS: 'ON',
};
if (process.env.CMAKE_CUDA_ARCHITECTURES) defines.CMAKE_CUDA_ARCHITECTURES = process.env.CMAKE_CUDA_ARCHITECTURES;
// 'configure' re-applies these options to a kept build folder; 'build' is then incremental.
for (const verb of ['configure', 'build']) {
  if (buildNative({ buildDir, defines, verb }) !== 0) fail(`cmake-js ${verb} failed`);
}
const built = path.join(root, buildDir, 'Release', 'ionfield.node');

// Portability checks: the flags it was compiled with, and the shared libraries it needs.
const commands = JSON.parse(fs.readFileSync(path.join(root, buildDir, 'compile_commands.json'), 'utf8'));
const tuned = commands.find((c) => /-march=native|-mtune=native/.test(c.command ?? (c.arguments ?? []).join(' ')));
if (tuned) fail(`${tuned.file} was compiled for this CPU (-march=native); a prebuild must use the x86-64 baseline`);
const cudaCompiled = commands.some((c) => c.file.endsWith('.cu'));
const needed = execFileSync('readelf', ['-d', built], { encoding: 'utf8' })
  .split('\n').map((l) => /\(NEEDED\).*\[(.+)\]/.exec(l)?.[1]).filter(Boolean);
const dynamicLib = needed.find((n) => /^lib(cudart|stdc\+\+)\.so/.test(n));
if (dynamicLib) fail(`the addon links ${dynamicLib} dynamically; the prebuild must link it statically`);
// The newest glibc symbol version the binary references is the oldest glibc it runs on.
const versions = execFileSync('objdump', ['-T', built], { encoding: 'utf8' }).match(/GLIBC_\d+(\.\d+)+/g) ?? [];
const byVersion = (a, b) => a.localeCompare(b, undefined, { numeric: true });
const minGlibc = versions.map((v) => v.slice(6)).sort(byVersion).pop();
// Ubuntu 22.04 (2.35) and RHEL 9 (2.34) are common on clusters: a newer symbol slipping in (from a
// newer build machine or toolchain) must be a decision, not an accident.
const maxGlibc = process.env.IONFIELD_PREBUILD_MAX_GLIBC || '2.34';
if (byVersion(minGlibc, maxGlibc) > 0) {
  fail(`the addon needs glibc ${minGlibc} (> ${maxGlibc}): see which symbols with 'objdump -T ${built} | grep GLIBC_${minGlibc}'; ` +
    'IONFIELD_PREBUILD_MAX_GLIBC raises the limit');
}

// It must load, and report whether its CUDA kernels are in (without a GPU it says why it has none).
const probe = spawnSync(process.execPath, ['-p', `JSON.stringify(require(${JSON.stringify(built)}).queryDevices())`], { encoding: 'utf8' });
if (probe.status !== 0) fail(`the built addon does not load:\n${probe.stderr}`);
const devices = JSON.parse(probe.stdout);
if (devices.builtWithCuda !== cudaCompiled) fail(`CUDA kernels compiled: ${cudaCompiled}, but the addon reports builtWithCuda ${devices.builtWithCuda}`);

let cuda = null;
if (cudaCompiled) {
  const cache = fs.readFileSync(path.join(root, buildDir, 'CMakeCache.txt'), 'utf8');
  const nvcc = /^CMAKE_CUDA_COMPILER:\w+=(.+)$/m.exec(cache)?.[1];
  const release = nvcc ? /release (\d+\.\d+)/.exec(execFileSync(nvcc, ['--version'], { encoding: 'utf8' }))?.[1] : undefined;
  const architectures = /^CMAKE_CUDA_ARCHITECTURES:\w+=(.+)$/m.exec(cache)?.[1] ?? '80-real;90';
  cuda = { toolkit: release ?? 'unknown', architectures, runtime: 'static (cudart_static)' };
} else {
  console.warn('ionfield prebuild: no CUDA toolkit found (or IONFIELD_CUDA=OFF): the prebuild has the CPU path only');
}

fs.mkdirSync(outDir, { recursive: true });
fs.copyFileSync(built, path.join(outDir, fileName));
const manifest = {
  file: fileName,
  platform: 'linux',
  arch: 'x64',
  libc: 'glibc',
  glibc: minGlibc,
  cpu: 'x86-64 (baseline; no -march)',
  napi: 8,
  needs: needed,
  cuda,
  builtOn: { glibc, node: process.version },
};
fs.writeFileSync(path.join(outDir, 'ionfield.json'), JSON.stringify(manifest, null, 2) + '\n');
const mib = (fs.statSync(path.join(outDir, fileName)).size / 2 ** 20).toFixed(1);
console.log(`ionfield prebuild: prebuilds/linux-x64/${fileName} (${mib} MiB; glibc >= ${minGlibc}; x86-64; ` +
  `CUDA ${cuda ? `${cuda.toolkit}, ${cuda.architectures}` : 'none'}; needs ${needed.join(' ')})`);
