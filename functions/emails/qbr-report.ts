import * as z from 'zod';
import { calendarDateOf } from '#domain/business-hours/calendar-date.ts';
import { awsViewFigureRows } from '#domain/qbr/aws-view.ts';
import {
  type Finding,
  type FunnelRow,
  type QbrReport,
  qbrReportSchema,
  rankFindings,
  type Severity,
} from '#domain/qbr/report.ts';
import type { EmailAttachment, OutgoingEmail } from '#ports/mailer.ts';
import { type QbrChart, renderQbrCharts } from '#rendering/charts/qbr-charts.ts';
import { html, type SafeHtml } from '#rendering/html.ts';
import { formatPercent, formatUsd, formatUsdExact } from '#rendering/qbr-figures.ts';
import {
  contextRows,
  contextText,
  evidenceRows,
  evidenceText,
  localTime,
  quarterText,
} from '#rendering/qbr-finding-text.ts';
import {
  croFigure,
  excludedEntriesText,
  headlineFigures,
  integrityFigure,
  slaFigures,
} from '#rendering/qbr-headline-figures.ts';

const capitalised = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}`;

import { qbrReportCsvFiles } from '#rendering/qbr-report-csv.ts';
import { EmailTemplateInputError } from './email-template-input-error.ts';
import { subjectLine } from './email-text.ts';
import { emailStyle, renderHtmlLayout, renderTextLayout } from './layout.ts';

const QBR_REPORT_TEMPLATE = 'qbr-report';

/** Rows of each breakdown shown in the email; the CSV attachments hold them all. */
const BREAKDOWN_ROWS_SHOWN = 10;

/** Findings the email lists, most severe first; the attached findings CSV and JSON hold them all. */
const FINDINGS_SHOWN = 10;

const recipientsSchema = z
  .array(z.email('each leadership recipient must be an email address'))
  .min(1, 'the report needs at least one recipient');

const qbrEmailInputSchema = z.strictObject({ report: qbrReportSchema, to: recipientsSchema });

/** The Content-ID of a chart's inline image. */
function chartContentId(chart: Pick<QbrChart, 'id'>): string {
  return `qbr-${chart.id}@dealreg`;
}

/** The file name of the report's JSON document, e.g. `qbr-2026-Q4.json`. */
export function qbrReportJsonFilename(report: Pick<QbrReport, 'quarter'>): string {
  return `qbr-${report.quarter}.json`;
}

const severityColor: Record<Severity, string> = {
  critical: '#ab091e',
  high: '#c0392b',
  medium: '#de911d',
  low: '#627d98',
};

const style = {
  ...emailStyle,
  section:
    'margin:24px 0 8px 0;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;font-size:17px;line-height:24px;font-weight:600;color:#243b53;',
  number: `${emailStyle.cell}text-align:right;white-space:nowrap;`,
  tileValue:
    'margin:0;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;font-size:20px;line-height:26px;font-weight:600;color:#1f2933;',
  tile: 'padding:8px;border:1px solid #e4e7eb;background-color:#f5f7fa;vertical-align:top;width:33%;',
  scroll: 'width:100%;max-width:100%;overflow-x:auto;',
  image: 'display:block;width:100%;max-width:552px;height:auto;border:0;margin:0 0 16px 0;',
  /**
   * A cell of a finding's evidence: the small print's font on the cell itself (Outlook does not
   * pass a font down into table cells), declared once. Gmail shows only the first 102 KB of an
   * email's HTML, and ten findings carry up to fifteen rows of evidence each.
   */
  evidenceCell: `padding:4px 8px 4px 0;border-bottom:1px solid #e4e7eb;vertical-align:top;${emailStyle.font}font-size:12px;line-height:18px;color:#616e7c;`,
} as const;

interface ChartSources {
  /** The `src` of a chart's image: `cid:…` in the email, a data: URI in the standalone page. */
  readonly src: (chart: QbrChart) => string;
}

function chartHtml(charts: readonly QbrChart[], id: QbrChart['id'], sources: ChartSources): SafeHtml {
  const chart = charts.find((candidate) => candidate.id === id);
  if (chart === undefined) return html``;
  return html`<img class="qbr-chart" data-chart="${chart.id}" src="${sources.src(chart)}" width="${chart.image.width}" height="${chart.image.height}" alt="${chart.alt}" style="${style.image}">`;
}

function section(id: string, title: string, content: SafeHtml): SafeHtml {
  return html`<div id="${id}"><h2 style="${style.section}">${title}</h2>${content}</div>`;
}

