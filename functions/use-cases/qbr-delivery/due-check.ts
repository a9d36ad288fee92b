/** Step 1 of the pre-QBR workflow: is the check due? */
import * as z from 'zod';
import type { LoadedPolicy } from '#domain/policy/load-policy.ts';
import { nextQbrCheck, quarterContaining } from '#domain/qbr/fiscal-calendar.ts';
import { momentSchema, parseStepInput, type QbrRun, QbrStepInputError, quarterSchema } from './step-input.ts';

export const dueCheckInputSchema = z.object({
  /** On demand: the quarter to report (the check is then always due). */
  quarter: quarterSchema.optional(),
  /** On demand: the moment to report as of. @default now */
  asOf: momentSchema.optional(),
  /**
   * From the daily schedule: the moment EventBridge Scheduler was to start the execution (its
   * `<aws.scheduler.scheduled-time>` context attribute, "Adding context attributes in EventBridge
   * Scheduler"). The check decides for that day, not the day the function happens to run: the
   * schedule retries a failed start for up to six hours and Step Functions retries a throttled
   * step, so a late start may fall on the next local day.
   */
  scheduledTime: momentSchema.optional(),
});

interface DueCheckResult extends QbrRun {
  readonly due: boolean;
  /** Why, in words, for the execution history. */
  readonly reason: string;
}

/**
 * Decides whether the pre-QBR check runs now. "Ten business days before each fiscal quarter
 * ends" is not a cron expression (quarters follow the fiscal calendar, business days skip
 * weekends and holidays), so a daily schedule at the opening of working hours starts the
 * workflow and this step answers `due` only on the day `nextQbrCheck` gives for the quarter. A
 * request that names a quarter is an on-demand run and is always due.
 */
export function createQbrDueCheck(deps: { policy: LoadedPolicy; now: () => Date }) {
  const { reporting, calendar } = deps.policy.policy;
  return async (input: unknown): Promise<DueCheckResult> => {
    const request = parseStepInput('due check', dueCheckInputSchema, input ?? {});
    const now = deps.now();
    if (request.quarter !== undefined) {
      // A moment still to come reads an open quarter as over: the report would freeze its figures
      // as the quarter's final snapshot, and every later run would be held to them.
      if (request.asOf !== undefined && Date.parse(request.asOf) > now.getTime()) {
        throw new QbrStepInputError(
          `due check: asOf: ${new Date(request.asOf).toISOString()} is after now (${now.toISOString()}); a report can only be as of a moment that has passed — leave asOf out to report as of now`,
        );
      }
      return {
        due: true,
        quarter: request.quarter,
        asOf: new Date(request.asOf ?? now).toISOString(),
        reason: 'requested on demand',
      };
    }
    // The day the schedule fired for; a start without one (by hand, from the console) decides for now.
    const day = request.scheduledTime === undefined ? now : new Date(request.scheduledTime);
    const next = nextQbrCheck(
      startOfDay(day, calendar.timeZone),
      reporting.qbrCheckBusinessDaysBeforeQuarterEnd,
      calendar,
      reporting.fiscalYearStartMonth,
    );
    const due = sameDay(next.runAt, day, calendar.timeZone);
    const quarter = due
      ? next.quarter.label
      : quarterContaining(day, reporting.fiscalYearStartMonth, calendar.timeZone).label;
    return {
      due,
      quarter,
      asOf: now.toISOString(),
      reason: due
        ? `${reporting.qbrCheckBusinessDaysBeforeQuarterEnd} business days before ${quarter} ends`
        : `next check of ${next.quarter.label} is due ${next.runAt.toISOString()}`,
    };
  };
}

function localDate(moment: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(moment);
}

function sameDay(a: Date, b: Date, timeZone: string): boolean {
  return localDate(a, timeZone) === localDate(b, timeZone);
}

/** Midnight UTC of the local date, minus a day: early enough that today's check moment is still "next". */
function startOfDay(moment: Date, timeZone: string): Date {
  return new Date(Date.parse(`${localDate(moment, timeZone)}T00:00:00Z`) - 24 * 60 * 60 * 1000);
}
