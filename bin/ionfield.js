#!/usr/bin/env node
'use strict';
// Entry point of the `ionfield` command; the CLI itself is lib/cli.ts (compiled to dist/).
const { main } = require('../dist/lib/cli.js');
main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(err); process.exitCode = 1; },
);
