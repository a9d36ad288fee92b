import { minutesOfDay } from '#domain/business-hours/business-calendar.ts';

/**
 * The longest a registration's workflow may run, in calendar days. The workflow follows one
 * registration from receipt to expiry in one Standard Step Functions execution, and AWS ends an
 * execution after one year ("Step Functions service quotas": maximum execution time, 1 year);
 * five days of that year are kept for retries and redrives.
 */
export const MAX_WORKFLOW_DAYS = 360;

/** The policy settings that decide how long a registration's workflow runs. */
export interface WorkflowLifetimeSettings {
  readonly sla: { readonly finalHours: number };
  readonly calendar: {
    readonly workingDays: readonly string[];
    readonly workingHours: { readonly start: string; readonly end: string };
    readonly holidays: readonly string[];
  };
  readonly validity: {
    readonly days: number;
    readonly maxExtensions: number;
    readonly extensionDays: number;
  };
}

/** The parts of the longest possible workflow, in calendar days. */
export interface WorkflowLifetime {
  /** Calendar days one approval level can take until the policy default decides, at worst. */
  readonly approvalLevelDays: number;
  /** Approval time at worst: two levels for the registration and for each extension. */
  readonly approvalDays: number;
  /** Validity plus every extension the policy allows. */
  readonly protectionDays: number;
  readonly totalDays: number;
}

/**
 * The longest a registration's workflow can run under these settings. The approval window is
 * counted at its worst: `sla.finalHours` business hours starting at the end of a working day,
 * as many holidays inside it as the calendar ever has that close together, and a second approval
 * level after the first.
 * Extensions are counted as if each one's approval ran past the expiry it extends.
 */
export function longestWorkflow(settings: WorkflowLifetimeSettings): WorkflowLifetime {
  const { workingHours, workingDays, holidays } = settings.calendar;
  const hoursPerDay = Math.max(
    (minutesOfDay(workingHours.end) - minutesOfDay(workingHours.start)) / 60,
    1 / 60,
  );
  const businessDays = Math.ceil(settings.sla.finalHours / hoursPerDay) + 1;
  const daysPerWeek = Math.max(new Set(workingDays).size, 1);
  const approvalLevelDays = withHolidays(Math.ceil(businessDays / daysPerWeek) * 7, holidays);
  const approvals = 1 + settings.validity.maxExtensions;
  const approvalDays = approvals * 2 * approvalLevelDays;
  const protectionDays =
    settings.validity.days + settings.validity.maxExtensions * settings.validity.extensionDays;
  return { approvalLevelDays, approvalDays, protectionDays, totalDays: approvalDays + protectionDays };
}

const DAY_MS = 86_400_000;

/**
 * A window of `days` calendar days lengthened by the most holidays that ever fall within a window
 * that long (each holiday inside pushes the end out a day, which may take in another one).
 */
function withHolidays(days: number, holidays: readonly string[]): number {
  const times = [...new Set(holidays)].map((date) => Date.parse(`${date}T00:00:00Z`)).sort((a, b) => a - b);
  let window = days;
  for (;;) {
    const longer = days + mostWithin(times, window);
    if (longer === window) return window;
    window = longer;
  }
}

function mostWithin(sortedTimes: readonly number[], days: number): number {
  let most = 0;
  let first = 0;
  for (let last = 0; last < sortedTimes.length; last += 1) {
    while ((sortedTimes[last] as number) - (sortedTimes[first] as number) >= days * DAY_MS) first += 1;
    most = Math.max(most, last - first + 1);
  }
  return most;
}