function table(
  headers: readonly { label: string; numeric?: boolean }[],
  rows: readonly (readonly (string | number)[])[],
  id?: string,
): SafeHtml {
  // A table wider than a phone scrolls inside its own box rather than widening the page.
  return html`<div style="${style.scroll}"><table role="presentation" ${id ? html`id="${id}"` : ''} width="100%" cellpadding="0" cellspacing="0" border="0" style="${style.table}">
<tr>${headers.map((header) => html`<th style="${style.headerCell}${header.numeric ? 'text-align:right;' : ''}">${header.label}</th>`)}</tr>
${rows.map(
  (row) =>
    html`<tr>${row.map((cell, index) => html`<td style="${headers[index]?.numeric ? style.number : style.cell}">${cell}</td>`)}</tr>`,
)}
</table></div>`;
}

interface ScorecardTile {
  readonly label: string;
  readonly value: string;
}

function scorecardTiles(report: QbrReport): ScorecardTile[] {
  return headlineFigures(report).map((figure) => ({ label: figure.label, value: figure.text }));
}

/** The attribution views as rows: the CRO's reads "not available: why" when it cannot be computed. */
function attributionRows(report: QbrReport): (readonly [string, string])[] {
  const a = report.attribution;
  const cro = croFigure(report);
  return [
    ['Partner-sourced (ledger)', formatUsdExact(a.partnerSourcedRevenue)],
    ['Partner-influenced (ledger)', formatUsdExact(a.partnerInfluencedRevenue)],
    [cro.label, a.croPartnerRevenue === null ? cro.text : formatUsdExact(a.croPartnerRevenue)],
    [
      'Difference: sourced minus CRO view',
      a.difference === null ? 'not available: the CRO view is not available' : formatUsdExact(a.difference),
    ],
  ];
}

function scorecardHtml(report: QbrReport): SafeHtml {
  const tiles = scorecardTiles(report);
  const rows: ScorecardTile[][] = [];
  for (let index = 0; index < tiles.length; index += 3) rows.push(tiles.slice(index, index + 3));
  return section(
    'scorecard',
    'Scorecard',
    html`<table role="presentation" width="100%" cellpadding="0" cellspacing="4" border="0" style="${style.table}">
${rows.map(
  (row) =>
    html`<tr>${row.map(
      (tile) =>
        html`<td class="qbr-tile" style="${style.tile}"><p style="${style.small}">${tile.label}</p><p class="qbr-tile-value" style="${style.tileValue}">${tile.value}</p></td>`,
    )}</tr>`,
)}
</table>`,
  );
}

function funnelStages(report: QbrReport): (readonly [string, number, string])[] {
  const { funnel } = report;
  return [
    ['Registrations submitted', funnel.submitted, ''],
    ['Approved', funnel.approved, `${formatPercent(funnel.conversion.submittedToApproved)} of submitted`],
    ['Rejected', funnel.rejected, ''],
    [
      'Opportunities',
      funnel.opportunities,
      `${formatPercent(funnel.conversion.approvedToOpportunity)} of approved`,
    ],
    [
      'Closed-won',
      funnel.closedWon,
      `${formatPercent(funnel.conversion.opportunityToClosedWon)} of opportunities · ${formatUsdExact(funnel.closedWonAmount)}`,
    ],
  ];
}

const breakdownHeaders = [
  { label: '' },
  { label: 'Submitted', numeric: true },
  { label: 'Approved', numeric: true },
  { label: 'Opps', numeric: true },
  { label: 'Won', numeric: true },
  { label: 'Won (USD)', numeric: true },
  { label: 'Sub→won', numeric: true },
];

function breakdownRow(row: FunnelRow): (string | number)[] {
  return [
    row.label,
    row.submitted,
    `${row.approved} (${formatPercent(row.conversion.submittedToApproved)})`,
    `${row.opportunities} (${formatPercent(row.conversion.approvedToOpportunity)})`,
    `${row.closedWon} (${formatPercent(row.conversion.opportunityToClosedWon)})`,
    formatUsd(row.closedWonAmount),
    formatPercent(row.submitted === 0 ? null : row.closedWon / row.submitted),
  ];
}

interface Breakdown {
  readonly id: string;
  readonly title: string;
  /** What one row is, the first column's heading. */
  readonly dimension: string;
  readonly rows: readonly FunnelRow[];
  readonly file: string;
}

