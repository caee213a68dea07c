#!/usr/bin/env node
'use strict';
// Entry point of the `ionfield` command; the CLI itself is lib/cli.ts (compiled to dist/).
const { main, reportFailure } = require('../dist/lib/cli.js');
const { quiesceInference } = require('../dist/lib/model/inference.js');
const command = process.argv[2] || 'ionfield';
const debug = process.argv.includes('--debug') || Boolean(process.env.IONFIELD_DEBUG);
// A promise that fails while nobody awaits it (a read-ahead batch, a worker) must still end in one
// line and exit 1, not in Node's raw trace; the failure it carries is reported like any other.
let interrupted = false;
const fail = (err) => {
  if (interrupted) return; // a run stopped by the signal handler below; it sets the exit code
  process.exitCode = reportFailure(command, null, err, debug);
  process.exit();
};
process.on('unhandledRejection', fail);
// Interrupted: say so in one line and exit with the shell's code for the signal; the 'exit' hook of
// lib/atomic-file removes every temporary file, so no output is left half-written.
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    console.error(`ionfield ${command}: interrupted (${signal}); outputs not finished were removed, earlier outputs are untouched`);
    // An ONNX Runtime run terminated mid-way aborts the process: let the one in flight finish first.
    quiesceInference(2000).then(() => process.exit(code));
  });
}
process.on('uncaughtException', fail);
main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, fail);
