import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  CHART_ASSETS_DIR_VARIABLE,
  ChartRenderError,
  renderChartPng,
  renderChartSvg,
} from '#rendering/charts/chart-renderer.ts';
import { QBR_CHART_WIDTH, qbrChartSpecs, renderQbrCharts } from '#rendering/charts/qbr-charts.ts';
import { SCRIPT_PARTNER, sampleQbrReport } from './qbr-report-fixture.ts';

/** Width and height from a PNG's IHDR chunk. */
function pngSize(png: Uint8Array): { width: number; height: number } {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('the pre-QBR charts', () => {
  it('draws the funnel, attribution, ROI and SLA charts as PNGs at twice their CSS size', async () => {
    const charts = await renderQbrCharts(sampleQbrReport());

    expect(charts.map((chart) => chart.id)).toEqual(['funnel', 'attribution', 'roi', 'sla']);
    for (const chart of charts) {
      expect(chart.image.width).toBe(QBR_CHART_WIDTH);
      expect(pngSize(chart.image.png)).toEqual({
        width: chart.image.width * 2,
        height: chart.image.height * 2,
      });
    }
  });

  it('draws the same bytes for the same report', async () => {
    const [first, second] = await Promise.all([
      renderQbrCharts(sampleQbrReport()),
      renderQbrCharts(sampleQbrReport()),
    ]);

    expect(second.map((chart) => Buffer.from(chart.image.png).toString('base64'))).toEqual(
      first.map((chart) => Buffer.from(chart.image.png).toString('base64')),
    );
  });

  it('states each chart’s figures in words for its alt text', () => {
    const [funnel, attribution, roi, sla] = qbrChartSpecs(sampleQbrReport());

    expect(funnel?.alt).toBe(
      'Funnel for 2026-Q4: Submitted 40; Approved 30 · 75.0% of submitted; Opportunities 24 · 80.0% of approved; Closed-won 12 · 50.0% of opportunities; closed-won amount $1,250,001.',
    );
    expect(attribution?.alt).toContain(
      'Sourced (ledger) $800,000; Influenced (ledger) $450,001; Partner (CRO view) $650,000',
    );
    expect(roi?.alt).toContain('MDF: invested $50,000, closed-won $600,000, ROI 1100.0%');
    expect(sla?.alt).toContain('80.0% of 30 decisions within SLA');
  });

  it('writes a label that is markup as escaped text', async () => {
    const hostile = sampleQbrReport({
      roiByInvestmentType: [
        {
          investmentType: SCRIPT_PARTNER,
          invested: 1,
          closedWonRevenue: 2,
          roi: 1,
          revenueThroughOpportunities: 0,
          revenueThroughCampaigns: 2,
          attributedThrough: '1 investment through its campaign',
        },
      ],
    });
    const roi = qbrChartSpecs(hostile).find((chart) => chart.id === 'roi');
    if (roi === undefined) throw new Error('no ROI chart');

    const svg = await renderChartSvg(roi.spec);

    expect(svg).not.toMatch(/<script/i);
    expect(svg).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('draws an empty quarter without failing', async () => {
    const empty = sampleQbrReport({ roiByInvestmentType: [], byPartner: [] });

    const charts = await renderQbrCharts(empty);

    expect(charts).toHaveLength(4);
  });

  it('refuses an invalid chart specification with a ChartRenderError', async () => {
    const attempt = renderChartPng({ data: { values: [] }, mark: 'nonsense' } as never);

    await expect(attempt).rejects.toBeInstanceOf(ChartRenderError);
  });

  it('names the setting to fix when the renderer or font cannot be found', async () => {
    vi.stubEnv(CHART_ASSETS_DIR_VARIABLE, '/nonexistent/chart-assets');
    vi.resetModules();
    const fresh = await import('#rendering/charts/chart-renderer.ts');

    const attempt = fresh.renderChartPng({ data: { values: [{ a: 1 }] }, mark: 'bar' });

    await expect(attempt).rejects.toThrow(/\/nonexistent\/chart-assets.*DEALREG_CHART_ASSETS_DIR/);
  });
});