function breakdowns(report: QbrReport): Breakdown[] {
  const file = (table: string) => `qbr-${report.quarter}-${table}.csv`;
  return [
    {
      id: 'by-campaign',
      title: 'By campaign',
      dimension: 'Campaign',
      rows: report.byCampaign,
      file: file('by-campaign'),
    },
    {
      id: 'by-partner',
      title: 'By partner',
      dimension: 'Partner',
      rows: report.byPartner,
      file: file('by-partner'),
    },
    {
      id: 'by-cloud-marketplace',
      title: 'By cloud marketplace',
      dimension: 'Marketplace',
      rows: report.byCloudMarketplace,
      file: file('by-cloud-marketplace'),
    },
    {
      id: 'by-region',
      title: 'By region',
      dimension: 'Region',
      rows: report.byRegion,
      file: file('by-region'),
    },
  ];
}

function breakdownHtml(breakdown: Breakdown): SafeHtml {
  if (breakdown.rows.length === 0) return html``;
  const hidden = breakdown.rows.length - BREAKDOWN_ROWS_SHOWN;
  return html`<p style="${style.paragraph}margin-bottom:4px;font-weight:600;">${breakdown.title}</p>
${table(
  breakdownHeaders.map((header, index) => (index === 0 ? { label: breakdown.dimension } : header)),
  breakdown.rows.slice(0, BREAKDOWN_ROWS_SHOWN).map(breakdownRow),
  breakdown.id,
)}
${hidden > 0 && html`<p style="${style.small}margin-bottom:16px;">${hidden} more in ${breakdown.file}.</p>`}`;
}

function funnelHtml(report: QbrReport, charts: readonly QbrChart[], sources: ChartSources): SafeHtml {
  return section(
    'funnel',
    'Funnel: campaign to closed-won',
    html`${chartHtml(charts, 'funnel', sources)}
${table(
  [{ label: 'Stage' }, { label: 'Count', numeric: true }, { label: 'Conversion', numeric: true }],
  funnelStages(report),
  'funnel-stages',
)}
${breakdowns(report).map(breakdownHtml)}`,
  );
}

function attributionHtml(report: QbrReport, charts: readonly QbrChart[], sources: ChartSources): SafeHtml {
  const a = report.attribution;
  const deals = a.differenceDeals;
  return section(
    'attribution',
    'Partner-sourced and partner-influenced beside the CRO figure',
    html`${chartHtml(charts, 'attribution', sources)}
${table([{ label: 'View' }, { label: 'Closed-won revenue', numeric: true }], attributionRows(report), 'attribution-views')}
${
  a.croPartnerRevenue === null
    ? html`<p style="${style.paragraph}">The CRO figure is not available: ${a.croView.unavailableReason}. See the DEFINITION_MISMATCH finding.</p>`
    : deals.length === 0
      ? html`<p style="${style.paragraph}">No deal explains a difference: both views count the same deals.</p>`
      : html`<p style="${style.paragraph}margin-bottom:4px;font-weight:600;">The deals that explain the difference</p>
${table(
  [
    { label: 'Deal' },
    { label: 'Amount', numeric: true },
    { label: 'Ledger' },
    { label: 'CRO view' },
    { label: 'Why' },
  ],
  deals
    .slice(0, BREAKDOWN_ROWS_SHOWN)
    .map((deal) => [
      `${deal.dealName} (${deal.opportunityId})`,
      formatUsdExact(deal.amount),
      deal.ledgerRelationship,
      deal.croCountsAsPartner ? 'partner' : 'not partner',
      deal.explanation,
    ]),
  'difference-deals',
)}
${moreRowsHtml(report, deals, 'attribution-difference-deals')}`
}`,
  );
}

const awsExplanation =
  'What AWS Partner Central (ACE) shows of the opportunities shared with AWS in the quarter: AWS’s review status and the ACE stage as Partner Central last reported them to the ledger, with the deals’ amounts. It never changes partner attribution; where ACE and HubSpot disagree, a COSELL finding says how.';

const awsOff =
  'Co-sell is off in the policy (coSell.enabled): nothing is shared with AWS Partner Central, so there is no AWS view and no co-sell finding.';

/** The AWS view's figures as rows: label, opportunities, amount. */
function awsRows(view: NonNullable<QbrReport['awsView']>): (readonly [string, number, string])[] {
  return awsViewFigureRows(view).map(
    (row) => [row.label, row.opportunities, formatUsdExact(row.amount)] as const,
  );
}

