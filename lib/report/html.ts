// HTML building blocks for the report: escaping, tables, figures, the page shell with its CSS.
// The page is self-contained: inline CSS and SVG, no scripts, no external requests.

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function num(v: number | null | undefined, digits = 4): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return 'n/a';
  return Math.abs(v) >= 1e5 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(digits - 1) : v.toPrecision(digits);
}

export function withError(v: number | null | undefined, e: number | null | undefined): string {
  return e === null || e === undefined ? num(v) : `${num(v)} ± ${num(e, 2)}`;
}

export function table(headers: string[], rows: string[][], caption?: string): string {
  const head = `<tr>${headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`;
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table>${caption ? `<caption>${escapeHtml(caption)}</caption>` : ''}<thead>${head}</thead><tbody>${body}</tbody></table>`;
}

export function figure(id: string, svg: string, caption: string): string {
  return `<figure class="plot" data-plot="${escapeHtml(id)}">${svg}<figcaption>${escapeHtml(caption)}</figcaption></figure>`;
}

const CSS = `
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d2330; margin: 0; background: #f6f7f9; }
header { background: #1f3a5f; color: #fff; padding: 18px 32px; }
header h1 { margin: 0 0 4px; font-size: 22px; }
header p { margin: 0; opacity: .85; font-size: 13px; }
main { max-width: 1240px; margin: 0 auto; padding: 8px 32px 40px; }
section { background: #fff; border: 1px solid #dde1e7; border-radius: 6px; padding: 12px 20px 16px; margin: 18px 0; }
h2 { font-size: 19px; margin: 6px 0 10px; color: #1f3a5f; }
h3 { font-size: 16px; margin: 14px 0 6px; }
.plots { display: flex; flex-wrap: wrap; gap: 14px; }
figure.plot { margin: 0; border: 1px solid #eceef2; border-radius: 4px; padding: 6px; background: #fff; box-sizing: border-box; flex: 0 0 auto; max-width: 100%; } /* natural size: text stays at its 13–16 px */
figure.plot svg { max-width: 100%; height: auto; }
@media (max-width: 900px) { figure.plot { flex-basis: 100%; } }
figcaption { font-size: 12px; color: #555; max-width: 480px; }
table { border-collapse: collapse; margin: 8px 0 12px; font-size: 13.5px; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { border-bottom: 1px solid #e4e7ec; padding: 4px 10px; text-align: left; font-variant-numeric: tabular-nums; }
th { background: #f0f2f5; }
.note { font-size: 13px; color: #444; }
.warn { color: #8a4b00; font-size: 13px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; font-size: 13.5px; }
dt { font-weight: 600; }
dd { margin: 0; word-break: break-all; }
`;

export function page(title: string, subtitle: string, sections: string[]): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${CSS}</style></head>
<body><header><h1>${escapeHtml(title)}</h1><p>${escapeHtml(subtitle)}</p></header>
<main>
${sections.join('\n')}
</main></body></html>
`;
}
