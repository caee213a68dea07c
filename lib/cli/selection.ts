// The trajectory-selection options every trajectory-reading command shares (format, frames,
// species labels), declared once and turned into TrajectoryOptions in one place.
import { openTrajectory, parseKeyValueList, TrajectoryOptions } from '../trajectory';
import { integerOption, Options, Parsed, UsageError } from './command';

export const selectionOptions: Options = {
  format: { type: 'string' },
  start: { type: 'string' },
  stop: { type: 'string' },
  stride: { type: 'string' },
  'type-map': { type: 'string' },
  topology: { type: 'string' },
};

/** Species labels for formats without them, taken from the first frame of another trajectory. */
export async function typesFromTopology(file: string): Promise<string[]> {
  for await (const frame of openTrajectory(file, { stop: 1, unwrap: false })) {
    if (!frame.types) throw new UsageError(`--topology ${file}: that file has no species labels either`);
    return frame.types;
  }
  throw new UsageError(`--topology ${file}: no frames`);
}

export type Selection = Pick<TrajectoryOptions, 'format' | 'start' | 'stop' | 'stride' | 'typeMap' | 'types'>;

export async function selectionFromValues(values: Parsed['values']): Promise<Selection> {
  const str = (k: string) => values[k] as string | undefined;
  return {
    format: str('format'),
    start: integerOption(str('start'), 'start'),
    stop: integerOption(str('stop'), 'stop'),
    stride: integerOption(str('stride'), 'stride', 1),
    typeMap: str('type-map') ? parseKeyValueList(str('type-map')!, '--type-map') : undefined,
    types: str('topology') ? await typesFromTopology(str('topology')!) : undefined,
  };
}
