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

const commands: Command[] = [infoCommand, convertCommand, transportCommand, descriptorsCommand, datasetCommand, trainCommand, predictCommand, importanceCommand, kinosonsCommand, analyzeCommand, reportCommand, demoCommand];

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

/** Runs the CLI; returns the exit code (0 ok, 1 bad input or failure, 2 bad usage). */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
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
    console.error(`ionfield: unknown command '${name}'\n\n${overview()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command.usage);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code === 'IONFIELD_USAGE') {
      console.error(`ionfield ${name}: ${(err as Error).message}\n\n${command.usage}`);
      return 2;
    }
    const e = err as Error & { code?: string };
    console.error(`ionfield ${name}: ${e.code === 'IONFIELD_BAD_INPUT' || e.code === 'ENOENT' ? '' : 'error: '}${e.message}`);
    if (process.env.IONFIELD_DEBUG) console.error(e.stack);
    return 1;
  }
}
