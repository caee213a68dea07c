// Opens a local HTML file in headless Debian Chromium (playwright-core drives it over the
// DevTools protocol) and reports console errors, failed requests and what the page holds.
import * as fs from 'node:fs';
import { tempDir } from './paths';

export const CHROMIUM = process.env.IONFIELD_CHROMIUM ?? '/usr/bin/chromium';

export function chromiumMissing(): string | null {
  return fs.existsSync(CHROMIUM) ? null : `${CHROMIUM} not found (apt-get install chromium, or scripts/install-system-deps.sh --for-tests)`;
}

export interface PageCheck {
  consoleErrors: string[];
  failedRequests: string[];
  /** minFontPx: the smallest rendered text in the plot (labels readable at 100 % zoom). */
  plots: { id: string; svgChildren: number; width: number; height: number; minFontPx: number }[];
  title: string;
}

export async function openInChromium(file: string, screenshot?: string, fullPage = false): Promise<PageCheck> {
  const { chromium } = await import('playwright-core');
  const context = await chromium.launchPersistentContext(tempDir('ionfield-chromium-'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    viewport: { width: 1280, height: 900 },
  });
  try {
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    const failedRequests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    page.on('requestfailed', (r) => failedRequests.push(r.url()));
    await page.goto(`file://${file}`, { waitUntil: 'load' });
    const plots = await page.$$eval('figure.plot', (figs) =>
      figs.map((f) => {
        const svg = f.querySelector('svg');
        const box = svg?.getBoundingClientRect();
        const sizes = svg ? [...svg.querySelectorAll('text')].filter((t) => (t.textContent ?? '').trim()).map((t) => t.getBoundingClientRect().height) : [];
        return { id: f.getAttribute('data-plot') ?? '', svgChildren: svg ? svg.querySelectorAll('path, line, rect, text').length : 0, width: box?.width ?? 0, height: box?.height ?? 0, minFontPx: sizes.length ? Math.min(...sizes) : 0 };
      }),
    );
    if (screenshot) await page.screenshot({ path: screenshot, fullPage });
    return { consoleErrors, failedRequests, plots, title: await page.title() };
  } finally {
    await context.close();
  }
}
