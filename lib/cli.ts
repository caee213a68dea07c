// The `ionfield` command line: one file per subcommand under cli/, registered here.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, UsageError } from './cli/command';
import { packageRoot } from './native';
import { convertCommand } from './cli/convert';
import { infoCommand } from './cli/info';
import { transportCommand } from './cli/transport';
import { kinosonsCommand } from './cli/kinosons';
import { descriptorsCommand } from './cli/descriptors';
import { analyzeCommand } from './cli/analyze';
import { reportCommand } from './cli/report';
import { demoCommand } from './cli/demo';
import { datasetCommand } from './cli/dataset';
import { trainCommand } from './cli/train';
import { predictCommand } from './cli/predict';
import { importanceCommand } from './cli/importance';
import { mergeCommand } from './cli/merge';
import { slurmCliCommand } from './cli/slurm';
import { benchCommand } from './cli/bench';

const commands: Command[] = [infoCommand, convertCommand, transportCommand, descriptorsCommand, datasetCommand, trainCommand, predictCommand, importanceCommand, kinosonsCommand, mergeCommand, slurmCliCommand, analyzeCommand, reportCommand, demoCommand, benchCommand];

function version(): string {
  return (JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

function overview(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `ionfield ${version()} — local molar conductivity and kinosons`,
    '',
    'usage: ionfield <command> [options]   (ionfield <command> --help for details)',
    '',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
  ].join('\n');
}

/** Errors that mean a bug in ionfield rather than bad input or a failed system call. */
function isInternal(err: unknown): boolean {
  return err instanceof TypeError || err instanceof ReferenceError || err instanceof EvalError || !(err instanceof Error);
}

/**
 * Runs the CLI; returns the exit code (0 ok, 1 bad input or failure, 2 bad usage). Every failure
 * ends in one line `ionfield <command>: error: ...`; the stack trace only with --debug (or
 * IONFIELD_DEBUG=1), so a user sees what went wrong, not where in ionfield.
 */
export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug') || Boolean(process.env.IONFIELD_DEBUG);
  const [name, ...rest] = argv.filter((a) => a !== '--debug');
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(overview());
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    console.log(version());
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    console.error(`ionfield: error: unknown command '${name}'\n\n${overview()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command.usage);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    return reportFailure(name, command, err, debug);
  }
}

/** Prints a command's failure as one line (plus usage for bad usage) and returns its exit code. */
export function reportFailure(name: string, command: Command | null, err: unknown, debug: boolean): number {
  const e = err as Error & { code?: string };
  if (err instanceof UsageError || e?.code === 'IONFIELD_USAGE') {
    console.error(`ionfield ${name}: error: ${e.message}${command ? `\n\n${command.usage}` : ''}`);
    return 2;
  }
  // One line: a message that lists several differences on lines of its own is joined with '; '.
  const message = (e?.message ?? String(err)).split('\n').map((l) => l.trim()).filter(Boolean)
    .reduce((line, part) => (!line ? part : line.endsWith(':') ? `${line} ${part}` : `${line}; ${part}`), '');
  if (isInternal(err)) console.error(`ionfield ${name}: error: internal error: ${message} (a bug in ionfield: rerun with --debug for the trace and report it)`);
  else console.error(`ionfield ${name}: error: ${message}`);
  if (debug && e?.stack) console.error(e.stack);
  return 1;
}
