import { awsViewFigureRows } from '#domain/qbr/aws-view.ts';
import type {
  DifferenceDeal,
  Finding,
  FunnelRow,
  InvestmentRow,
  QbrException,
  QbrReport,
  RoiRow,
} from '#domain/qbr/report.ts';
import { type CsvColumn, toCsv } from './csv.ts';
import { evidenceText, quarterText } from './qbr-finding-text.ts';
import { croFigure, type HeadlineFigure, headlineFigures, slaFigures } from './qbr-headline-figures.ts';

/** One CSV file of the report: an email attachment, a file in the report's folder. */
interface QbrCsvFile {
  readonly filename: string;
  readonly content: string;
}

interface FunnelStage {
  readonly stage: string;
  readonly count: number;
  /** Share of the previous stage; empty for the first stage or a zero denominator. */
  readonly conversionFromPrevious: number | null;
  readonly amount: number | null;
}

const funnelColumns: readonly CsvColumn<FunnelStage>[] = [
  { header: 'Stage', value: (row) => row.stage },
  { header: 'Count', value: (row) => row.count },
  { header: 'Conversion from previous stage', value: (row) => row.conversionFromPrevious },
  { header: 'Amount (USD)', value: (row) => row.amount },
];

function breakdownColumns(dimension: string): readonly CsvColumn<FunnelRow>[] {
  return [
    { header: `${dimension} id`, value: (row) => row.key },
    { header: dimension, value: (row) => row.label },
    { header: 'Submitted', value: (row) => row.submitted },
    { header: 'Approved', value: (row) => row.approved },
    { header: 'Opportunities', value: (row) => row.opportunities },
    { header: 'Closed-won', value: (row) => row.closedWon },
    { header: 'Closed-won amount (USD)', value: (row) => row.closedWonAmount },
    { header: 'Submitted to approved', value: (row) => row.conversion.submittedToApproved },
    { header: 'Approved to opportunity', value: (row) => row.conversion.approvedToOpportunity },
    { header: 'Opportunity to closed-won', value: (row) => row.conversion.opportunityToClosedWon },
  ];
}

interface AttributionLine {
  readonly view: string;
  /** Null when the view is not available (the note says why). */
  readonly revenue: number | null;
  readonly note: string;
}

const attributionColumns: readonly CsvColumn<AttributionLine>[] = [
  { header: 'View', value: (row) => row.view },
  { header: 'Closed-won revenue (USD)', value: (row) => row.revenue },
  { header: 'Note', value: (row) => row.note },
];

const scorecardColumns: readonly CsvColumn<HeadlineFigure>[] = [
  { header: 'Figure', value: (row) => row.label },
  { header: 'Value', value: (row) => row.value },
  { header: 'As written in the report', value: (row) => row.text },
];

const differenceColumns: readonly CsvColumn<DifferenceDeal>[] = [
  { header: 'Opportunity id', value: (row) => row.opportunityId },
  { header: 'Deal', value: (row) => row.dealName },
  { header: 'Amount (USD)', value: (row) => row.amount },
  { header: 'Ledger relationship', value: (row) => row.ledgerRelationship },
  { header: 'CRO counts as partner', value: (row) => (row.croCountsAsPartner ? 'yes' : 'no') },
  { header: 'Explanation', value: (row) => row.explanation },
];

const roiColumns: readonly CsvColumn<RoiRow>[] = [
  { header: 'Investment type', value: (row) => row.investmentType },
  { header: 'Invested (USD)', value: (row) => row.invested },
  { header: 'Closed-won revenue (USD)', value: (row) => row.closedWonRevenue },
  { header: 'ROI', value: (row) => row.roi },
  { header: 'Revenue through named opportunities (USD)', value: (row) => row.revenueThroughOpportunities },
  { header: 'Revenue through campaigns (USD)', value: (row) => row.revenueThroughCampaigns },
  { header: 'Attributed through', value: (row) => row.attributedThrough },
];

const investmentColumns: readonly CsvColumn<InvestmentRow>[] = [
  { header: 'Investment id', value: (row) => row.investmentId },
  { header: 'Investment type', value: (row) => row.investmentType },
  { header: 'Campaign id', value: (row) => row.campaignId },
  { header: 'Opportunity id', value: (row) => row.opportunityId },
  { header: 'Attributed through', value: (row) => row.attributedThrough },
  { header: 'Invested (USD)', value: (row) => row.invested },
  { header: 'Closed-won revenue (USD)', value: (row) => row.closedWonRevenue },
];

