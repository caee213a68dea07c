import { convertTrajectory } from '../convert';
import { parseCharges } from '../trajectory';
import { allowUsage, centresJson, moleculeOptions, moleculesFromValues, selectionFromValues, selectionOptions, topologyCharges } from './selection';
import { Command, numberOption, parse, printJson, UsageError } from './command';
import { Progress } from './progress';

export const convertCommand: Command = {
  name: 'convert',
  summary: 'convert a trajectory between formats (LAMMPS dump, extended XYZ, DCD, XTC; GROMACS .gro as input)',
  usage: `ionfield convert <input> <output> [options]

  --format F          input format (default: from extension, then content)
  --to F              output format: xyz | dcd | xtc | lammps-dump (default: from the output's extension)
  --start N --stop N --stride N   frame selection (0-based, stop exclusive)
${allowUsage}
  --keep-wrapped      write coordinates as stored instead of unwrapped (default: unwrapped)
  --topology FILE     species (and charges) from an x.topology.json, or labels from the first frame
                      of another trajectory FILE (for DCD/XTC input)
  --type-map 1:Na,2:Cl   rename species labels
  --charges Na:1,Cl:-1   set charges per species (written where the format has them)
  --centres atoms|molecules   atoms (default), or one point per molecule of a --topology with
                      molecules: its centre of mass (molecules whole, continuous), labelled by
                      molecular species, with its net charge
  --molecule-names RULES   names of molecular species (see ionfield transport --help)
  --time-unit fs|ps   time unit of LAMMPS dump and XYZ times (default fs, LAMMPS real units);
                      lengths are Å in dumps/XYZ/DCD and nm in XTC/.gro, converted between them
  --units lj          reduced (LAMMPS lj) units: copy the numbers unchanged (σ, τ), no Å/nm or fs/ps
                      conversion; read the output with --units lj
  --timestep dt       MD timestep (input time unit): frames without a time get step x dt
                      (XTC and DCD need times; without them their writers use the frame index)
  --json              print a JSON summary (schema ionfield.convert/2)`,
  async run(argv) {
    const { values, positionals } = parse(argv, {
      ...selectionOptions,
      ...moleculeOptions,
      to: { type: 'string' },
      'keep-wrapped': { type: 'boolean' },
      charges: { type: 'string' },
      'time-unit': { type: 'string' },
      units: { type: 'string' },
      timestep: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (positionals.length !== 2) throw new UsageError('expected an input and an output file');
    const timeUnit = (values['time-unit'] as string | undefined) ?? 'fs';
    if (timeUnit !== 'fs' && timeUnit !== 'ps') throw new UsageError(`--time-unit: expected fs or ps, got '${timeUnit}'`);
    if (values.units !== undefined && values.units !== 'lj')
      throw new UsageError(`--units: only 'lj' changes what convert does (physical units follow each format's convention), got '${values.units}'`);
    // convert keeps atoms unless asked: --centres molecules writes one point per molecule (its centre
    // of mass, labelled by molecular species, with its net charge), e.g. to look at them elsewhere.
    values.centres ??= 'atoms';
    const progress = new Progress('converting', null, !values.json);
    const selection = await selectionFromValues(values, positionals[0]);
    const molecules = moleculesFromValues(values);
    const result = await convertTrajectory(positionals[0], positionals[1], {
      ...selection,
      molecules,
      outputFormat: values.to as string | undefined,
      unwrap: !values['keep-wrapped'],
      charges: values.charges ? parseCharges(values.charges as string) : topologyCharges(values),
      timeUnit,
      units: values.units === 'lj' ? 'lj' : undefined,
      timestep: numberOption(values.timestep as string | undefined, 'timestep', (v) => v > 0),
      onWarning: (message) => console.error(`warning: ${message}`),
      onProgress: progress.report,
    });
    progress.done();
    if (values.json) printJson({ schema: 'ionfield.convert/2', ...result, ...centresJson(molecules) });
    else {
      console.log(`wrote ${result.frames} frames of ${result.atoms} atoms to ${result.output} (${result.unwrapped ? 'unwrapped' : 'as stored'})`);
      if (result.topology?.path) console.log(`wrote ${result.topology.path}: species and charges, read automatically with ${result.output}`);
      else if (result.topology && 'reason' in result.topology) console.error(`warning: no topology beside ${result.output} (${result.topology.reason}): pass --topology when reading it`);
    }
    return 0;
  },
};
