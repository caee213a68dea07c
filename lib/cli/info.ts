import { native } from '../native';
import { trajectoryInfo, TrajectoryInfo } from '../info';
import { Command, numberOption, parse, printJson, UsageError } from './command';
import { Progress } from './progress';
import { centresJson, moleculeOptions, moleculesFromValues, selectionFromValues, typesFromTopology } from './selection';

function describe(i: TrajectoryInfo): string {
  const lines = [
    `file          ${i.file}`,
    `format        ${i.format}`,
    `frames        ${i.frames}`,
    `atoms         ${i.atoms}`,
    `species       ${Object.keys(i.species).length ? Object.entries(i.species).map(([k, v]) => `${k}: ${v}`).join(', ') : '(none in file)'}`,
  ];
  if (i.box) {
    const f = (v: number[]) => v.map((x) => x.toPrecision(6)).join(' ');
    lines.push(`box lengths   ${f(i.box.lengths)}${i.box.varies ? ' (first frame; the cell changes)' : ''}`);
    lines.push(`box angles    ${f(i.box.angles)}${i.box.orthorhombic ? ' (orthorhombic)' : ' (triclinic)'}`);
    lines.push(`volume        ${i.box.volume.toPrecision(6)}`);
  } else {
    lines.push('box           (none)');
  }
  lines.push(`time/frame    ${i.timePerFrame ?? 'unknown'}${i.stepsPerFrame ? ` (${i.stepsPerFrame} steps/frame)` : ''}`);
  lines.push(`wrapped       ${i.wrapped ? 'yes' : 'no'} (file says: ${i.coordinates}; unwrap by ${i.unwrapMethod})`);
  lines.push(`charges       ${i.hasCharges ? 'in file' : 'not in file'}`);
  const u = i.units;
  lines.push(`units         length ${u.length ?? 'not stated'}, time ${u.time ?? 'not stated'}${u.style ? ` (LAMMPS units ${u.style})` : ''}`);
  return lines.join('\n');
}

function devices(json: boolean): number {
  const r = native().queryDevices();
  if (json) printJson({ schema: 'ionfield.devices/2', builtWithCuda: r.builtWithCuda, gpus: r.gpus, note: r.note || null });
  else {
    console.log(`CUDA kernels built: ${r.builtWithCuda ? 'yes' : 'no'}`);
    if (r.gpus.length) for (const g of r.gpus) console.log(`GPU ${g.index}: ${g.name} (sm ${g.computeCapability}, ${g.memoryGiB.toFixed(1)} GiB) — used`);
    else console.log(`GPU: none used — ${r.note}; the CPU path runs`);
  }
  return 0;
}

export const infoCommand: Command = {
  name: 'info',
  summary: 'describe a trajectory (format, frames, atoms, species, box, time per frame, wrapping)',
  usage: `ionfield info <trajectory> [--format F] [--timestep dt] [--json]
ionfield info --devices [--json]

  --format F     lammps-dump | xyz | dcd | xtc | gro (default: from extension, then content)
  --timestep dt  MD timestep, to report time per frame for files that store only step numbers
  --allow LIST   read overrides: box-jumps, dcd-nsavc, skewed-cells (docs/formats.md, "Validation")
  --topology F   also describe a topology (LAMMPS data file, GROMACS .top, JSON): its molecular
                 species, their counts and net charges, and whether its atoms match the trajectory
  --molecule-names RULES   names of molecular species (see ionfield transport --help)
  --devices      report whether CUDA kernels were built and which GPU is used
  --json         machine-readable output (schema ionfield.info/2, see README)`,
  async run(argv) {
    const { values, positionals } = parse(argv, {
      format: { type: 'string' },
      timestep: { type: 'string' },
      allow: { type: 'string' },
      topology: { type: 'string' },
      ...moleculeOptions,
      devices: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    if (values.devices) return devices(Boolean(values.json));
    if (positionals.length !== 1) throw new UsageError('expected exactly one trajectory file');
    const progress = new Progress('scanning', null, !values.json);
    const info = await trajectoryInfo(positionals[0], {
      format: values.format as string | undefined,
      timestep: numberOption(values.timestep as string | undefined, 'timestep', (v) => v > 0),
      allow: (await selectionFromValues({ allow: values.allow })).allow,
      onProgress: progress.report,
    });
    progress.done();
    // A topology is checked against the file's atom count and summarised (molecules, net charges).
    const topology = values.topology ? await typesFromTopology(values.topology as string, positionals[0], values.format as string | undefined).then(() => moleculesFromValues(values)) : undefined;
    const natoms = topology?.molecule.length;
    if (topology && natoms !== info.atoms) info.warnings.push(`the topology ${topology.file} describes ${natoms} atoms, the trajectory has ${info.atoms}`);
    if (topology) info.warnings.push(...topology.warnings);
    for (const w of info.warnings) console.error(`warning: ${w}`);
    if (values.json) printJson({ ...info, ...(values.topology ? centresJson(topology) : {}) });
    else {
      console.log(describe(info));
      if (topology) console.log(`molecules     ${topology.species.map((s) => `${s.name} (${s.composition}): ${s.count} × ${s.atomsPerMolecule} atoms, net charge ${s.netCharge}`).join('; ')}`);
    }
    return 0;
  },
};