const slaColumns: readonly CsvColumn<HeadlineFigure>[] = [
  { header: 'Measure', value: (row) => row.label },
  { header: 'Value', value: (row) => row.value },
  { header: 'As written in the report', value: (row) => row.text },
];

const exceptionColumns: readonly CsvColumn<QbrException>[] = [
  { header: 'Registration id', value: (row) => row.registrationId },
  { header: 'Decided by', value: (row) => row.decidedBy },
  { header: 'Decided at', value: (row) => row.decidedAt },
  { header: 'Rule of the verdict', value: (row) => row.verdictRuleId },
  { header: 'Decision', value: (row) => row.decision },
  { header: 'Reason', value: (row) => row.reason },
];

interface RankedFinding extends Finding {
  readonly rank: number;
  /** The report's time zone, for the evidence's times. */
  readonly timeZone: string;
}

const findingColumns: readonly CsvColumn<RankedFinding>[] = [
  { header: 'Rank', value: (row) => row.rank },
  { header: 'Severity', value: (row) => row.severity },
  { header: 'Code', value: (row) => row.code },
  { header: 'Partner', value: (row) => row.context?.partner },
  { header: 'Customer', value: (row) => row.context?.customer },
  { header: 'Deal', value: (row) => row.context?.deal },
  { header: 'Amount (USD)', value: (row) => row.context?.amountUsd },
  { header: 'Owner', value: (row) => row.context?.owner },
  { header: 'Deadline', value: (row) => row.context?.deadlineLocal },
  { header: 'Links', value: (row) => row.context?.links.map((link) => link.url).join(' ') },
  { header: 'Opportunity id', value: (row) => row.opportunityId },
  { header: 'Registration id', value: (row) => row.registrationId },
  { header: 'Detail', value: (row) => row.detail },
  { header: 'Evidence', value: (row) => evidenceText(row.evidence, row.timeZone) },
  { header: 'Fix before the meeting', value: (row) => row.fix },
];

type AwsView = NonNullable<QbrReport['awsView']>;
type AwsFigureRow = { readonly figure: string; readonly opportunities: number; readonly amount: number };

const awsViewColumns: readonly CsvColumn<AwsFigureRow>[] = [
  { header: 'In ACE', value: (row) => row.figure },
  { header: 'Opportunities', value: (row) => row.opportunities },
  { header: 'Amount (USD)', value: (row) => row.amount },
];

const awsPartnerMeasures = [
  ['shared', 'Shared'],
  ['submitted', 'Submitted'],
  ['approved', 'Approved'],
  ['actionRequired', 'Action Required'],
  ['rejected', 'Rejected'],
  ['launched', 'Launched'],
  ['closedLost', 'Closed Lost'],
] as const;

const awsPartnerColumns: readonly CsvColumn<AwsView['byPartner'][number]>[] = [
  { header: 'Partner id', value: (row) => row.key },
  { header: 'Partner', value: (row) => row.label },
  ...awsPartnerMeasures.flatMap(([key, label]) => [
    { header: label, value: (row: AwsView['byPartner'][number]) => row[key].opportunities },
    { header: `${label} (USD)`, value: (row: AwsView['byPartner'][number]) => row[key].amount },
  ]),
];

/** The AWS view's files, only when co-sell is on in the policy. */
function awsViewCsvFiles(report: QbrReport, name: (table: string) => string): QbrCsvFile[] {
  const view = report.awsView;
  if (view === undefined || view === null) return [];
  const rows = awsViewFigureRows(view).map(
    ({ label, opportunities, amount }): AwsFigureRow => ({ figure: label, opportunities, amount }),
  );
  return [
    { filename: name('aws-view'), content: toCsv(rows, awsViewColumns) },
    { filename: name('aws-view-by-partner'), content: toCsv(view.byPartner, awsPartnerColumns) },
  ];
}

/**
 * The UTF-8 byte order mark. Excel for Windows opens a CSV file without it in the machine's ANSI
 * code page (Windows-1252 in the US), so a partner named "Müller — Zürich" reads "MÃ¼ller â€”
 * ZÃ¼rich"; with it, Excel reads UTF-8. CSV parsers drop it (csv-parse `bom: true`, Python's
 * `utf-8-sig`).
 */
const UTF8_BOM = '\uFEFF';