function awsHtml(report: QbrReport, charts: readonly QbrChart[], sources: ChartSources): SafeHtml {
  const view = report.awsView;
  if (view === undefined) return html``;
  if (view === null) {
    return section(
      'aws-view',
      'The AWS view: Partner Central',
      html`<p style="${style.small}">${awsOff}</p>`,
    );
  }
  const count = (figure: { opportunities: number; amount: number }) =>
    `${figure.opportunities} · ${formatUsdExact(figure.amount)}`;
  return section(
    'aws-view',
    `The AWS view: Partner Central (${view.catalog} catalog)`,
    html`<p style="${style.small}">${awsExplanation}</p>
${chartHtml(charts, 'aws', sources)}
${table(
  [{ label: 'In ACE' }, { label: 'Opportunities', numeric: true }, { label: 'Amount', numeric: true }],
  awsRows(view),
  'aws-view-figures',
)}
${
  view.byPartner.length > 0 &&
  html`<p style="${style.paragraph}margin-bottom:4px;font-weight:600;">By partner (opportunities · amount)</p>
${table(
  [
    { label: 'Partner' },
    { label: 'Shared', numeric: true },
    { label: 'Submitted', numeric: true },
    { label: 'Approved', numeric: true },
    { label: 'Action Required', numeric: true },
    { label: 'Rejected', numeric: true },
    { label: 'Launched', numeric: true },
    { label: 'Closed Lost', numeric: true },
  ],
  view.byPartner
    .slice(0, BREAKDOWN_ROWS_SHOWN)
    .map((row) => [
      row.label,
      count(row.shared),
      count(row.submitted),
      count(row.approved),
      count(row.actionRequired),
      count(row.rejected),
      count(row.launched),
      count(row.closedLost),
    ]),
  'aws-view-partners',
)}
${moreRowsHtml(report, view.byPartner, 'aws-view-by-partner')}`
}`,
  );
}

function awsText(report: QbrReport): string[] {
  const view = report.awsView;
  if (view === undefined) return [];
  if (view === null) return [`AWS VIEW (Partner Central)\n  ${awsOff}`];
  const figures = awsRows(view)
    .map(([label, opportunities, amount]) => `  ${label}: ${opportunities} (${amount})`)
    .join('\n');
  const partners = view.byPartner
    .slice(0, BREAKDOWN_ROWS_SHOWN)
    .map(
      (row) =>
        `\n  - ${row.label}: shared ${row.shared.opportunities} (${formatUsdExact(row.shared.amount)}), submitted ${row.submitted.opportunities}, approved ${row.approved.opportunities}, action required ${row.actionRequired.opportunities}, rejected ${row.rejected.opportunities}, launched ${row.launched.opportunities} (${formatUsdExact(row.launched.amount)}), closed lost ${row.closedLost.opportunities}`,
    )
    .join('');
  const more = moreRows(report, view.byPartner, 'aws-view-by-partner');
  return [
    `AWS VIEW (Partner Central, ${view.catalog} catalog)\n  ${awsExplanation}\n${figures}${partners}${more === '' ? '' : `\n  ${more}`}`,
  ];
}

/** Whether the figures were reconciled with HubSpot, in words: a report computed without it must not say so. */
function checkedAgainstText(report: QbrReport): string {
  return report.hubspotRead === false
    ? 'not checked against HubSpot (HubSpot was not read for this report)'
    : 'checked against HubSpot';
}

/** The findings section of a report without findings. */
function noFindingsText(report: QbrReport): string {
  return report.hubspotRead === false
    ? 'No findings from the ledger and registrations; HubSpot was not read, so nothing was reconciled with it.'
    : 'No findings: the ledger and HubSpot agree.';
}

/** The report's moment as the reader reads it, in the report's zone, with the instant itself: `Mon 14 Dec 2026, 12:00 EST (2026-12-14T17:00:00.000Z)`. */
function asOfText(report: QbrReport): string {
  return `${localTime(report.asOf, report.timeZone)} (${report.asOf})`;
}

/** The rows of a table beyond those the email lists (its CSV file holds them all), in words; '' when none. */
function moreRows(report: QbrReport, rows: readonly unknown[], table: string): string {
  const hidden = rows.length - BREAKDOWN_ROWS_SHOWN;
  return hidden > 0 ? `${hidden} more in qbr-${report.quarter}-${table}.csv.` : '';
}

/** The sentence under a shortened table, naming the CSV file with the rest; nothing when none is left out. */
function moreRowsHtml(report: QbrReport, rows: readonly unknown[], table: string): SafeHtml {
  const more = moreRows(report, rows, table);
  return html`${more !== '' && html`<p style="${style.small}margin-bottom:16px;">${more}</p>`}`;
}

/** The investments beyond those the email lists (the CSV attachment holds them all), in words; '' when none. */
function moreInvestments(report: QbrReport): string {
  return moreRows(report, report.investments, 'roi-investments');
}

