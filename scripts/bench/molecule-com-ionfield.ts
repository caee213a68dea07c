// ionfield side of the BENCHMARKS.md "Issue 20" timing: reading a trajectory with molecules (one
// centre of mass per molecule, molecules made whole along bonds), one thread, two passes:
//   1. the public path, openTrajectory(file, { molecules }).batches(): what every command pays;
//   2. the atom read alone (continuous coordinates) with the centre-of-mass step timed around its
//      own native call (MoleculeCentres.compute), so the step's share of the read is measured, not
//      inferred from a difference of two noisy runs.
//   npx tsx scripts/bench/molecule-com-ionfield.ts TRAJ TOPOLOGY [--frames N] [--pass both|public|split]
// Prints one JSON line. --frames N reads only the first N frames (for a like-for-like subset).
import { openTrajectory } from '../../lib/trajectory';
import { loadTopology } from '../../lib/topology/load';
import { molecularSystem } from '../../lib/topology/molecules';
import { moleculeCentresHandle } from '../../lib/topology/centres-batch';

async function main() {
  const [file, topology, ...rest] = process.argv.slice(2);
  const opt = (name: string) => {
    const i = rest.indexOf(`--${name}`);
    return i >= 0 ? rest[i + 1] : undefined;
  };
  const stop = opt('frames') === undefined ? undefined : Number(opt('frames'));
  const pass = opt('pass') ?? 'both';
  const system = molecularSystem(loadTopology(topology));
  const out: Record<string, unknown> = { file, atoms: system.molecule.length, molecules: system.speciesOf.length };
  const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;
  // CPU time (user + system) as well: on a shared machine it is the steadier figure.
  const cpu = (c0: NodeJS.CpuUsage) => {
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / 1e6;
  };

  if (pass !== 'split') {
    const t0 = process.hrtime.bigint(), p0 = process.cpuUsage();
    let frames = 0, checksum = 0;
    for await (const b of openTrajectory(file, { molecules: system, stop, batchSize: 64 }).batches()) {
      frames += b.frames;
      checksum += b.positions[0];
    }
    Object.assign(out, { frames, readWithMoleculesS: seconds(t0), readWithMoleculesCpuS: cpu(p0), checksum });
  }
  if (pass !== 'public') {
    const t0 = process.hrtime.bigint(), p0 = process.cpuUsage();
    let com = 0n, comCpu = 0, frames = 0;
    let handle: ReturnType<typeof moleculeCentresHandle> | null = null;
    for await (const b of openTrajectory(file, { unwrap: true, stop, batchSize: 64 }).batches()) {
      handle ??= moleculeCentresHandle(system, file, b.natoms);
      const c0 = process.hrtime.bigint(), q0 = process.cpuUsage();
      handle.compute(b.positions, b.boxes, b.frames, b.periodic, null);
      com += process.hrtime.bigint() - c0;
      comCpu += cpu(q0);
      frames += b.frames;
    }
    const total = seconds(t0), totalCpu = cpu(p0), comS = Number(com) / 1e9;
    Object.assign(out, {
      frames, splitTotalS: total, readAtomsS: total - comS, comS: comS, comShareOfRead: comS / (total - comS),
      readAtomsCpuS: totalCpu - comCpu, comCpuS: comCpu, comShareOfReadCpu: comCpu / (totalCpu - comCpu),
      comNsPerAtomFrame: (comS * 1e9) / (frames * system.molecule.length),
    });
  }
  console.log(JSON.stringify(out));
}
main().catch((e) => {
  console.error(e.message);
  process.exit(1);
});
