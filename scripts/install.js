#!/usr/bin/env node
// npm's `install` step for ionfield.
// - In a checkout of the repository (it has native/tests): compiles the addon and the native test
//   programs, incrementally, as `npm run build:native` does.
// - In a project that depends on ionfield: nothing to do when the shipped prebuild loads here
//   (prebuilds/, made by scripts/prebuild.js at `npm pack`); compiles the library and addon (no
//   tests) only when no prebuild fits, or when asked: `IONFIELD_BUILD_FROM_SOURCE=1 npm rebuild
//   ionfield`, or npm_config_build_from_source=true|ionfield (the prebuild-install convention;
//   npm 11 warns that it does not know that config, hence our own variable).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { buildNative, root } = require('./build-native.js');

const checkout = fs.existsSync(path.join(root, 'native', 'tests'));
const asked = /^(true|1|on)$/i.test(process.env.IONFIELD_BUILD_FROM_SOURCE ?? '') ||
  ['true', 'ionfield'].some((v) => (process.env.npm_config_build_from_source ?? '').split(',').includes(v));

function prebuildLoads() {
  const loader = path.join(root, 'dist', 'lib', 'native-load.js');
  if (!fs.existsSync(loader)) return 'the package has no dist/ (not built with tsc)';
  try {
    require(loader).requirePrebuild(root);
    return null;
  } catch (err) {
    return err.message;
  }
}

if (!checkout && !asked) {
  const problem = prebuildLoads();
  if (!problem) process.exit(0);
  console.error(`ionfield: ${problem}.\nionfield: compiling the native addon from source instead (1-3 minutes).`);
}
process.exit(buildNative({ verb: asked ? 'rebuild' : 'compile' }));
