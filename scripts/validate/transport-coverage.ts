// Are the stated errors right? Runs many independent Brownian-walker systems with known answers
// and reports z = (estimate − exact)/error per coefficient: a calibrated error gives mean z ≈ 0
// and rms z ≈ 1 (≈ 1.15 for a jackknife over ~8 blocks, whose z follows Student's t).
//   node --import tsx scripts/validate/transport-coverage.ts [frames=10000] [systems=100] [pairs=20] [stop-fraction=default] [seed0=1000]
// Environment: FIT=gls (GLS instead of the default OLS), FIT_START=t (fit start in frames),
// BLOCK_FACTOR=k (jackknife blocks at least k × the fit stop).
import { TransportCorrelator, transportReport } from '../../lib/transport';
import { exact, walkerAtoms, walkerBatches, Walkers } from './brownian-walkers';

async function main() {
  const frames = Number(process.argv[2] ?? 10000), systems = Number(process.argv[3] ?? 100), pairs = Number(process.argv[4] ?? 20);
  const stopFraction = process.argv[5] ? Number(process.argv[5]) : undefined, seed0 = Number(process.argv[6] ?? 1000);
  const V = 1000;
  const z: Record<string, number[]> = {}, rel: Record<string, number[]> = {};
  const push = (k: string, value: number | null, error: number | null, truth: number) => {
    (z[k] ??= []).push((value! - truth) / error!);
    (rel[k] ??= []).push(value! / truth - 1);
  };
  let blocks = 0, stop = 0;
  for (let i = 0; i < systems; i++) {
    const w: Walkers = { pairs, Dc: 0.2, DrPlus: 0.05, DrMinus: 0.1, dt: 1, seed: seed0 + i };
    const c = new TransportCorrelator({ ...walkerAtoms(pairs), nspecies: 2 });
    for (const b of walkerBatches(w, frames, 1000)) await c.add(b.positions, b.frames);
    const r = transportReport(
      {
        schema: 'ionfield.transport-partial/2',
        meta: { file: 'walkers', format: 'memory', units: 'lj', species: ['+', '-'], counts: [pairs, pairs], charges: [1, -1], frameInterval: 1, frameIntervalSource: 'synthetic', volumeOverride: V, removeCom: false, masses: null, pointsPerLevel: 32, decimation: 2, start: 0, stride: 1, warnings: [] },
        sums: await c.sums(),
      },
      { temperature: 1, stopFraction, blockFactor: process.env.BLOCK_FACTOR ? Number(process.env.BLOCK_FACTOR) : undefined, fit: process.env.FIT === 'gls' ? 'gls' : undefined, fitStart: process.env.FIT_START ? Number(process.env.FIT_START) : undefined },
    );
    const x = exact(w, V);
    blocks = r.uncertainty.blocks;
    stop = r.fitWindow.stop;
    push('D+', r.diffusion['+'].value, r.diffusion['+'].error, x.dPlus);
    push('sigma', r.conductivity.value, r.conductivity.error, x.sigma);
    push('L+-', r.onsager.value[0][1], r.onsager.error[0][1], x.lPlusMinus);
    push('ionicity', r.ionicity.value, r.ionicity.error, x.ionicity);
    push('t+', r.transference['+'].value, r.transference['+'].error, x.tPlus);
  }
  console.log(`${systems} systems of ${pairs} cation–anion pairs, ${frames} frames, ${blocks} jackknife blocks, fit stop ${stop}`);
  console.log('quantity   rel. bias (± s.e.)     rel. spread  mean z   rms z   max |z|');
  for (const k of Object.keys(z)) {
    const r = rel[k], n = r.length;
    const m = r.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(r.reduce((a, b) => a + (b - m) ** 2, 0) / (n - 1));
    const zm = z[k].reduce((a, b) => a + b, 0) / n;
    const zr = Math.sqrt(z[k].reduce((a, b) => a + b * b, 0) / n);
    const zx = Math.max(...z[k].map(Math.abs));
    console.log(`${k.padEnd(10)} ${(m * 100).toFixed(2).padStart(6)} % (± ${(100 * sd / Math.sqrt(n)).toFixed(2)} %)   ${(sd * 100).toFixed(1).padStart(6)} %   ${zm.toFixed(2).padStart(6)}  ${zr.toFixed(2).padStart(6)}  ${zx.toFixed(2).padStart(6)}`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
