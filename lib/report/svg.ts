// Renders Vega-Lite specifications to SVG strings in Node: vega-lite compiles to a Vega spec, and
// vega's headless View (renderer 'none') serialises the scene to SVG; no browser, no canvas.
// vega and vega-lite are ES modules, loaded once with a dynamic import from this CommonJS build.

export type VegaLiteSpec = Record<string, unknown>;

let loaded: Promise<{ vega: typeof import('vega'); vl: typeof import('vega-lite') }> | undefined;

function load() {
  loaded ??= Promise.all([import('vega'), import('vega-lite')]).then(([vega, vl]) => ({ vega, vl }));
  return loaded;
}

// Text sizes readable at 100 % zoom (vega's defaults are 10–11 px axis labels in a plot shown
// at its natural size); a spec's own config wins.
export const READABLE_TEXT = {
  axis: { labelFontSize: 13, titleFontSize: 14 },
  legend: { labelFontSize: 13, titleFontSize: 13 },
  header: { labelFontSize: 13, titleFontSize: 14 },
  title: { fontSize: 16 },
};

export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const { vega, vl } = await load();
  const config = { ...READABLE_TEXT, ...((spec.config as object | undefined) ?? {}) };
  const compiled = vl.compile({ $schema: 'https://vega.github.io/schema/vega-lite/v5.json', ...spec, config } as never).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