/**
 * The report's figures as CSV files, one per table (the scorecard's headline figures, funnel, each breakdown, attribution and the
 * deals behind the difference, the AWS view when co-sell is on, ROI, SLA, exceptions, findings), named
 * `qbr-<quarter>-<table>.csv`. Every text cell taken from data (a partner's or a deal's name) is
 * neutralised so a spreadsheet shows it as text and never runs it as a formula; amounts are
 * numbers in USD, ratios between 0 and 1. Each file starts with the UTF-8 byte order mark.
 */
export function qbrReportCsvFiles(report: QbrReport): QbrCsvFile[] {
  return csvTables(report).map((file) => ({ ...file, content: `${UTF8_BOM}${file.content}` }));
}

/**
 * The scorecard's first rows: which quarter, which days and as of when. The file is often read
 * on its own (forwarded, opened from a folder), and its name carries only the quarter's label.
 */
function periodRows(report: QbrReport): HeadlineFigure[] {
  return [
    { key: 'quarter', label: 'Fiscal quarter', text: quarterText(report), value: null, path: 'quarter' },
    {
      key: 'as-of',
      label: 'Figures as of',
      text: `${report.asOf} (times in ${report.timeZone})`,
      value: null,
      path: 'asOf',
    },
  ];
}

function csvTables(report: QbrReport): QbrCsvFile[] {
  const { funnel, attribution } = report;
  const stages: FunnelStage[] = [
    { stage: 'Registrations submitted', count: funnel.submitted, conversionFromPrevious: null, amount: null },
    {
      stage: 'Approved',
      count: funnel.approved,
      conversionFromPrevious: funnel.conversion.submittedToApproved,
      amount: null,
    },
    { stage: 'Rejected', count: funnel.rejected, conversionFromPrevious: null, amount: null },
    {
      stage: 'Opportunities',
      count: funnel.opportunities,
      conversionFromPrevious: funnel.conversion.approvedToOpportunity,
      amount: null,
    },
    {
      stage: 'Closed-won',
      count: funnel.closedWon,
      conversionFromPrevious: funnel.conversion.opportunityToClosedWon,
      amount: funnel.closedWonAmount,
    },
  ];
  const cro = croFigure(report);
  const unavailable = attribution.croView.unavailableReason ?? '';
  const attributionLines: AttributionLine[] = [
    { view: 'Partner-sourced (ledger)', revenue: attribution.partnerSourcedRevenue, note: '' },
    { view: 'Partner-influenced (ledger)', revenue: attribution.partnerInfluencedRevenue, note: '' },
    {
      view: cro.label,
      revenue: attribution.croPartnerRevenue,
      note: unavailable === '' ? '' : `not available: ${unavailable}`,
    },
    {
      view: 'Difference (sourced minus CRO view)',
      revenue: attribution.difference,
      note: unavailable === '' ? '' : 'not available: the CRO view is not available',
    },
  ];
  const name = (table: string) => `qbr-${report.quarter}-${table}.csv`;
  return [
    {
      filename: name('scorecard'),
      content: toCsv([...periodRows(report), ...headlineFigures(report)], scorecardColumns),
    },
    { filename: name('funnel'), content: toCsv(stages, funnelColumns) },
    { filename: name('by-campaign'), content: toCsv(report.byCampaign, breakdownColumns('Campaign')) },
    { filename: name('by-partner'), content: toCsv(report.byPartner, breakdownColumns('Partner')) },
    {
      filename: name('by-cloud-marketplace'),
      content: toCsv(report.byCloudMarketplace, breakdownColumns('Cloud marketplace')),
    },
    { filename: name('by-region'), content: toCsv(report.byRegion, breakdownColumns('Region')) },
    { filename: name('attribution'), content: toCsv(attributionLines, attributionColumns) },
    {
      filename: name('attribution-difference-deals'),
      content: toCsv(attribution.differenceDeals, differenceColumns),
    },
    ...awsViewCsvFiles(report, name),
    { filename: name('roi-by-investment-type'), content: toCsv(report.roiByInvestmentType, roiColumns) },
    { filename: name('roi-investments'), content: toCsv(report.investments, investmentColumns) },
    { filename: name('sla'), content: toCsv(slaFigures(report), slaColumns) },
    { filename: name('exceptions'), content: toCsv(report.exceptions, exceptionColumns) },
    {
      filename: name('findings'),
      content: toCsv(
        report.findings.map((finding, index) => ({ ...finding, rank: index + 1, timeZone: report.timeZone })),
        findingColumns,
      ),
    },
  ];
}