/** The first investments of the report, as the email lists them. */
function investmentRows(report: QbrReport): string[][] {
  return report.investments
    .slice(0, BREAKDOWN_ROWS_SHOWN)
    .map((row) => [
      row.investmentId,
      row.investmentType,
      formatUsdExact(row.invested),
      formatUsdExact(row.closedWonRevenue),
      row.attributedThrough === 'opportunity'
        ? `opportunity ${row.opportunityId} (named by the investment)`
        : `campaign ${row.campaignId}`,
    ]);
}

function roiHtml(report: QbrReport, charts: readonly QbrChart[], sources: ChartSources): SafeHtml {
  return section(
    'roi',
    'ROI by investment type',
    report.roiByInvestmentType.length === 0
      ? html`<p style="${style.paragraph}">No investment was recorded for the quarter.</p>`
      : html`${chartHtml(charts, 'roi', sources)}
<p style="${style.small}">Revenue won in the quarter: an investment that names an opportunity earns that opportunity’s revenue; any other earns a share of its campaign’s (in proportion to what it invested), not counting opportunities an investment names.</p>
${table(
  [
    { label: 'Investment type' },
    { label: 'Invested', numeric: true },
    { label: 'Closed-won revenue', numeric: true },
    { label: 'ROI', numeric: true },
    { label: 'Attributed through' },
  ],
  report.roiByInvestmentType.map((row) => [
    row.investmentType,
    formatUsdExact(row.invested),
    formatUsdExact(row.closedWonRevenue),
    formatPercent(row.roi),
    row.attributedThrough,
  ]),
  'roi-table',
)}
${table(
  [
    { label: 'Investment' },
    { label: 'Type' },
    { label: 'Invested', numeric: true },
    { label: 'Closed-won revenue', numeric: true },
    { label: 'Revenue of' },
  ],
  investmentRows(report),
  'roi-investments',
)}
${moreInvestments(report) !== '' && html`<p style="${style.small}margin-bottom:16px;">${moreInvestments(report)}</p>`}`,
  );
}

function slaRows(report: QbrReport): (readonly [string, string])[] {
  return slaFigures(report).map((figure) => [figure.label, figure.text] as const);
}

function slaHtml(report: QbrReport, charts: readonly QbrChart[], sources: ChartSources): SafeHtml {
  return section(
    'sla',
    'SLA compliance and exceptions',
    html`${chartHtml(charts, 'sla', sources)}
${chartHtml(charts, 'sla-follow-up', sources)}
${table([{ label: 'Measure' }, { label: 'Value', numeric: true }], slaRows(report), 'sla-table')}
${
  report.exceptions.length === 0
    ? html`<p style="${style.paragraph}">No decision departed from its rule’s verdict.</p>`
    : html`<p style="${style.paragraph}margin-bottom:4px;font-weight:600;">Decisions that departed from the rule’s verdict</p>
${table(
  [
    { label: 'Registration' },
    { label: 'Decided by' },
    { label: 'Rule' },
    { label: 'Decision' },
    { label: 'Reason' },
  ],
  report.exceptions
    .slice(0, BREAKDOWN_ROWS_SHOWN)
    .map((exception) => [
      `${exception.registrationId} (${calendarDateOf(exception.decidedAt, report.timeZone)})`,
      exception.decidedBy,
      exception.verdictRuleId,
      exception.decision,
      exception.reason,
    ]),
  'exceptions',
)}
${moreRowsHtml(report, report.exceptions, 'exceptions')}`
}`,
  );
}

function findingSubject(finding: Finding): string {
  return [
    finding.opportunityId && `opportunity ${finding.opportunityId}`,
    finding.registrationId && `registration ${finding.registrationId}`,
  ]
    .filter(Boolean)
    .join(', ');
}

/** Who and what the finding is about: partner, customer, amount, owner, deadline; links as links. */
function findingContextHtml(finding: Finding): SafeHtml {
  const rows = contextRows(finding);
  if (rows.length === 0) return html``;
  const links = new Set(finding.context?.links.map((link) => link.url));
  return html`<span class="qbr-finding-context">${rows.map(
    ([label, value], index) =>
      html`${index > 0 ? ' · ' : ''}<strong>${label}:</strong> ${links.has(value) ? html`<a href="${value}">${value}</a>` : value}`,
  )}</span><br>`;
}

/** The evidence as a small (label, value) table, times in the report's zone. */
function evidenceHtml(finding: Finding, timeZone: string): SafeHtml {
  const rows = evidenceRows(finding.evidence, timeZone);
  if (rows.length === 0) return html``;
  return html`<table role="presentation" class="qbr-evidence" cellpadding="0" cellspacing="0" border="0" style="${style.table}margin:4px 0;">
${rows.map(
  ([label, value]) =>
    html`<tr><th scope="row" style="${style.evidenceCell}text-align:left;font-weight:600;">${label}</th><td style="${style.evidenceCell}">${value}</td></tr>`,
)}
</table>`;
}

