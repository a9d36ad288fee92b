import type { TopLevelSpec } from 'vega-lite';
import type { QbrReport } from '#domain/qbr/report.ts';
import { formatPercent } from '#rendering/qbr-figures.ts';
import { CHART_FONT_FAMILY, type ChartImage, renderChartPng } from './chart-renderer.ts';

/** The charts of the pre-QBR report, in the order the email shows them. */
const qbrChartIds = ['funnel', 'attribution', 'aws', 'roi', 'sla', 'sla-follow-up'] as const;
type QbrChartId = (typeof qbrChartIds)[number];

/** A chart's specification with the words that stand in for it where images are not shown. */
interface QbrChartSpec {
  readonly id: QbrChartId;
  readonly title: string;
  /** The chart's figures in one sentence: the image's alt text and the plain-text part. */
  readonly alt: string;
  readonly spec: TopLevelSpec;
}

export interface QbrChart extends Omit<QbrChartSpec, 'spec'> {
  readonly image: ChartImage;
}

/** Width of the charts in CSS pixels: the email card is 600 wide with 24 px padding each side. */
export const QBR_CHART_WIDTH = 552;
/** Axis labels longer than this (in pixels) end in an ellipsis, so a long name cannot push the bars away. */
const LABEL_LIMIT = 170;

const COLORS = {
  primary: '#0b69a3',
  secondary: '#9fb3c8',
  good: '#2f8132',
  bad: '#c0392b',
  warn: '#de911d',
  neutral: '#627d98',
} as const;

/**
 * The d3 format of a money axis, chosen by the axis's largest value so that its ticks differ:
 * cents under $10 ("$0.50"), whole dollars under $10,000 ("$2,500"), SI-abbreviated above ("$250k").
 */
export function usdAxisFormat(max: number): string {
  const magnitude = Math.abs(max);
  if (magnitude < 10) return '$,.2f';
  if (magnitude < 10_000) return '$,.0f';
  return '$~s';
}

/** The axis of a count: integer ticks only, written as whole numbers. */
const countAxis = { format: 'd', tickMinStep: 1 } as const;

/** The end of a value axis: 35% past the largest value (1 when all are zero). */
function headroom(max: number): number {
  return max <= 0 ? 1 : max * 1.35;
}

function usd(value: number): string {
  return `${value < 0 ? '-' : ''}$${Math.abs(value).toLocaleString('en-US', { maximumFractionDigits: 0 })}`;
}

const baseConfig = {
  font: CHART_FONT_FAMILY,
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 11, labelLimit: LABEL_LIMIT, gridColor: '#e4e7eb' },
  legend: { labelFontSize: 11, titleFontSize: 11, orient: 'bottom', labelLimit: LABEL_LIMIT },
  title: { fontSize: 13, anchor: 'start', color: '#1f2933' },
} as const;

/** Bars per category, each labelled with its figure; `text` is the label beside the bar. */
function labelledBars(input: {
  title: string;
  rows: readonly { category: string; value: number; text: string; color: string }[];
  valueTitle: string;
  /** The value axis: a count (integer ticks) or money (format by magnitude). */
  valueKind: 'count' | 'usd';
}): TopLevelSpec {
  const values = input.rows.map((row) => row.value);
  return {
    title: input.title,
    width: QBR_CHART_WIDTH,
    autosize: { type: 'fit-x', contains: 'padding' },
    height: { step: 30 },
    data: { values: input.rows },
    encoding: {
      y: { field: 'category', type: 'nominal', sort: null, title: null },
      x: {
        field: 'value',
        type: 'quantitative',
        title: input.valueTitle,
        axis:
          input.valueKind === 'count'
            ? countAxis
            : { format: usdAxisFormat(Math.max(...values.map(Math.abs), 0)) },
        // Room right of the longest bar for its label.
        scale: { domain: [Math.min(0, ...values), headroom(Math.max(0, ...values))], nice: true },
      },
    },
    layer: [
      {
        mark: { type: 'bar', cornerRadiusEnd: 2 },
        encoding: { color: { field: 'color', type: 'nominal', scale: null } },
      },
      {
        mark: { type: 'text', align: 'left', dx: 4, fontSize: 11, color: '#1f2933' },
        encoding: { text: { field: 'text', type: 'nominal' } },
      },
    ],
    config: baseConfig,
  } as TopLevelSpec;
}

