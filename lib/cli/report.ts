// `ionfield report`: one self-contained HTML file from result JSON files.
import { loadResults, buildReport } from '../report/build';
import { writeAtomic } from '../analysis/npy';
import { Command, parse, printJson, UsageError } from './command';

export const reportCommand: Command = {
  name: 'report',
  summary: 'one self-contained HTML report (SVG plots, tables with errors, provenance) from result JSON files',
  usage: `ionfield report <result.json>... --out report.html [--title TEXT] [--json]

Result files, in any number and order: \`ionfield transport --json\` output (ionfield.transport/2),
\`ionfield analyze\` analysis.json (ionfield.analysis/2), \`ionfield importance --json\`
(ionfield.importance/2) and \`ionfield predict --json\` (ionfield.predict/2; shown beside the
Einstein–Helfand Λ of the same trajectory when its transport result is given too). With several
field analyses the report adds the spread of λ against Λ across systems.

  --out FILE     the HTML file to write (default: report.html)
  --title TEXT   page title
  --json         print {schema: "ionfield.report/2", out, inputs, plots} instead of a sentence`,
  async run(argv) {
    const { values, positionals } = parse(argv, { out: { type: 'string' }, title: { type: 'string' }, json: { type: 'boolean' } });
    if (positionals.length === 0) throw new UsageError('expected at least one result file');
    const out = (values.out as string | undefined) ?? 'report.html';
    const html = await buildReport(loadResults(positionals), { title: values.title as string | undefined });
    writeAtomic(out, html);
    const plotCount = (html.match(/<figure class="plot"/g) ?? []).length;
    if (values.json) printJson({ schema: 'ionfield.report/2', out, inputs: positionals, plots: plotCount, bytes: Buffer.byteLength(html) });
    else console.log(`wrote ${out} (${plotCount} plots, ${(Buffer.byteLength(html) / 1024).toFixed(0)} KiB)`);
    return 0;
  },
};
