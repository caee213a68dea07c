#!/usr/bin/env node
// ionfield's molecular transport of the example against the MDAnalysis analysis of the same frames:
// D per species from MDAnalysis' centre-of-mass MSD fitted (OLS) over ionfield's own fit window,
// and the slope of the centres' charge displacement (σ) over that window.
// usage: compare.js transport.json mdanalysis.json   (MDAnalysis in Å², ionfield in nm² and ps)
'use strict';
const fs = require('node:fs');
const [ours, theirs] = process.argv.slice(2).map((f) => JSON.parse(fs.readFileSync(f, 'utf8')));
const t = ours.curves.time;
const dt = ours.frameInterval.value;
const lags = t.map((x) => Math.round(x / dt));
const i0 = t.indexOf(ours.fitWindow.start), i1 = t.indexOf(ours.fitWindow.stop);
function slope(y) {
  const xs = t.slice(i0, i1 + 1), ys = y.slice(i0, i1 + 1);
  const mx = xs.reduce((a, b) => a + b) / xs.length, my = ys.reduce((a, b) => a + b) / ys.length;
  let sxy = 0, sxx = 0;
  xs.forEach((v, k) => { sxy += (v - mx) * (ys[k] - my); sxx += (v - mx) ** 2; });
  return sxy / sxx;
}
const rows = [];
for (const [name, d] of Object.entries(ours.diffusion)) {
  const ref = slope(lags.map((l) => theirs[name][l] / 100)) / 6;  // Å² → nm²
  rows.push({ species: name, ionfield: d.value, error: d.error, mdanalysis: ref, relative: (d.value - ref) / ref, in_errors: (d.value - ref) / d.error });
}
const sigmaRatio = slope(lags.map((l) => theirs.charge[l] / 100)) / slope(ours.curves.chargeMsd);
console.log(JSON.stringify({ fit_window_ps: [ours.fitWindow.start, ours.fitWindow.stop], diffusion: rows, sigma_mdanalysis_over_ionfield: sigmaRatio }, null, 1));
