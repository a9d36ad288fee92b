import { allPassed, type CheckStatus, type DoctorCheck } from '#domain/doctor/checks.ts';

export interface DoctorReportHeading {
  readonly stage: string;
  readonly region: string;
}

const marks: Readonly<Record<CheckStatus, string>> = { pass: '✓', fail: '✗', skipped: '–' };

/**
 * `dealreg doctor`'s text: a heading, one line per check (a failed one names its fix on the same
 * line) and a closing count.
 */
export function doctorReportLines(heading: DoctorReportHeading, checks: readonly DoctorCheck[]): string[] {
  const passed = checks.filter((check) => check.status === 'pass').length;
  return [
    `Dealreg doctor — stage ${heading.stage} in ${heading.region}`,
    ...checks.map((check) => {
      const line = `${marks[check.status]} ${check.title}: ${check.detail}`;
      return check.status === 'pass' || check.fix === undefined ? line : `${line} — Fix: ${check.fix}`;
    }),
    allPassed(checks)
      ? `All ${checks.length} checks passed.`
      : `${passed} of ${checks.length} checks passed; fix the ones marked ✗, then run dealreg doctor again.`,
  ];
}

/** `--format json`: the same checks as data. */
export function doctorReportJson(heading: DoctorReportHeading, checks: readonly DoctorCheck[]): string {
  return JSON.stringify({ ...heading, ok: allPassed(checks), checks }, null, 2);
}
