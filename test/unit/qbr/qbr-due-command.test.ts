import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dealreg } from '#test/support/dealreg-cli.ts';

let dataDir: string;
const timeout = 30_000;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'dealreg-qbr-due-'));
  // A stopped stack's clock, which the CLI takes as "now": Monday 7 December 2026.
  await writeFile(
    join(dataDir, 'stack-state.json'),
    JSON.stringify({
      version: 1,
      createdAt: '2026-10-01T00:00:00.000Z',
      clock: '2026-12-07T12:00:00.000Z',
      apiPort: 1,
    }),
  );
});

afterAll(async () => {
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
});

const policy = ['--policy', 'policy/demo-policy.json'];

describe('dealreg qbr due', () => {
  it('says when the next scheduled check runs, in the policy calendar’s zone', { timeout }, async () => {
    const result = await dealreg(['qbr', 'due', ...policy, '--data-dir', dataDir]);

    // Q4 ends Thursday 31 December; counted back over working days, skipping the holidays of
    // 24 and 25 December: 31, 30, 29, 28, 23, 22, 21, 18, 17, 16 — the tenth is Wednesday the 16th,
    // at the opening of working hours (09:00 in New York, EST).
    expect(result).toEqual({
      code: 0,
      stdout:
        'The pre-QBR check of 2026-Q4 (1 Oct 2026 – 31 Dec 2026) runs on Wednesday 16 December 2026, 09:00 EST (America/New_York): 10 business days before the quarter ends (reporting.qbrCheckBusinessDaysBeforeQuarterEnd, policy policy/demo-policy.json (--policy))\n',
      stderr: '',
    });
  });

  it('says when the check of a named quarter runs, or ran', { timeout }, async () => {
    const next = await dealreg(['qbr', 'due', '--quarter', '2027-Q1', ...policy, '--data-dir', dataDir]);
    const past = await dealreg(['qbr', 'due', '--quarter', '2026-Q3', ...policy, '--data-dir', dataDir]);

    // Q1 2027 ends Wednesday 31 March: 31, 30, 29, 26, 25, 24, 23, 22, 19, 18 — Thursday the 18th (EDT).
    expect(next.stdout).toContain(
      'The pre-QBR check of 2027-Q1 (1 Jan 2027 – 31 Mar 2027) runs on Thursday 18 March 2027, 09:00 EDT (America/New_York)',
    );
    // Q3 2026 ends Wednesday 30 September: 30, 29, 28, 25, 24, 23, 22, 21, 18, 17 — Thursday the 17th.
    expect(past.stdout).toContain(
      'The pre-QBR check of 2026-Q3 (1 Jul 2026 – 30 Sep 2026) ran on Thursday 17 September 2026, 09:00 EDT (America/New_York)',
    );
  });

  it('names the days of the quarter when the fiscal year does not start in January', {
    timeout,
  }, async () => {
    // Fiscal year 2027 runs from 1 February 2026 to 31 January 2027: its Q4 is November–January.
    const february = join(dataDir, 'february-policy.json');
    await writeFile(february, JSON.stringify({ reporting: { fiscalYearStartMonth: 2 } }));

    const result = await dealreg([
      'qbr',
      'due',
      '--quarter',
      '2027-Q4',
      '--policy',
      february,
      '--data-dir',
      dataDir,
    ]);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('The pre-QBR check of 2027-Q4 (1 Nov 2026 – 31 Jan 2027) runs on');
  });

  it('refuses a quarter that is not one, naming it', { timeout }, async () => {
    const result = await dealreg(['qbr', 'due', '--quarter', '2027-Q5', ...policy, '--data-dir', dataDir]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('expected a fiscal quarter such as 2026-Q4, got "2027-Q5"');
  });
});