/** The findings a rendering lists (ranked, most severe first) and the sentence naming where the rest are; '' when none is left out. */
function shownFindings(
  report: QbrReport,
  limit: number | undefined,
  filesAttached = true,
): { shown: Finding[]; rest: string } {
  const ranked = rankFindings(report.findings);
  if (limit === undefined || ranked.length <= limit) return { shown: ranked, rest: '' };
  const hidden = ranked.length - limit;
  return {
    shown: ranked.slice(0, limit),
    rest: `And ${hidden} more finding${hidden === 1 ? '' : 's'} in the full report: qbr-${report.quarter}-findings.csv and ${qbrReportJsonFilename(report)}, ${filesAttached ? 'attached' : 'not attached (the end of this email says where they are)'}.`,
  };
}

function findingsHtml(report: QbrReport, limit: number | undefined, filesAttached = true): SafeHtml {
  const { shown, rest } = shownFindings(report, limit, filesAttached);
  return section(
    'findings',
    'Findings to fix before the meeting',
    report.findings.length === 0
      ? html`<p style="${style.paragraph}">${noFindingsText(report)}</p>`
      : html`<ol style="margin:0 0 16px 0;padding:0 0 0 20px;">
${shown.map((finding) => {
  const subject = findingSubject(finding);
  return html`<li class="qbr-finding" style="${style.paragraph}margin-bottom:12px;">
<span style="display:inline-block;padding:1px 6px;background-color:${severityColor[finding.severity]};color:#ffffff;font-size:12px;font-weight:600;text-transform:uppercase;">${finding.severity}</span>
<code style="${style.code}">${finding.code}</code>${subject && html` · ${subject}`}<br>
${finding.detail}<br>
${findingContextHtml(finding)}
${evidenceHtml(finding, report.timeZone)}
<strong>Fix:</strong> ${finding.fix}
</li>`;
})}
</ol>${rest && html`<p class="qbr-findings-rest" style="${style.paragraph}">${rest}</p>`}`,
  );
}

function footerHtml(report: QbrReport, attachments: readonly string[], filesNote?: string): SafeHtml {
  return html`<p style="${style.small}">Figures as of ${report.asOf} for fiscal quarter ${quarterText(report)}; times in ${report.timeZone}; computed ${report.generatedAt}; policy version ${report.policyVersion}. ${integrityFigure(report).label}: ${integrityFigure(report).text}.</p>
${attachments.length > 0 && html`<p style="${style.small}">Attached: ${attachments.join(', ')}.</p>`}${filesNote !== undefined && html`<p style="${style.paragraph}"><strong>${filesNote}</strong></p>`}`;
}

/** The report's body; `findingsShown` caps the findings listed (the email's), undefined lists them all. */
function bodyHtml(
  report: QbrReport,
  charts: readonly QbrChart[],
  sources: ChartSources,
  findingsShown?: number,
  filesAttached = true,
): SafeHtml {
  const { counts } = findingCounts(report);
  const excluded = excludedEntriesText(report);
  return html`<p style="${style.paragraph}">The partner figures for ${quarterText(report)} as of ${asOfText(report)}, ${checkedAgainstText(report)}: ${counts}.${excluded && html` <strong>${capitalised(excluded)}.</strong>`}</p>
${scorecardHtml(report)}
${findingsHtml(report, findingsShown, filesAttached)}
${funnelHtml(report, charts, sources)}
${attributionHtml(report, charts, sources)}
${awsHtml(report, charts, sources)}
${roiHtml(report, charts, sources)}
${slaHtml(report, charts, sources)}`;
}

function findingCounts(report: QbrReport): { counts: string; urgent: number } {
  const c = report.scorecard.findings;
  const total = report.findings.length;
  const counts =
    total === 0
      ? 'no findings'
      : `${total} finding${total === 1 ? '' : 's'} (${c.critical} critical, ${c.high} high, ${c.medium} medium, ${c.low} low)`;
  return { counts, urgent: c.critical + c.high };
}

function subject(report: QbrReport): string {
  const { urgent } = findingCounts(report);
  const attention =
    urgent === 0
      ? 'no critical or high findings'
      : `${urgent} critical or high finding${urgent === 1 ? '' : 's'}`;
  const cro = report.attribution.croPartnerRevenue;
  return subjectLine(
    `Pre-QBR check ${report.quarter}: ${attention}; partner-sourced ${formatUsd(report.attribution.partnerSourcedRevenue)} vs CRO view ${cro === null ? 'not available' : formatUsd(cro)}`,
  );
}

