// The report section for an `ionfield predict --json` result: Λ_ML with its statistical error, the
// per-species mean λ̂, and, when a transport result of the same trajectory is among the inputs, the
// Einstein–Helfand Λ beside it with the ratio — the comparison a user predicting an unseen system
// wants to see, and the reminder that the model's own bias is not in Λ_ML's error bar.
import * as path from 'node:path';
import type { PredictReport } from '../model/predict';
import type { TransportReport } from '../transport/report';
import { escapeHtml, num, table, withError } from './html';
import { fileProvenance } from './provenance';

/** Λ_ML / Λ_EH with first-order error propagation (the two estimates are independent). */
export function ratioWithError(ml: { value: number; error: number }, eh: { value: number; error: number }): { value: number; error: number } {
  const value = ml.value / eh.value;
  return { value, error: Math.abs(value) * Math.hypot(ml.error / ml.value, eh.error / eh.value) };
}

export function predictSection(p: PredictReport, source: string, transports: TransportReport[]): string {
  const l = p.lambdaMl;
  const rows: string[][] = [['Λ_ML (mean of λ̂ over ions and frames)', withError(l.value, l.error), l.units]];
  for (const [s, v] of Object.entries(p.species)) rows.push([`⟨λ̂⟩ of species ${s}${typeof v.charge === 'number' ? ` (z = ${v.charge})` : ''}, ${v.ions} ions`, num(v.lambdaMean), l.units]);
  const t = transports.find((x) => path.resolve(x.file) === path.resolve(p.trajectory));
  let comparison = '';
  const m = t?.molarConductivity;
  if (t && m && m.value !== null && m.error !== null) {
    const eh = { value: m.value, error: m.error, units: m.units };
    const r = ratioWithError(l, eh);
    rows.push(['Λ_EH (Einstein–Helfand, transport result)', withError(eh.value, eh.error), eh.units]);
    rows.push(['Λ_ML / Λ_EH', withError(r.value, r.error), '1']);
    comparison = `<p class="note">Λ_EH is fitted over ${num(t.fitWindow.start)}–${num(t.fitWindow.stop)} ${escapeHtml(t.fitWindow.units)}; the model's targets were taken at lag τ = ${num(l.tau)}. The error of Λ_ML is statistical only (blocking over frames): the model's own bias on systems it never saw is not in it.</p>`;
  } else {
    comparison = '<p class="note">The error of Λ_ML is statistical only (blocking over frames); the model\'s own bias on systems it never saw is not in it. Add the transport result of the same trajectory to see Λ_EH beside it.</p>';
  }
  const ignored = Object.entries(p.ignored ?? {});
  return `<section class="predict"><h2>Model prediction: ${escapeHtml(path.basename(p.trajectory))}</h2>
<dl><dt>model</dt><dd>${escapeHtml(fileProvenance(p.model))}</dd>
<dt>trajectory</dt><dd>${escapeHtml(fileProvenance(p.trajectory))}</dd>
<dt>frames × ions</dt><dd>${p.frames} × ${p.ions}${ignored.length ? ` (left out: ${escapeHtml(ignored.map(([s, n]) => `${n} atoms of species ${s}`).join(', '))})` : ''}</dd>
<dt>error</dt><dd>standard error of the per-frame means, ${l.blocks} blocks of ${l.blockFrames} frames</dd>
<dt>ran on</dt><dd>ONNX Runtime ${escapeHtml(p.provider)}; descriptors on ${escapeHtml(p.device)}; ${num(p.ionsFramesPerSecond, 3)} ion-frames/s</dd>
<dt>result file</dt><dd>${escapeHtml(source)}</dd></dl>
${table(['quantity', 'value ± error', 'units'], rows, 'Molar conductivity predicted from static structure')}
${comparison}</section>`;
}
