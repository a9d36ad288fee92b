import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPolicy } from '#domain/policy/load-policy.ts';
import { renderQbrReportHtml } from '#emails/qbr-report.ts';
import { renderRulesOfEngagement } from '#rendering/rules-of-engagement-page.ts';
import { launchChromium } from '#test/support/chromium.ts';
import { sampleAwsView, sampleQbrReport } from '#test/unit/qbr-rendering/qbr-report-fixture.ts';

const root = join(import.meta.dirname, '..', '..');
const artifacts = join(root, 'test-artifacts');

let browser: Browser;
const pages: Record<'qbr-report' | 'rules-of-engagement', string> = {
  'qbr-report': '',
  'rules-of-engagement': '',
};

beforeAll(async () => {
  browser = await launchChromium();
  await mkdir(artifacts, { recursive: true });
  pages['qbr-report'] = join(artifacts, 'layout-qbr-report.html');
  await writeFile(
    pages['qbr-report'],
    await renderQbrReportHtml(sampleQbrReport({ awsView: sampleAwsView })),
  );
  pages['rules-of-engagement'] = join(artifacts, 'layout-rules-of-engagement.html');
  const policy = loadPolicy(await readFile(join(root, 'policy', 'example-policy.json'), 'utf8'));
  await writeFile(pages['rules-of-engagement'], renderRulesOfEngagement(policy, 'html'));
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

describe.each(['qbr-report', 'rules-of-engagement'] as const)('the %s page', (name) => {
  it.each([390, 1280])('fits a %i px wide screen without scrolling sideways', async (width) => {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    try {
      await page.goto(`file://${pages[name]}`);
      await page.screenshot({ path: join(artifacts, `${name}-${width}.png`), fullPage: true });
      // The callback runs in the page; its DOM types are described here (the project has no DOM lib).
      const measured = await page.evaluate(() => {
        const w = globalThis as unknown as {
          innerWidth: number;
          document: { documentElement: { scrollWidth: number } };
        };
        return { scrollWidth: w.document.documentElement.scrollWidth, innerWidth: w.innerWidth };
      });
      console.log(`${name} at ${width} px: scrollWidth ${measured.scrollWidth}`);

      expect(measured.scrollWidth).toBeLessThanOrEqual(measured.innerWidth);
    } finally {
      await page.close();
    }
  });
});