function funnelChart(report: QbrReport): QbrChartSpec {
  const { funnel } = report;
  const stages = [
    { category: 'Submitted', value: funnel.submitted, text: `${funnel.submitted}` },
    {
      category: 'Approved',
      value: funnel.approved,
      text: `${funnel.approved} · ${formatPercent(funnel.conversion.submittedToApproved)} of submitted`,
    },
    {
      category: 'Opportunities',
      value: funnel.opportunities,
      text: `${funnel.opportunities} · ${formatPercent(funnel.conversion.approvedToOpportunity)} of approved`,
    },
    {
      category: 'Closed-won',
      value: funnel.closedWon,
      text: `${funnel.closedWon} · ${formatPercent(funnel.conversion.opportunityToClosedWon)} of opportunities`,
    },
  ];
  return {
    id: 'funnel',
    title: 'Funnel: registration to closed-won',
    alt: `Funnel for ${report.quarter}: ${stages.map((stage) => `${stage.category} ${stage.text}`).join('; ')}; closed-won amount ${usd(funnel.closedWonAmount)}.`,
    spec: labelledBars({
      title: `Funnel ${report.quarter}`,
      rows: stages.map((stage) => ({ ...stage, color: COLORS.primary })),
      valueTitle: 'Registrations',
      valueKind: 'count',
    }),
  };
}

function attributionChart(report: QbrReport): QbrChartSpec {
  const a = report.attribution;
  const rows = [
    { category: 'Sourced (ledger)', value: a.partnerSourcedRevenue, color: COLORS.primary },
    { category: 'Influenced (ledger)', value: a.partnerInfluencedRevenue, color: COLORS.secondary },
    // Not available is no bar, not a bar of 0: the alt text says why.
    ...(a.croPartnerRevenue === null
      ? []
      : [{ category: 'Partner (CRO view)', value: a.croPartnerRevenue, color: COLORS.neutral }]),
  ].map((row) => ({ ...row, text: usd(row.value) }));
  const cro =
    a.difference === null
      ? `CRO view not available: ${a.croView.unavailableReason}`
      : `difference sourced − CRO ${usd(a.difference)}`;
  return {
    id: 'attribution',
    title: 'Partner-sourced vs partner-influenced vs the CRO figure',
    alt: `Attribution: ${rows.map((row) => `${row.category} ${row.text}`).join('; ')}; ${cro}.`,
    spec: labelledBars({
      title: 'Closed-won revenue by attribution view (USD)',
      rows,
      valueTitle: 'USD',
      valueKind: 'usd',
    }),
  };
}

/** The AWS view: what Partner Central shows of the quarter's shared opportunities, in USD (counts beside). */
function awsChart(report: QbrReport): QbrChartSpec[] {
  const view = report.awsView;
  if (view === undefined || view === null) return [];
  const review = view.byReviewStatus;
  const rows = [
    { category: 'Shared with ACE', figure: view.shared, color: COLORS.primary },
    { category: 'Submitted to AWS', figure: view.submitted, color: COLORS.secondary },
    { category: 'Approved by AWS', figure: review.Approved, color: COLORS.good },
    { category: 'Action Required', figure: review['Action Required'], color: COLORS.warn },
    { category: 'Rejected by AWS', figure: review.Rejected, color: COLORS.bad },
    { category: 'Launched (ACE)', figure: view.launched, color: COLORS.good },
    { category: 'Closed Lost (ACE)', figure: view.closedLost, color: COLORS.neutral },
  ].map(({ category, figure, color }) => ({
    category,
    value: figure.amount,
    text: `${usd(figure.amount)} · ${figure.opportunities}`,
    color,
  }));
  return [
    {
      id: 'aws',
      title: 'The AWS view: opportunities in Partner Central (ACE)',
      alt: `AWS view (${view.catalog} catalog): ${rows.map((row) => `${row.category} ${row.text} opportunities`).join('; ')}.`,
      spec: labelledBars({
        title: 'ACE opportunities shared in the quarter (USD · count)',
        rows,
        valueTitle: 'USD',
        valueKind: 'usd',
      }),
    },
  ];
}

function roiChart(report: QbrReport): QbrChartSpec {
  const largest = Math.max(
    0,
    ...report.roiByInvestmentType.flatMap((row) => [Math.abs(row.invested), Math.abs(row.closedWonRevenue)]),
  );
  const money = (amount: number) =>
    largest < 10
      ? `${amount < 0 ? '-' : ''}$${Math.abs(amount).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`
      : usd(amount);
  // Each bar's label names its measure, so the pair reads apart without telling the colours apart.
  const values = report.roiByInvestmentType.flatMap((row) => [
    {
      investmentType: row.investmentType,
      measure: 'Invested',
      amount: row.invested,
      label: `${money(row.invested)} invested`,
    },
    {
      investmentType: row.investmentType,
      measure: 'Closed-won revenue',
      amount: row.closedWonRevenue,
      label: `${money(row.closedWonRevenue)} won`,
    },
  ]);
  const spec = {
    title: 'Invested vs closed-won revenue by investment type (USD)',
    width: QBR_CHART_WIDTH,
    autosize: { type: 'fit-x', contains: 'padding' },
    height: { step: 20 },
    data: { values },
    encoding: {
      y: { field: 'investmentType', type: 'nominal', sort: null, title: null },
      yOffset: { field: 'measure', type: 'nominal', sort: ['Invested', 'Closed-won revenue'] },
      x: {
        field: 'amount',
        type: 'quantitative',
        title: 'USD',
        axis: { format: usdAxisFormat(largest) },
        scale: { domain: [0, headroom(largest)], nice: true },
      },
      color: {
        field: 'measure',
        type: 'nominal',
        title: null,
        scale: { domain: ['Invested', 'Closed-won revenue'], range: [COLORS.secondary, COLORS.primary] },
      },
    },
    layer: [
      { mark: { type: 'bar', cornerRadiusEnd: 2 } },
      {
        mark: { type: 'text', align: 'left', dx: 4, fontSize: 10, color: '#1f2933' },
        encoding: {
          text: { field: 'label', type: 'nominal' },
          color: { value: '#1f2933' },
        },
      },
    ],
    config: baseConfig,
  } as TopLevelSpec;
  const described = report.roiByInvestmentType.map(
    (row) =>
      `${row.investmentType}: invested ${usd(row.invested)}, closed-won ${usd(row.closedWonRevenue)}, ROI ${formatPercent(row.roi)}`,
  );
  return {
    id: 'roi',
    title: 'ROI by investment type',
    alt:
      described.length === 0
        ? 'ROI: no investments recorded for the quarter.'
        : `ROI: ${described.join('; ')}.`,
    spec,
  };
}

