import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  mondayMorning,
  startWorkflowUnderTest,
  type WorkflowUnderTest,
  workflowPeople,
} from './workflow-harness.ts';

const { partner, channelManager } = workflowPeople;

/**
 * The registration workflow as the deployed definition runs it on the local runner, through the
 * RegistrationWorkflow port: a step that fails past its retries (HubSpot answering 500) leaves a
 * failed execution that, once HubSpot is back, is redriven from that step; and a runner that dies
 * and starts again on the same directory continues its executions: an approval emailed before the
 * restart still decides, and a registration waiting for its expiry warning is warned on time.
 */

const day = 86_400_000;
/** The week before the tests' clock starts: every execution of the run stopped after it. */
const lastWeek = new Date(mondayMorning.getTime() - 7 * day).toISOString();

let harness: WorkflowUnderTest;

beforeAll(async () => {
  harness = await startWorkflowUnderTest({
    persistTo: await mkdtemp(join(tmpdir(), 'dealreg-runner-')),
    // HubSpot's 500s are retried by the connection without pausing, so the outage is quick to exhaust.
    hubspot: { sleep: async () => undefined },
  });
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

describe('a step that failed past its retries', () => {
  it('is listed as failed, and redriven once HubSpot is back it continues from that step to the end', async () => {
    const registrationId = await harness.submit({
      customer_domain: 'outage-retail.com',
      estimated_amount: '60000',
    });
    expect((await harness.registration(registrationId)).progress?.status).toBe('in-review');
    await harness.sandbox.control('/_sandbox/faults', {
      body: { path: '^/crm/', status: 500, times: 10_000 },
    });

    const decided = await harness.decide(channelManager, 'approve');
    expect(decided.status).toBe(200);

    const [failed, ...others] = await harness.workflow.failedExecutions({ stoppedAfter: lastWeek });
    expect(others).toEqual([]);
    // The segment failed each time it ran: at first and on each of the registration's 25 retries.
    expect(failed).toMatchObject({
      registrationId,
      status: 'FAILED',
      error: 'States.TaskFailed',
      redriveCount: 0,
    });
    expect(harness.runner.describeExecution(registrationId).cause).toContain('HubSpotUnavailableError');
    const segments = harness.runner.expressExecutions(registrationId);
    expect(segments.filter((segment) => segment.status === 'FAILED')).toHaveLength(26);
    expect(harness.statesVisited(registrationId).at(-1)).toBe('Register deal in HubSpot');
    expect(await harness.hubspotRecords('deals')).toHaveLength(2);

    await harness.sandbox.control('/_sandbox/faults', { method: 'DELETE' });
    const redriven = await harness.workflow.redrive(failed?.execution ?? '');
    await harness.settle();

    expect(redriven).toEqual({ redriven: true });
    const approved = await harness.registration(registrationId);
    expect(approved.progress).toMatchObject({ status: 'approved', decision: { outcome: 'approve' } });
    expect(await harness.hubspotRecords('deals')).toHaveLength(3);
    const visited = harness.statesVisited(registrationId);
    expect(visited.filter((state) => state === 'Wait for approver decision')).toHaveLength(1);
    expect(visited.slice(-7)).toEqual([
      'Register deal in HubSpot',
      'Register the approved deal',
      'Assess or register?',
      'Register deal in HubSpot',
      'Share with AWS co-sell',
      'Tell partner it is approved',
      'Wait until expiry warning',
    ]);
    expect(await harness.mails({ to: channelManager, template: 'approval-request' })).toHaveLength(1);
    expect(harness.runner.getExecutionHistory(registrationId).map((event) => event.type)).toContain(
      'ExecutionRedriven',
    );
    expect(await harness.workflow.failedExecutions({ stoppedAfter: lastWeek })).toEqual([]);
    expect(await harness.workflow.redrive(failed?.execution ?? '')).toEqual({
      redriven: false,
      reason: `ExecutionNotRedrivable: Execution cannot be redriven: '${failed?.execution}': Execution is RUNNING and cannot be redriven`,
    });
    expect(await harness.workflow.redrive('reg-that-never-was')).toMatchObject({ redriven: false });
    // Longer than most: the segment runs 26 times against the outage, each step retrying its HTTP calls.
  }, 180_000);
});

describe('a restart of the runner', () => {
  it('keeps the emailed approval deciding the waiting registration, with no second email, and the expiry warning on time', async () => {
    const waiting = await harness.submit({
      customer_domain: 'restart-waiting.com',
      estimated_amount: '60000',
    });
    const warned = await harness.submit({ customer_domain: 'restart-warned.com', estimated_amount: '9000' });
    const approvedAt = await harness.registration(warned);
    expect(approvedAt.progress?.status).toBe('approved');
    const expiresAt = new Date(approvedAt.progress?.expiresAt ?? '');
    const requestsBefore = await harness.mails({ to: channelManager, template: 'approval-request' });

    await harness.restart();

    expect(harness.runner.describeExecution(waiting).status).toBe('RUNNING');
    expect(harness.runner.describeExecution(warned).status).toBe('RUNNING');
    const decided = await harness.decide(channelManager, 'approve');
    expect(decided.status).toBe(200);
    expect((await harness.registration(waiting)).progress).toMatchObject({ status: 'approved' });
    expect(await harness.mails({ to: channelManager, template: 'approval-request' })).toHaveLength(
      requestsBefore.length,
    );
    expect(
      harness.statesVisited(waiting).filter((state) => state === 'Wait for approver decision'),
    ).toHaveLength(1);

    const warnings = async () =>
      (await harness.mails({ to: partner, template: 'expiry-warning' })).filter((mail) =>
        mail.text.includes('restart-warned.com'),
      );
    await harness.clock.setTo(new Date(expiresAt.getTime() - 14 * day - 60_000).toISOString());
    expect(await warnings()).toEqual([]);
    await harness.clock.setTo(new Date(expiresAt.getTime() - 14 * day + 60_000).toISOString());
    expect(await warnings()).toHaveLength(1);
  });
});
