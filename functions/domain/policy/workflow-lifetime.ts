import { minutesOfDay } from '#domain/business-hours/business-calendar.ts';

/**
 * The longest a registration's workflow may run, in calendar days. The workflow follows one
 * registration from receipt to expiry in one Standard Step Functions execution, and AWS ends an
 * execution after one year ("Step Functions service quotas": maximum execution time, 1 year);
 * five days of that year are kept for retries and redrives.
 */
export const MAX_WORKFLOW_DAYS = 360;

/**
 * How many calendar days the partner has to answer an approver's question before the registration
 * is declined. The SLA clock stands still meanwhile, so each question lengthens the approval.
 */
export const informationResponseDays = 10;

/** The policy settings that decide how long a registration's workflow runs. */
export interface WorkflowLifetimeSettings {
  readonly sla: { readonly finalHours: number; readonly maxQuestions: number };
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
  /**
   * Calendar days one level of a registration's approval can take until the policy default
   * decides, at worst, with `sla.maxQuestions` questions to the partner each answered at the
   * last moment.
   */
  readonly approvalLevelDays: number;
  /** The same for a level of an extension's approval, where no question is asked. */
  readonly extensionLevelDays: number;
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
 * level after the first. Extensions are counted as if each one's approval ran past the expiry it
 * extends.
 *
 * Each question to the partner stops the clock for up to `informationResponseDays` and splits the
 * level's `W = ceil(finalHours / hours a day)` working days of business hours into one more run.
 * A run that touches `w` working days lies within `ceil(w / d)` weeks (`d` working days a week)
 * from its start, and a run ended by a question within `ceil((w + 1) / d)`, as the question may
 * come before the next working day begins. `q` questions make `q + 1` runs, which touch at most
 * `W + 1 + 2q` working days between them (a split leaves a partly used day on either side); with
 * the day each of the `q` questions may reach and a week of rounding for each run but one, a
 * level takes at most `7 × (ceil((W + 1 + 3q) / d) + q) + q × informationResponseDays` days
 * before holidays, which for `q = 0` is the window of one uninterrupted run.
 */
export function longestWorkflow(settings: WorkflowLifetimeSettings): WorkflowLifetime {
  const { workingHours, workingDays, holidays } = settings.calendar;
  const hoursPerDay = Math.max(
    (minutesOfDay(workingHours.end) - minutesOfDay(workingHours.start)) / 60,
    1 / 60,
  );
  const workingDaysNeeded = Math.ceil(settings.sla.finalHours / hoursPerDay);
  const daysPerWeek = Math.max(new Set(workingDays).size, 1);
  const levelDays = (questions: number) =>
    withHolidays(
      7 * (Math.ceil((workingDaysNeeded + 1 + 3 * questions) / daysPerWeek) + questions) +
        questions * informationResponseDays,
      holidays,
    );
  const approvalLevelDays = levelDays(settings.sla.maxQuestions);
  const extensionLevelDays = levelDays(0);
  const approvalDays = 2 * approvalLevelDays + settings.validity.maxExtensions * 2 * extensionLevelDays;
  const protectionDays =
    settings.validity.days + settings.validity.maxExtensions * settings.validity.extensionDays;
  return {
    approvalLevelDays,
    extensionLevelDays,
    approvalDays,
    protectionDays,
    totalDays: approvalDays + protectionDays,
  };
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
