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
 * SLA compliance of the decisions taken in the quarter through the approval loop (automatic
 * decisions have no SLA): within SLA means decided by the first level's deadline and not by the
 * policy default; hours to decision are business hours from the first request, less the hours
 * the clock stood paused.
 */
export function slaSummary(
  records: readonly QbrRegistration[],
  quarter: FiscalQuarter,
  asOf: string,
  calendar: BusinessCalendar,
): SlaSummary {
  let decisions = 0;
  let withinSla = 0;
  let reminders = 0;
  let escalations = 0;
  let defaulted = 0;
  const hours: number[] = [];
  for (const record of records) {
    const { decision, sla } = record.progress ?? {};
    if (decision === undefined || sla === undefined || !decidedIn(record, quarter, asOf)) continue;
    decisions += 1;
    reminders += sla.reminders;
    escalations += sla.escalations;
    if (sla.defaulted) defaulted += 1;
    if (!sla.defaulted && iso(decision.decidedAt) <= iso(sla.deadline)) withinSla += 1;
    const elapsed = businessHoursBetween(new Date(sla.requestedAt), new Date(decision.decidedAt), calendar);
    hours.push(Math.max(0, elapsed - sla.pausedHours));
  }
  return { decisions, withinSla, reminders, escalations, defaulted, medianHoursToDecision: median(hours) };
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