function textPart(
  report: QbrReport,
  charts: readonly QbrChart[],
  attachments: readonly string[],
  filesNote?: string,
): string {
  const lines = (rows: readonly (readonly [string, string | number])[]) =>
    rows.map(([label, value]) => `  ${label}: ${value}`).join('\n');
  const breakdownText = breakdowns(report)
    .filter((breakdown) => breakdown.rows.length > 0)
    .map(
      (breakdown) =>
        `${breakdown.title}:\n${breakdown.rows
          .slice(0, BREAKDOWN_ROWS_SHOWN)
          .map((row) => {
            const [label, ...cells] = breakdownRow(row);
            return `  ${label}: submitted ${cells[0]}, approved ${cells[1]}, opportunities ${cells[2]}, won ${cells[3]}, ${cells[4]}`;
          })
          .join('\n')}`,
    );
  const chartsText = charts.map((chart) => `[${chart.title}] ${chart.alt}`);
  const moreLine = (rows: readonly unknown[], table: string) => {
    const more = moreRows(report, rows, table);
    return more === '' ? '' : `\n  ${more}`;
  };
  const { shown, rest } = shownFindings(report, FINDINGS_SHOWN, filesNote === undefined);
  const findingsText =
    report.findings.length === 0
      ? [noFindingsText(report)]
      : shown.map((finding, index) => {
          const about = findingSubject(finding);
          const context = contextText(finding);
          return `${index + 1}. [${finding.severity.toUpperCase()}] ${finding.code}${about ? ` · ${about}` : ''}\n   ${finding.detail}${context ? `\n   ${context}` : ''}\n   Evidence: ${evidenceText(finding.evidence, report.timeZone)}\n   Fix: ${finding.fix}`;
        });
  return renderTextLayout({
    title: `Pre-QBR check ${report.quarter}`,
    sections: [
      `The partner figures for ${quarterText(report)} as of ${asOfText(report)}, ${checkedAgainstText(report)}: ${findingCounts(report).counts}.${excludedEntriesText(report) === '' ? '' : ` ${capitalised(excludedEntriesText(report))}.`}`,
      `SCORECARD\n${lines(scorecardTiles(report).map((tile) => [tile.label, tile.value] as const))}`,
      `FINDINGS (most severe first)\n${[...findingsText, ...(rest === '' ? [] : [rest])].join('\n')}`,
      `FUNNEL\n${lines(funnelStages(report).map(([stage, count, conversion]) => [stage, conversion ? `${count} (${conversion})` : count] as const))}`,
      ...breakdownText,
      `ATTRIBUTION\n${lines(attributionRows(report))}${report.attribution.differenceDeals
        .slice(0, BREAKDOWN_ROWS_SHOWN)
        .map(
          (deal) =>
            `\n  - ${deal.dealName} (${deal.opportunityId}) ${formatUsdExact(deal.amount)}: ledger ${deal.ledgerRelationship}, CRO view ${deal.croCountsAsPartner ? 'partner' : 'not partner'}. ${deal.explanation}`,
        )
        .join('')}${moreLine(report.attribution.differenceDeals, 'attribution-difference-deals')}`,
      ...awsText(report),
      `ROI BY INVESTMENT TYPE\n${
        report.roiByInvestmentType.length === 0
          ? '  No investment was recorded for the quarter.'
          : lines(
              report.roiByInvestmentType.map(
                (row) =>
                  [
                    row.investmentType,
                    `invested ${formatUsdExact(row.invested)}, closed-won ${formatUsdExact(row.closedWonRevenue)}, ROI ${formatPercent(row.roi)} (${row.attributedThrough})`,
                  ] as const,
              ),
            )
      }${investmentRows(report)
        .map(
          ([id, type, invested, revenue, of]) =>
            `\n  - ${id} (${type}): invested ${invested}, closed-won ${revenue}, revenue of ${of}`,
        )
        .join('')}${moreInvestments(report) === '' ? '' : `\n  ${moreInvestments(report)}`}`,
      `SLA\n${lines(slaRows(report))}${report.exceptions
        .slice(0, BREAKDOWN_ROWS_SHOWN)
        .map(
          (exception) =>
            `\n  - Exception ${exception.registrationId} (${calendarDateOf(exception.decidedAt, report.timeZone)}): ${exception.decision} by ${exception.decidedBy} against rule ${exception.verdictRuleId}. ${exception.reason}`,
        )
        .join('')}${moreLine(report.exceptions, 'exceptions')}`,
      `CHARTS\n${chartsText.join('\n')}`,
    ],
    footer: [
      `Figures as of ${report.asOf} for fiscal quarter ${quarterText(report)}; times in ${report.timeZone}; computed ${report.generatedAt}; policy version ${report.policyVersion}. ${integrityFigure(report).label}: ${integrityFigure(report).text}.`,
      ...(attachments.length > 0 ? [`Attached: ${attachments.join(', ')}.`] : []),
      ...(filesNote === undefined ? [] : [filesNote]),
    ],
  });
}

