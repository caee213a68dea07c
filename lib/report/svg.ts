// Renders Vega-Lite specifications to SVG strings in Node: vega-lite compiles to a Vega spec, and
// vega's headless View (renderer 'none') serialises the scene to SVG; no browser, no canvas.
// vega and vega-lite are ES modules, loaded once with a dynamic import from this CommonJS build.

export type VegaLiteSpec = Record<string, unknown>;

let loaded: Promise<{ vega: typeof import('vega'); vl: typeof import('vega-lite') }> | undefined;

function load() {
  loaded ??= Promise.all([import('vega'), import('vega-lite')]).then(([vega, vl]) => ({ vega, vl }));
  return loaded;
}

export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const { vega, vl } = await load();
  const compiled = vl.compile({ $schema: 'https://vega.github.io/schema/vega-lite/v5.json', ...spec } as never).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
