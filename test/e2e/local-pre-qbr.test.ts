import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPolicy } from '#domain/policy/load-policy.ts';
import { nextQbrCheck } from '#domain/qbr/fiscal-calendar.ts';
import { defaultPolicyFile } from '#lib/dealreg-app.ts';
import { type LocalStackProcess, startLocalStackProcess } from '#test/support/local-stack-process.ts';

let stack: LocalStackProcess;

interface Execution {
  readonly name: string;
  readonly stateMachineName: string;
  readonly status: string;
  readonly startDate: string;
}

beforeAll(async () => {
  stack = await startLocalStackProcess(['--empty']);
}, 120_000);

afterAll(async () => {
  await stack.interrupt();
});

describe('the pre-QBR check on dealreg local', () => {
  it('runs when the virtual clock reaches the check day the policy names, and the report reaches the mailbox', async () => {
    const api = stack.description.api;
    const { now } = (await (await fetch(`${api}/_local/clock`)).json()) as { now: string };
    const { reporting, calendar } = loadPolicy(await readFile(defaultPolicyFile, 'utf8')).policy;
    // The next check day after the stack's virtual now (the default policy: 10 business days before
    // the fiscal quarter ends, holidays skipped, at the opening of working hours in New York).
    const check = nextQbrCheck(
      new Date(Date.parse(now) + 60_000),
      reporting.qbrCheckBusinessDaysBeforeQuarterEnd,
      calendar,
      reporting.fiscalYearStartMonth,
    );
    const dayBefore = new Date(check.runAt.getTime() - 24 * 3_600_000);
    if (dayBefore.getTime() > Date.parse(now)) {
      await fetch(`${api}/_local/clock`, {
        method: 'POST',
        body: JSON.stringify({ to: dayBefore.toISOString() }),
      });
    }
    expect(await mails()).toEqual([]);

    const moved = await fetch(`${api}/_local/clock`, {
      method: 'POST',
      body: JSON.stringify({ to: check.runAt.toISOString() }),
    });

    expect(moved.status).toBe(200);
    const executions = (await (await fetch(`${api}/_local/executions`)).json()) as Execution[];
    const preQbr = executions.filter((execution) => execution.stateMachineName === 'PreQbrCheck');
    expect(preQbr.length).toBeGreaterThan(0);
    expect(preQbr.every((execution) => execution.status === 'SUCCEEDED')).toBe(true);
    const due = preQbr.find((execution) => execution.startDate === check.runAt.toISOString());
    const detail = (await (await fetch(`${api}/_local/executions/${due?.name}`)).json()) as {
      statesVisited: string[];
    };
    expect(detail.statesVisited).toEqual([
      'Decide whether the check is due',
      'Is the check due today?',
      'Export the deal ids to read',
      'Is the portfolio too large for one function?',
      'Build and store the report',
      'Email the report to leadership',
      'Report delivered',
    ]);
    const [report] = await mails();
    // An empty stack: no partner revenue. Its portal has no CRO property (hubspot setup creates
    // one only with --create-cro-property), so the scheduled report reads HubSpot's deal
    // properties as the deployed one does and says the CRO view is not available, never $0.
    expect(report).toMatchObject({
      to: ['cro@example.com'],
      template: 'qbr-report',
      subject: expect.stringContaining(`Pre-QBR check ${check.quarter.label}`),
    });
    expect(report?.subject).toContain('partner-sourced $0 vs CRO view not available');
    expect(report?.text).toContain('HubSpot has no deal property "deal_source"');
  }, 120_000);
});

async function mails(): Promise<{ to: string[]; subject: string; template: string; text: string }[]> {
  const all = (await (await fetch(`${stack.description.api}/_local/mail`)).json()) as {
    to: string[];
    subject: string;
    template: string;
    text: string;
  }[];
  return all.filter((mail) => mail.template === 'qbr-report');
}