function checkedReport(report: QbrReport): QbrReport {
  return EmailTemplateInputError.check(QBR_REPORT_TEMPLATE, qbrReportSchema, report);
}

export interface QbrReportEmailOptions {
  /**
   * Leave the CSV files and the JSON document out, saying why and where they are instead (a
   * sentence ending with a full stop): the email with them would be larger than the mail service
   * accepts. The charts stay inline.
   */
  readonly filesLeftOut?: string;
}

/**
 * The pre-QBR email to leadership: a one-screen scorecard, the ranked findings with evidence and
 * fix, the funnel with the conversion at every stage and its breakdowns, sourced and influenced
 * revenue beside the CRO figure with the deals that explain the difference, ROI by investment
 * type, SLA compliance and exceptions. The findings come right after the scorecard: Gmail shows
 * only the first 102 KB of an email's HTML ("[Message clipped] View entire message"), and what
 * leadership must fix before the meeting must not be behind it; the tables are in the CSV files.
 * Charts are inline PNGs (`cid:`; mail clients block SVG); the CSV files and the JSON document
 * are attached. Every value is escaped.
 *
 * @throws EmailTemplateInputError when the report or a recipient is invalid.
 * @throws ChartRenderError when a chart cannot be drawn.
 */
export async function renderQbrReportEmail(
  report: QbrReport,
  to: readonly string[],
  options: QbrReportEmailOptions = {},
): Promise<OutgoingEmail> {
  const input = EmailTemplateInputError.check(QBR_REPORT_TEMPLATE, qbrEmailInputSchema, { report, to });
  const checked = input.report;
  const charts = await renderQbrCharts(checked);
  const csvFiles = qbrReportCsvFiles(checked);
  const jsonFile = qbrReportJsonFilename(checked);
  const fileAttachments: EmailAttachment[] = [
    ...csvFiles.map((file) => ({
      filename: file.filename,
      contentType: 'text/csv; charset=utf-8',
      content: file.content,
    })),
    { filename: jsonFile, contentType: 'application/json', content: `${JSON.stringify(checked, null, 2)}\n` },
  ];
  const leftOut = options.filesLeftOut;
  const files = leftOut === undefined ? fileAttachments : [];
  const attachmentNames = files.map((file) => file.filename);
  const filesNote =
    leftOut === undefined
      ? undefined
      : `The CSV files and the JSON document (${fileAttachments.map((file) => file.filename).join(', ')}) are not attached: ${leftOut}`;
  const sources: ChartSources = { src: (chart) => `cid:${chartContentId(chart)}` };
  const attachments: EmailAttachment[] = [
    ...charts.map((chart) => ({
      filename: `qbr-${checked.quarter}-${chart.id}.png`,
      contentType: 'image/png',
      content: chart.image.png,
      contentId: chartContentId(chart),
    })),
    ...files,
  ];
  return {
    template: QBR_REPORT_TEMPLATE,
    to: input.to,
    subject: subject(checked),
    html: renderHtmlLayout({
      title: `Pre-QBR check ${checked.quarter}`,
      preheader: `${findingCounts(checked).counts}; partner-sourced ${formatUsd(checked.attribution.partnerSourcedRevenue)}`,
      body: bodyHtml(checked, charts, sources, FINDINGS_SHOWN, filesNote === undefined),
      footer: footerHtml(checked, attachmentNames, filesNote),
    }),
    text: textPart(checked, charts, attachmentNames, filesNote),
    attachments,
  };
}

/**
 * The same report as one standalone HTML page (`dealreg qbr check --format html`, the stored
 * copy): the charts are embedded as `data:` URIs, so the file opens anywhere without its
 * attachments.
 *
 * @throws EmailTemplateInputError when the report is invalid.
 * @throws ChartRenderError when a chart cannot be drawn.
 */
export async function renderQbrReportHtml(report: QbrReport): Promise<string> {
  const checked = checkedReport(report);
  const charts = await renderQbrCharts(checked);
  const sources: ChartSources = {
    src: (chart) => `data:image/png;base64,${Buffer.from(chart.image.png).toString('base64')}`,
  };
  return renderHtmlLayout({
    title: `Pre-QBR check ${checked.quarter}`,
    body: bodyHtml(checked, charts, sources),
    footer: footerHtml(checked, []),
  });
}
