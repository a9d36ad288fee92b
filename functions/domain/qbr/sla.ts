import type { BusinessCalendar } from '#domain/business-hours/business-calendar.ts';
import { businessHoursBetween } from '#domain/business-hours/business-hours.ts';
import type { FiscalQuarter } from '#domain/ledger/fiscal-quarter.ts';
import type { QbrRegistration } from './registration-view.ts';
import type { QbrException, SlaSummary } from './report.ts';

const iso = (value: string) => new Date(value).toISOString();

/** Whether the record's decision was taken in the quarter, by asOf. */
export function decidedIn(record: QbrRegistration, quarter: FiscalQuarter, asOf: string): boolean {
  const decidedAt = record.progress?.decision?.decidedAt;
  if (decidedAt === undefined) return false;
  const at = iso(decidedAt);
  return at >= quarter.start && at < quarter.end && at <= asOf;
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const value =
    sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
  return Math.round(value * 100) / 100;
}

/**
 * One approval the quarter's SLA figures count: a registration sent to an approver and either
 * decided in the quarter (by asOf) or still waiting at asOf (requested before the quarter ended).
 * The SLA table and the SLA_BREACH findings are both read from these, so their reminders and
 * escalations always add up the same way.
 */
export interface SlaCase {
  readonly record: QbrRegistration;
  readonly state: 'decided' | 'waiting';
  readonly requestedAt: string;
  readonly deadline: string;
  /** Decided cases only. */
  readonly decidedAt: string | undefined;
  readonly reminders: number;
  readonly escalations: number;
  readonly defaulted: boolean;
  /** Decided by the deadline and not by the policy default; false while waiting. */
  readonly withinSla: boolean;
  /** Decided late or by the default, or still waiting past its deadline. */
  readonly breached: boolean;
  readonly pausedHours: number;
}

/** Every approval the quarter's SLA figures count (see {@link SlaCase}), in table order. */
export function slaCases(
  records: readonly QbrRegistration[],
  quarter: FiscalQuarter,
  asOf: string,
): SlaCase[] {
  const cases: SlaCase[] = [];
  for (const record of records) {
    const { decision, sla, status } = record.progress ?? {};
    if (sla === undefined) continue;
    const requestedAt = iso(sla.requestedAt);
    const deadline = iso(sla.deadline);
    const base = {
      record,
      requestedAt,
      deadline,
      reminders: sla.reminders,
      escalations: sla.escalations,
      defaulted: sla.defaulted,
      pausedHours: sla.pausedHours,
    };
    if (decision !== undefined && decidedIn(record, quarter, asOf)) {
      const decidedAt = iso(decision.decidedAt);
      const withinSla = !sla.defaulted && decidedAt <= deadline;
      cases.push({ ...base, state: 'decided', decidedAt, withinSla, breached: !withinSla });
    } else if (
      (decision === undefined || iso(decision.decidedAt) > asOf) &&
      (decision !== undefined || status === 'in-review' || status === 'awaiting-information') &&
      requestedAt <= asOf &&
      requestedAt < quarter.end
    ) {
      // What the record says now may be later than asOf: waiting at asOf, nobody had defaulted it yet.
      cases.push({
        ...base,
        defaulted: false,
        state: 'waiting',
        decidedAt: undefined,
        withinSla: false,
        breached: deadline < asOf,
      });
    }
  }
  return cases;
}

/**
 * SLA compliance of the approvals of the quarter (automatic decisions have no SLA): decisions
 * taken in the quarter through the approval loop, and approvals still waiting at asOf. Within
 * SLA means decided by the first level's deadline and not by the policy default; reminders and
 * escalations are those of every approval counted, decided or waiting; hours to decision are
 * business hours from the first request, less the hours the clock stood paused.
 */
export function slaSummary(cases: readonly SlaCase[], calendar: BusinessCalendar): SlaSummary {
  let decisions = 0;
  let withinSla = 0;
  let reminders = 0;
  let escalations = 0;
  let defaulted = 0;
  let waiting = 0;
  let waitingPastDeadline = 0;
  const hours: number[] = [];
  for (const item of cases) {
    reminders += item.reminders;
    escalations += item.escalations;
    if (item.state === 'waiting') {
      waiting += 1;
      if (item.breached) waitingPastDeadline += 1;
      continue;
    }
    decisions += 1;
    if (item.defaulted) defaulted += 1;
    if (item.withinSla) withinSla += 1;
    const elapsed = businessHoursBetween(
      new Date(item.requestedAt),
      new Date(item.decidedAt ?? item.requestedAt),
      calendar,
    );
    hours.push(Math.max(0, elapsed - item.pausedHours));
  }
  return {
    approvals: cases.length,
    decisions,
    withinSla,
    waiting,
    waitingPastDeadline,
    breaches: cases.filter((item) => item.breached).length,
    reminders,
    escalations,
    defaulted,
    medianHoursToDecision: median(hours),
  };
}

/** Decisions taken in the quarter that departed from the conflict verdict's rule, oldest first. */
export function policyExceptions(
  records: readonly QbrRegistration[],
  quarter: FiscalQuarter,
  asOf: string,
): QbrException[] {
  const exceptions: QbrException[] = [];
  for (const record of records) {
    const { decision, verdict } = record.progress ?? {};
    if (decision === undefined || !decision.exception || !decidedIn(record, quarter, asOf)) continue;
    exceptions.push({
      registrationId: record.registrationId,
      decidedBy: decision.decidedBy.email,
      decidedAt: iso(decision.decidedAt),
      verdictRuleId: verdict?.ruleId ?? 'none',
      decision:
        decision.outcome === 'approve'
          ? `approved${decision.relationshipType === undefined ? '' : ` as ${decision.relationshipType}`}`
          : 'rejected',
      reason: decision.reason,
    });
  }
  return exceptions.sort((a, b) =>
    a.decidedAt !== b.decidedAt
      ? a.decidedAt < b.decidedAt
        ? -1
        : 1
      : a.registrationId < b.registrationId
        ? -1
        : 1,
  );
}
