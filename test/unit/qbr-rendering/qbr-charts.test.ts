import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  CHART_ASSETS_DIR_VARIABLE,
  ChartRenderError,
  renderChartPng,
  renderChartSvg,
} from '#rendering/charts/chart-renderer.ts';
import {
  QBR_CHART_WIDTH,
  qbrChartSpecs,
  renderQbrCharts,
  usdAxisFormat,
} from '#rendering/charts/qbr-charts.ts';
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
  it('draws the funnel, attribution, ROI, SLA and SLA follow-up charts as PNGs at twice their CSS size', async () => {
    const charts = await renderQbrCharts(sampleQbrReport());

    expect(charts.map((chart) => chart.id)).toEqual(['funnel', 'attribution', 'roi', 'sla', 'sla-follow-up']);
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

  it('names the measure beside each ROI bar, so invested and won read apart without colour', async () => {
    const roi = qbrChartSpecs(sampleQbrReport()).find((chart) => chart.id === 'roi');
    if (roi === undefined) throw new Error('no ROI chart');

    const svg = await renderChartSvg(roi.spec);

    expect(svg).toContain('$50,000 invested');
    expect(svg).toContain('$600,000 won');
  });

  it('draws an empty quarter without failing', async () => {
    const empty = sampleQbrReport({ roiByInvestmentType: [], byPartner: [] });

    const charts = await renderQbrCharts(empty);

    expect(charts).toHaveLength(5);
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

describe('the pre-QBR chart axes', () => {
  type Axis = { format?: string; tickMinStep?: number };
  function valueAxis(spec: unknown): Axis {
    const encoding = (spec as { encoding: { x: { axis?: Axis } } }).encoding;
    return encoding.x.axis ?? {};
  }

  it('counts on integer ticks written as whole numbers', () => {
    const specs = qbrChartSpecs(sampleQbrReport());
    const counts = specs.filter((chart) => ['funnel', 'sla', 'sla-follow-up'].includes(chart.id));

    expect(counts).toHaveLength(3);
    for (const chart of counts) {
      expect(valueAxis(chart.spec)).toEqual({ format: 'd', tickMinStep: 1 });
    }
  });

  it('writes money under $10 in cents, not whole dollars', () => {
    expect(usdAxisFormat(0)).toBe('$,.2f');
    expect(usdAxisFormat(2)).toBe('$,.2f');
    expect(usdAxisFormat(2_500)).toBe('$,.0f');
    expect(usdAxisFormat(1_250_001)).toBe('$~s');
    const roi = qbrChartSpecs(
      sampleQbrReport({
        roiByInvestmentType: [
          {
            investmentType: 'MDF',
            invested: 1,
            closedWonRevenue: 2,
            roi: 1,
            revenueThroughOpportunities: 0,
            revenueThroughCampaigns: 2,
            attributedThrough: '1 investment through its campaign',
          },
        ],
      }),
    ).find((chart) => chart.id === 'roi');

    expect(valueAxis(roi?.spec).format).toBe('$,.2f');
  });

  it('abbreviates large money axes', () => {
    const attribution = qbrChartSpecs(sampleQbrReport()).find((chart) => chart.id === 'attribution');

    expect(valueAxis(attribution?.spec).format).toBe('$~s');
  });

  it('puts decisions and the SLA follow-up on separate scales', () => {
    const specs = qbrChartSpecs(sampleQbrReport());
    const sla = specs.find((chart) => chart.id === 'sla');
    const followUp = specs.find((chart) => chart.id === 'sla-follow-up');

    expect(sla?.alt).toBe('SLA: 80.0% of 30 decisions within SLA; Within SLA 24; After the SLA 6.');
    expect(followUp?.alt).toMatch(/^SLA follow-up: Reminders \d+; Escalations \d+; SLA defaults \d+\.$/);
  });

  it('counts approvals still waiting past their deadline against the SLA, as the scorecard does', () => {
    const report = sampleQbrReport();
    // 24 within SLA of 30 decisions + 2 still waiting past the deadline: 24/32 = 75.0%.
    const waiting = {
      ...report,
      sla: { ...report.sla, approvals: 32, waiting: 2, waitingPastDeadline: 2, breaches: 8 },
    };
    const sla = qbrChartSpecs(waiting).find((chart) => chart.id === 'sla');

    expect(sla?.alt).toBe(
      'SLA: 75.0% of 32 approvals (30 decided, 2 waiting past the deadline) within SLA; Within SLA 24; After the SLA 6; Waiting past the SLA 2.',
    );
  });
});
