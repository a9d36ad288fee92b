import type { QbrReport } from '#domain/qbr/report.ts';
import { formatPercent, formatUsd } from './qbr-figures.ts';

/**
 * A figure of the pre-QBR report as every rendering shows it: the HTML scorecard and tables, the
 * plain-text email, the CSV scorecard and the CLI summary all take the label and the words from
 * here, and the JSON document holds `value` at `path`. One computation (in the domain), one
 * wording, so the same number never reads two ways.
 */
export interface HeadlineFigure {
  readonly key: string;
  /** What the figure counts, in words a RevOps lead would use. */
  readonly label: string;
  /** The figure as written in the report (`2 of 3 decisions (66.7%)`). */
  readonly text: string;
  /** The number behind it (JSON and CSV); null when it has none (no denominator, not available). */
  readonly value: number | null;
  /** Where `value` is in the report's JSON document (dot-separated). */
  readonly path: string;
}

const count = (value: number) => value.toLocaleString('en-US');

/**
 * The entries no figure counts because they fail the ledger check, and why, in words; '' when
 * none was left out.
 */
export function excludedEntriesText(report: QbrReport): string {
  const excluded = report.integrity.excludedEntries;
  if (excluded === 0) return '';
  return excluded === 1
    ? '1 entry left out of every figure: it fails the ledger check (the first bad entry of a broken chain and the entries after it)'
    : `${count(excluded)} entries left out of every figure: they fail the ledger check (the first bad entry of each broken chain and the entries after it)`;
}

/** The ledger's integrity, counted as `ledger verify` counts it, with the entries no figure counts. */
export function integrityFigure(report: QbrReport): HeadlineFigure {
  const { chains, chainsNotInLedger, entries, broken, digests } = report.integrity;
  const excluded = excludedEntriesText(report);
  const sealed =
    digests.status === 'checked'
      ? ''
      : digests.status === 'none'
        ? '; no digests to check against'
        : '; no digest for this ledger (the digests found describe another ledger)';
  const chainsWord = chains === 1 ? 'chain' : 'chains';
  const gone = chainsNotInLedger === 0 ? '' : `, ${count(chainsNotInLedger)} of them no longer in the ledger`;
  return {
    key: 'ledger-integrity',
    label: 'Ledger hash chains broken (of all chains, as ledger verify counts them)',
    text:
      broken === 0
        ? `0 of ${count(chains)} ${chainsWord} broken (${count(entries)} entries)${sealed}`
        : `${count(broken)} of ${count(chains)} ${chainsWord} broken${gone} (${count(entries)} entries)${sealed}${excluded === '' ? '' : `; ${excluded}`}`,
    value: broken,
    path: 'integrity.broken',
  };
}

/**
 * The SLA figures: every count is over the same approvals (decided in the quarter, or still
 * waiting at asOf) as the SLA_BREACH findings, and says so.
 */
export function slaFigures(report: QbrReport): HeadlineFigure[] {
  const { sla } = report;
  return [
    {
      key: 'sla-approvals',
      label: 'Approvals counted (decided in the quarter or still waiting)',
      text: `${count(sla.approvals)} (${count(sla.decisions)} decided, ${count(sla.waiting)} waiting)`,
      value: sla.approvals,
      path: 'sla.approvals',
    },
    {
      key: 'sla-within',
      label: 'Decisions within SLA',
      // Out of the decisions and the approvals still waiting past their deadline (breaches too).
      text: `${count(sla.withinSla)} of ${count(sla.decisions + sla.waitingPastDeadline)} (${formatPercent(report.scorecard.slaCompliance)}${sla.waitingPastDeadline === 0 ? '' : `; ${count(sla.decisions)} decided, ${count(sla.waitingPastDeadline)} still waiting past the deadline`})`,
      value: sla.withinSla,
      path: 'sla.withinSla',
    },
    {
      key: 'sla-breaches',
      label: 'SLA breaches (one finding each: decided late, by the default, or waiting past the deadline)',
      text: `${count(sla.breaches)} (${count(sla.waitingPastDeadline)} still waiting past the deadline)`,
      value: sla.breaches,
      path: 'sla.breaches',
    },
    {
      key: 'sla-reminders',
      label: 'Reminders sent (all approvals counted, decided or waiting)',
      text: count(sla.reminders),
      value: sla.reminders,
      path: 'sla.reminders',
    },
    {
      key: 'sla-escalations',
      label: 'Escalations (all approvals counted, decided or waiting)',
      text: count(sla.escalations),
      value: sla.escalations,
      path: 'sla.escalations',
    },
    {
      key: 'sla-defaulted',
      label: 'Decided by the SLA default',
      text: count(sla.defaulted),
      value: sla.defaulted,
      path: 'sla.defaulted',
    },
    {
      key: 'sla-median',
      label: 'Median business hours to decision',
      text: sla.medianHoursToDecision === null ? 'n/a' : `${sla.medianHoursToDecision.toFixed(1)} hours`,
      value: sla.medianHoursToDecision,
      path: 'sla.medianHoursToDecision',
    },
  ];
}

