// Regenerates docs/report-screenshot.png: runs `ionfield demo` into a temporary folder and
// photographs the top of its report in headless Chromium (the same helper the report test uses).
//   npx tsx scripts/report-screenshot.ts [--full]
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { openInChromium } from '../test/helpers/chromium';
import { repoRoot, tempDir } from '../test/helpers/paths';

async function main() {
  const out = tempDir();
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'ionfield.js'), 'demo', '--out', out], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
  const shot = path.join(repoRoot, 'docs', process.argv.includes('--full') ? 'report-full.png' : 'report-screenshot.png');
  const check = await openInChromium(path.join(out, 'report.html'), shot, process.argv.includes('--full'));
  console.log(`wrote ${shot}; ${check.plots.length} plots, console errors: ${check.consoleErrors.length}`);
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