/** Decisions within and after the SLA: the compliance figure on its own scale. */
function slaChart(report: QbrReport): QbrChartSpec {
  const { sla } = report;
  const late = Math.max(0, sla.decisions - sla.withinSla);
  // An approval still waiting past its deadline is a breach too, as in the scorecard's figure.
  const judged = sla.decisions + sla.waitingPastDeadline;
  const compliance = judged === 0 ? null : sla.withinSla / judged;
  const rows = [
    { category: 'Within SLA', value: sla.withinSla, color: COLORS.good },
    { category: 'After the SLA', value: late, color: COLORS.bad },
    ...(sla.waitingPastDeadline === 0
      ? []
      : [{ category: 'Waiting past the SLA', value: sla.waitingPastDeadline, color: COLORS.bad }]),
  ].map((row) => ({ ...row, text: `${row.value}` }));
  const over =
    sla.waitingPastDeadline === 0
      ? `${sla.decisions} decisions`
      : `${judged} approvals (${sla.decisions} decided, ${sla.waitingPastDeadline} waiting past the deadline)`;
  return {
    id: 'sla',
    title: 'SLA compliance',
    alt: `SLA: ${formatPercent(compliance)} of ${over} within SLA; ${rows
      .map((row) => `${row.category} ${row.text}`)
      .join('; ')}.`,
    spec: labelledBars({
      title: `SLA compliance: ${formatPercent(compliance)} within SLA`,
      rows,
      valueTitle: sla.waitingPastDeadline === 0 ? 'Decisions' : 'Approvals',
      valueKind: 'count',
    }),
  };
}

/** What the SLA clock set off: reminders, escalations and SLA defaults, counted on their own scale. */
function slaFollowUpChart(report: QbrReport): QbrChartSpec {
  const { sla } = report;
  const rows = [
    { category: 'Reminders', value: sla.reminders, color: COLORS.neutral },
    { category: 'Escalations', value: sla.escalations, color: COLORS.warn },
    { category: 'SLA defaults', value: sla.defaulted, color: COLORS.bad },
  ].map((row) => ({ ...row, text: `${row.value}` }));
  return {
    id: 'sla-follow-up',
    title: 'Reminders, escalations and SLA defaults',
    alt: `SLA follow-up: ${rows.map((row) => `${row.category} ${row.text}`).join('; ')}.`,
    spec: labelledBars({
      title: 'Reminders, escalations and SLA defaults',
      rows,
      valueTitle: 'Count',
      valueKind: 'count',
    }),
  };
}

/** The specifications of the report's charts (pure: no drawing), in display order. */
export function qbrChartSpecs(report: QbrReport): QbrChartSpec[] {
  return [
    funnelChart(report),
    attributionChart(report),
    ...awsChart(report),
    roiChart(report),
    slaChart(report),
    slaFollowUpChart(report),
  ];
}

/**
 * Draws the report's charts as PNGs: the funnel, sourced vs influenced vs the CRO figure, the AWS
 * view (when co-sell is on), ROI
 * by investment type, SLA compliance and the SLA's reminders, escalations and defaults. The same report always gives the same bytes.
 *
 * @throws ChartRenderError when a chart cannot be drawn.
 */
export async function renderQbrCharts(report: QbrReport): Promise<QbrChart[]> {
  const charts: QbrChart[] = [];
  // One at a time: the renderer is single-threaded WebAssembly, so nothing is gained in parallel.
  for (const { spec, ...chart } of qbrChartSpecs(report)) {
    charts.push({ ...chart, image: await renderChartPng(spec) });
  }
  return charts;
}