/** The CRO's partner revenue, or why it is not available. */
export function croFigure(report: QbrReport): HeadlineFigure {
  const { attribution } = report;
  return {
    key: 'cro-partner-revenue',
    label: `Partner revenue (CRO view: HubSpot ${attribution.croView.dealProperty})`,
    text:
      attribution.croPartnerRevenue === null
        ? `not available: ${attribution.croView.unavailableReason ?? 'no HubSpot data'}`
        : formatUsd(attribution.croPartnerRevenue),
    value: attribution.croPartnerRevenue,
    path: 'attribution.croPartnerRevenue',
  };
}

/** `1 deal`, `3 deals`. */
const deals = (n: number) => `${count(n)} deal${n === 1 ? '' : 's'}`;

/** The scorecard: the headline figures of the one-screen summary, in order. */
export function headlineFigures(report: QbrReport): HeadlineFigure[] {
  const { scorecard, funnel, attribution } = report;
  const counts = scorecard.findings;
  const sla = slaFigures(report);
  return [
    {
      key: 'closed-won-in-quarter',
      label: 'Closed-won in the quarter (every ledger deal won in it)',
      text: formatUsd(scorecard.closedWonAmount),
      value: scorecard.closedWonAmount,
      path: 'scorecard.closedWonAmount',
    },
    {
      key: 'closed-won-of-cohort',
      label: 'Closed-won by registrations of the quarter (funnel)',
      text: `${formatUsd(funnel.closedWonAmount)} (${deals(funnel.closedWon)})`,
      value: funnel.closedWonAmount,
      path: 'funnel.closedWonAmount',
    },
    {
      key: 'partner-sourced',
      label: 'Partner-sourced revenue (ledger)',
      text: formatUsd(attribution.partnerSourcedRevenue),
      value: attribution.partnerSourcedRevenue,
      path: 'attribution.partnerSourcedRevenue',
    },
    croFigure(report),
    {
      key: 'sourced-minus-cro',
      label: 'Sourced minus CRO view',
      text:
        attribution.difference === null
          ? 'not available: the CRO view is not available'
          : `${formatUsd(attribution.difference)} (${deals(attribution.differenceDeals.length)})`,
      value: attribution.difference,
      path: 'attribution.difference',
    },
    {
      key: 'registration-to-won',
      label: 'Registrations of the quarter that reached closed-won',
      text: `${count(funnel.closedWon)} of ${count(funnel.submitted)} (${formatPercent(funnel.submitted === 0 ? null : funnel.closedWon / funnel.submitted)})`,
      value: funnel.closedWon,
      path: 'funnel.closedWon',
    },
    ...sla.filter((figure) => figure.key === 'sla-within' || figure.key === 'sla-breaches'),
    {
      key: 'findings',
      label: 'Findings to fix',
      text: `${count(report.findings.length)} (${counts.critical} critical, ${counts.high} high, ${counts.medium} medium, ${counts.low} low)`,
      value: report.findings.length,
      path: 'findings.length',
    },
    integrityFigure(report),
    {
      key: 'exceptions',
      label: 'Policy exceptions (decisions against the rule’s verdict)',
      text: count(report.exceptions.length),
      value: report.exceptions.length,
      path: 'exceptions.length',
    },
  ];
}
