// The trajectory-selection options every trajectory-reading command shares (format, frames,
// species labels), declared once and turned into TrajectoryOptions in one place.
import { openTrajectory, parseKeyValueList, parseReadOverrides, TrajectoryOptions } from '../trajectory';
import { integerOption, Options, Parsed, UsageError } from './command';

export const selectionOptions: Options = {
  format: { type: 'string' },
  start: { type: 'string' },
  stop: { type: 'string' },
  stride: { type: 'string' },
  'type-map': { type: 'string' },
  topology: { type: 'string' },
  allow: { type: 'string' },
};

/** Usage lines for the read overrides, shared by every trajectory-reading command. */
export const allowUsage = `  --allow LIST           accept input refused by default as a sign of a broken file (recorded in
                         the JSON): box-jumps (cell volume changes > 1.5× between read frames),
                         dcd-nsavc (DCD NSAVC <= 0), skewed-cells (cell angle outside 30–150°)`;

/** Species labels for formats without them, taken from the first frame of another trajectory. */
export async function typesFromTopology(file: string): Promise<string[]> {
  for await (const frame of openTrajectory(file, { stop: 1, unwrap: false })) {
    if (!frame.types) throw new UsageError(`--topology ${file}: that file has no species labels either`);
    return frame.types;
  }
  throw new UsageError(`--topology ${file}: no frames`);
}

export type Selection = Pick<TrajectoryOptions, 'format' | 'start' | 'stop' | 'stride' | 'typeMap' | 'types' | 'allow'>;

export async function selectionFromValues(values: Parsed['values']): Promise<Selection> {
  const str = (k: string) => values[k] as string | undefined;
  return {
    format: str('format'),
    start: integerOption(str('start'), 'start'),
    stop: integerOption(str('stop'), 'stop'),
    stride: integerOption(str('stride'), 'stride', 1),
    typeMap: str('type-map') ? parseKeyValueList(str('type-map')!, '--type-map') : undefined,
    types: str('topology') ? await typesFromTopology(str('topology')!) : undefined,
    allow: str('allow') ? overrides(str('allow')!) : undefined,
  };
}

function overrides(text: string) {
  try {
    return parseReadOverrides(text);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
