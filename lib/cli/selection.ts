// The trajectory-selection options every trajectory-reading command shares (format, frames,
// species labels), declared once and turned into TrajectoryOptions in one place.
import { readTopology, Topology } from '../dataset/topology';
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

/** A --topology that is an ionfield topology (<name>.topology.json, as `convert` writes beside an XTC or DCD). */
function jsonTopology(file: string): Topology | null {
  if (!/\.json$/i.test(file)) return null;
  try {
    return readTopology(file);
  } catch (err) {
    throw new UsageError(`--topology ${(err as Error).message}`);
  }
}

/**
 * Species labels for formats without them: from an ionfield topology file (.topology.json), or
 * from the first frame of another trajectory (a LAMMPS dump, .gro or .xyz of the same system).
 */
export async function typesFromTopology(file: string): Promise<string[]> {
  const topology = jsonTopology(file);
  if (topology) return topology.types;
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

/** Charges per species from a --topology .topology.json (undefined for other topologies); --charges wins. */
export function topologyCharges(values: Parsed['values']): Record<string, number> | undefined {
  const file = values.topology as string | undefined;
  return file ? jsonTopology(file)?.charges : undefined;
}

function overrides(text: string) {
  try {
    return parseReadOverrides(text);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
