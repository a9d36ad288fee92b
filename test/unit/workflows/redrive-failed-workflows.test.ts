import { describe, expect, it } from 'vitest';
import type { FailedExecution, WorkflowRedrive } from '#ports/registration-workflow.ts';
import { nextRedriveAt, redriveFailedWorkflows } from '#use-cases/redrive-failed-workflows.ts';

const now = new Date('2026-12-07T12:00:00.000Z');
const minutesAgo = (minutes: number) => new Date(now.getTime() - minutes * 60_000).toISOString();

function failed(registrationId: string, stoppedMinutesAgo: number, redriveCount: number): FailedExecution {
  return {
    registrationId,
    execution: `arn:aws:states:eu-west-1:111122223333:execution:dealreg-registration:${registrationId}`,
    status: 'FAILED',
    stoppedAt: minutesAgo(stoppedMinutesAgo),
    error: 'HubSpotUnavailableError',
    redriveCount,
  };
}

/** The executions Step Functions would list, and the redrives asked for. */
function workflows(executions: FailedExecution[], refuse: Record<string, string> = {}) {
  const asked: { stoppedAfter: string }[] = [];
  const redrives: string[] = [];
  const port: WorkflowRedrive = {
    failedExecutions: async (input) => {
      asked.push(input);
      return executions;
    },
    redrive: async (execution) => {
      redrives.push(execution);
      const reason = Object.entries(refuse).find(([id]) => execution.endsWith(id))?.[1];
      return reason === undefined ? { redriven: true } : { redriven: false, reason };
    },
  };
  return { port, asked, redrives };
}

describe('redriving failed registration workflows', () => {
  it('waits 5 minutes after the first failure and doubles the wait with each redrive, up to six hours', () => {
    // 5 · 2^n minutes: 5, 10, 20, 40, 80, 160, 320, then capped at 360.
    const waits = [0, 1, 2, 3, 4, 5, 6, 7].map(
      (count) => (nextRedriveAt(failed('DR-1', 0, count)).getTime() - now.getTime()) / 60_000,
    );
    expect(waits).toEqual([5, 10, 20, 40, 80, 160, 320, 360]);
  });

  it('redrives what is due, leaves what is not, and names as stalled what failed too often or cannot be redriven', async () => {
    const { port, asked, redrives } = workflows(
      [
        failed('DR-due', 6, 0), // first failure 6 min ago: due after 5
        failed('DR-early', 3, 0), // 3 min ago: not yet
        failed('DR-third', 25, 2), // third wait is 20 min: due
        failed('DR-tired', 600, 8), // eight redrives already
        failed('DR-old-def', 60, 1), // due, but Step Functions refuses
      ],
      { 'DR-old-def': 'the execution was started from another definition version' },
    );

    const report = await redriveFailedWorkflows({ workflows: port, now: () => now });

    expect(asked).toEqual([{ stoppedAfter: '2026-11-23T12:00:00.000Z' }]);
    expect(report.redriven).toEqual(['DR-due', 'DR-third']);
    expect(report.waiting).toEqual(['DR-early']);
    expect(report.stalled.map(({ registrationId, reason }) => ({ registrationId, reason }))).toEqual([
      { registrationId: 'DR-tired', reason: 'still failing after 8 redrives' },
      { registrationId: 'DR-old-def', reason: 'the execution was started from another definition version' },
    ]);
    expect(redrives).toHaveLength(3);
  });

  it('does nothing when every workflow is running or finished', async () => {
    const { port, redrives } = workflows([]);

    const report = await redriveFailedWorkflows({ workflows: port, now: () => now });

    expect(report).toEqual({ redriven: [], waiting: [], stalled: [] });
    expect(redrives).toEqual([]);
  });
});
