import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderQbrReportHtml } from '#emails/qbr-report.ts';
import { launchChromium } from '#test/support/chromium.ts';
import { SCRIPT_PARTNER, sampleQbrReport } from '#test/unit/qbr-rendering/qbr-report-fixture.ts';

const artifacts = join(import.meta.dirname, '..', '..', 'test-artifacts');

let browser: Browser;
let page: Page;
/** Console errors, page errors and requests leaving the page, collected while it is open. */
const problems: string[] = [];
const requests: string[] = [];

beforeAll(async () => {
  browser = await launchChromium();
  await mkdir(artifacts, { recursive: true });
  const file = join(artifacts, 'qbr-report.html');
  await writeFile(file, await renderQbrReportHtml(sampleQbrReport()));
  page = await browser.newPage({ viewport: { width: 800, height: 900 } });
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('request', (request) => {
    if (!request.url().startsWith('file:') && !request.url().startsWith('data:'))
      requests.push(request.url());
  });
  await page.goto(`file://${file}`);
  await page.screenshot({ path: join(artifacts, 'qbr-report.png'), fullPage: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

describe('the pre-QBR report in a browser', () => {
  it('shows the scorecard on the first screen', async () => {
    const scorecard = page.locator('#scorecard');
    const tiles = await page.locator('#scorecard .qbr-tile').allInnerTexts();
    const box = await scorecard.boundingBox();

    expect(await scorecard.isVisible()).toBe(true);
    expect(tiles.map((tile) => tile.replace(/\s+/g, ' ').trim())).toEqual(
      expect.arrayContaining([
        'Closed-won in the quarter (every ledger deal won in it) $1,250,001',
        'Partner-sourced revenue (ledger) $800,000',
        'Partner revenue (CRO view: HubSpot deal_source) $650,000',
        'Decisions within SLA 24 of 30 (80.0%)',
        'Findings to fix 4 (1 critical, 1 high, 1 medium, 1 low)',
      ]),
    );
    expect(box).not.toBeNull();
    expect((box?.y ?? Number.POSITIVE_INFINITY) + (box?.height ?? 0)).toBeLessThanOrEqual(900);
  });

  it('shows the funnel with the conversion at every stage', async () => {
    const stages = await page.locator('#funnel-stages tr').allInnerTexts();

    expect(stages.map((row) => row.replace(/\s+/g, ' ').trim())).toEqual([
      'Stage Count Conversion',
      'Registrations submitted 40',
      'Approved 30 75.0% of submitted',
      'Rejected 6',
      'Opportunities 24 80.0% of approved',
      'Closed-won 12 50.0% of opportunities · $1,250,000.50',
    ]);
  });

  it('draws every chart as a decoded image', async () => {
    // The callback runs in the page; its DOM types are described here (the project has no DOM lib).
    const charts = await page.locator('img.qbr-chart').evaluateAll((images) =>
      (
        images as unknown as {
          dataset: { chart?: string };
          complete: boolean;
          naturalWidth: number;
          getBoundingClientRect(): { width: number };
        }[]
      ).map((image) => ({
        chart: image.dataset.chart,
        complete: image.complete,
        naturalWidth: image.naturalWidth,
        visible: image.getBoundingClientRect().width > 0,
      })),
    );

    expect(charts.map((chart) => chart.chart)).toEqual([
      'funnel',
      'attribution',
      'roi',
      'sla',
      'sla-follow-up',
    ]);
    for (const chart of charts) {
      expect(chart).toMatchObject({ complete: true, visible: true });
      // Drawn at twice the CSS size for sharp screens.
      expect(chart.naturalWidth).toBe(1104);
    }
  });

  it('shows a partner named like a script as text and runs nothing', async () => {
    const partners = await page.locator('#by-partner td:first-child').allInnerTexts();

    expect(partners).toContain(SCRIPT_PARTNER);
    expect(await page.locator('script').count()).toBe(0);
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
  });

  it('lists the findings most severe first, each with its fix', async () => {
    const findings = await page.locator('.qbr-finding').allInnerTexts();

    expect(findings).toHaveLength(4);
    expect(findings[0]).toMatch(/^critical LEDGER_INTEGRITY · opportunity 9003/i);
    expect(findings.every((finding) => finding.includes('Fix:'))).toBe(true);
  });

  it('leaves a full-page screenshot as a test artifact', async () => {
    const png = await readFile(join(artifacts, 'qbr-report.png'));

    // PNG signature, then the IHDR chunk: width and height as big-endian 32-bit integers.
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.readUInt32BE(16)).toBe(800);
    // Full page: taller than the 900-pixel viewport, since the findings come after the charts.
    expect(png.readUInt32BE(20)).toBeGreaterThan(900);
  });
});
