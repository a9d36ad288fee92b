import { setTimeout as sleep } from 'node:timers/promises';
import { ThrottleReason, TooManyRequestsException } from '@aws-sdk/client-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { hubSpotBudget } from '#lib/constructs/hubspot-budget.ts';
import { VirtualClock } from '#local/clock.ts';
import { type HistoryEvent, LocalWorkflowRunner } from '#local/workflow-runner/index.ts';
import {
  registrationStepsFunctionName,
  renderRegistrationWorkflowAsl,
} from '#workflows/registration-workflow.ts';
import { conflictCheckMachine } from './machines.ts';

const start = '2026-11-24T09:00:00.000Z';

let clock: VirtualClock;
let runner: LocalWorkflowRunner;

beforeEach(() => {
  clock = new VirtualClock(start);
  runner = new LocalWorkflowRunner({ clock });
});

afterEach(async () => {
  await runner.close();
});

/**
 * One step of the registration workflow's segments as deployed: its Task state, with the Retry
 * field the stack deploys (the throttling retrier included), alone in a machine.
 */
function deployedStepMachine(): Record<string, unknown> {
  const deployed = renderRegistrationWorkflowAsl().segments as {
    States: Record<string, Record<string, unknown>>;
  };
  const {
    Next: _next,
    ResultPath: _resultPath,
    ...normalise
  } = deployed.States['Normalise registration'] ?? {};
  return {
    StartAt: 'Normalise registration',
    States: { 'Normalise registration': { ...normalise, End: true } },
  };
}

const events = (name: string, type: string, stateName?: string): HistoryEvent[] =>
  runner
    .getExecutionHistory(name)
    .filter((event) => event.type === type && (stateName === undefined || event.stateName === stateName));

describe('reserved concurrency', () => {
  it('never runs more invocations of a function at once than it reserves; the throttled ones retry and all succeed', async () => {
    let inFlight = 0;
    let mostInFlight = 0;
    let invocations = 0;
    runner.registerHandler(
      registrationStepsFunctionName,
      async (input) => {
        invocations += 1;
        inFlight += 1;
        mostInFlight = Math.max(mostInFlight, inFlight);
        await sleep(20); // the step's work, long enough for the others to arrive meanwhile
        inFlight -= 1;
        return { normalised: (input as { registrationId: string }).registrationId };
      },
      { reservedConcurrency: 2 },
    );
    const names = ['reg-1', 'reg-2', 'reg-3', 'reg-4', 'reg-5'];

    await Promise.all(
      names.map((name) =>
        runner.startExecution(deployedStepMachine(), { name, input: { registrationId: name } }),
      ),
    );
    await runner.settle();

    // Two ran; three were refused as Lambda refuses them and wait out their retry pause.
    expect(invocations).toBe(2);
    const throttled = names.flatMap((name) => events(name, 'TaskFailed'));
    expect(throttled).toHaveLength(3);
    for (const event of throttled) {
      expect(event.details).toMatchObject({
        error: 'Lambda.TooManyRequestsException',
        cause: expect.stringContaining('ReservedFunctionConcurrentInvocationLimitExceeded'),
      });
      // Held to Lambda's published API model (the SDK's): the error is one Invoke throws and the
      // reason one of its ThrottleReason values; Step Functions prefixes the name with `Lambda.`.
      const { error, cause } = event.details as { error: string; cause: string };
      expect(new TooManyRequestsException({ message: '', $metadata: {} }).name).toBe(
        error.replace(/^Lambda\./, ''),
      );
      expect(Object.values(ThrottleReason)).toContain(/Reason: (\w+)/.exec(cause)?.[1]);
    }
    expect(runner.listExecutions({ status: 'RUNNING' })).toHaveLength(3);

    // The deployed retrier pauses at most 2 s × 1.5^n, capped at 2 minutes: within the hour.
    await clock.advance('PT1H');

    console.log(`most invocations at once: ${mostInFlight}, invocations: ${invocations}`);
    expect(mostInFlight).toBe(2);
    for (const name of names) {
      expect(runner.describeExecution(name)).toMatchObject({
        status: 'SUCCEEDED',
        output: { normalised: name },
      });
    }
    expect(invocations).toBe(5);
  });

  it('fails a Task without a matching retrier with the error Step Functions reports for a throttled Lambda', async () => {
    const release = Promise.withResolvers<void>();
    runner.registerHandler('check-conflicts', () => release.promise.then(() => ({ outcome: 'clean' })), {
      reservedConcurrency: 1,
    });

    await runner.startExecution(conflictCheckMachine(), { name: 'first', input: { registrationId: 'a' } });
    await runner.startExecution(conflictCheckMachine(), { name: 'second', input: { registrationId: 'b' } });
    await vi.waitFor(() => expect(runner.statesVisited('second')).toContain('Send to manual review'));
    release.resolve();
    await runner.settle();

    expect(runner.describeExecution('first').output).toMatchObject({ verdict: { outcome: 'clean' } });
    expect(runner.describeExecution('second').output).toMatchObject({
      failure: { Error: 'Lambda.TooManyRequestsException' },
    });
  });

  it('the local stack reserves for the registration steps what the stack deploys', () => {
    expect(hubSpotBudget.registrationSteps.containers).toBeGreaterThan(0);
    const retriers = (
      renderRegistrationWorkflowAsl().segments as {
        States: Record<string, { Retry?: { ErrorEquals: string[] }[] }>;
      }
    ).States['Check for channel conflict']?.Retry;
    expect(retriers?.some((retrier) => retrier.ErrorEquals.includes('Lambda.TooManyRequestsException'))).toBe(
      true,
    );
  });

  it('refuses a reserved concurrency that is not a whole number', () => {
    expect(() =>
      runner.registerHandler('check-conflicts', async () => ({}), { reservedConcurrency: 1.5 }),
    ).toThrow(/reserved concurrency of "check-conflicts" must be a whole number/);
  });
});

describe('retry pauses', () => {
  it('waits IntervalSeconds × BackoffRate^n on the virtual clock before each retry', async () => {
    let calls = 0;
    runner.registerHandler('check-conflicts', async () => {
      calls += 1;
      if (calls < 3) throw Object.assign(new Error('HubSpot answered 503'), { name: 'HubSpotUnavailable' });
      return { outcome: 'clean' };
    });

    // The retrier: IntervalSeconds 60, BackoffRate 2, MaxAttempts 2, no jitter.
    await runner.startExecution(conflictCheckMachine(), { name: 'paused', input: { registrationId: 'r' } });
    await runner.settle();
    expect(calls).toBe(1);
    expect(runner.describeExecution('paused').status).toBe('RUNNING');

    await clock.advance('PT59S');
    expect(calls).toBe(1);
    await clock.advance('PT1S');
    expect(calls).toBe(2);
    await clock.advance('PT119S');
    expect(calls).toBe(2);
    await clock.advance('PT1S');

    expect(runner.describeExecution('paused')).toMatchObject({
      status: 'SUCCEEDED',
      output: { verdict: { outcome: 'clean' } },
    });
    expect(events('paused', 'TaskScheduled').map((event) => event.timestamp)).toEqual([
      '2026-11-24T09:00:00.000Z',
      '2026-11-24T09:01:00.000Z',
      '2026-11-24T09:03:00.000Z',
    ]);
    expect(events('paused', 'RetryScheduled').map((event) => event.details)).toEqual([
      {
        error: 'HubSpotUnavailable',
        retrier: 0,
        attempt: 1,
        pauseMs: 60_000,
        until: '2026-11-24T09:01:00.000Z',
      },
      {
        error: 'HubSpotUnavailable',
        retrier: 0,
        attempt: 2,
        pauseMs: 120_000,
        until: '2026-11-24T09:03:00.000Z',
      },
    ]);
    expect(events('paused', 'StateRetried')).toHaveLength(2);
  });

  it('lets other executions run while one waits out a retry pause', async () => {
    runner.registerHandler('check-conflicts', async (input) => {
      if ((input as { registrationId: string }).registrationId === 'failing')
        throw Object.assign(new Error('HubSpot answered 503'), { name: 'HubSpotUnavailable' });
      return { outcome: 'clean' };
    });

    await runner.startExecution(conflictCheckMachine(), {
      name: 'pausing',
      input: { registrationId: 'failing' },
    });
    await runner.settle();
    await runner.startExecution(conflictCheckMachine(), { name: 'other', input: { registrationId: 'fine' } });
    await runner.settle();

    expect(runner.describeExecution('other').status).toBe('SUCCEEDED');
    expect(runner.describeExecution('pausing').status).toBe('RUNNING');
    // After its two retries (1 + 2 minutes) the failure goes to the Catch.
    await clock.advance('PT3M');
    expect(runner.statesVisited('pausing')).toEqual(['Check conflicts', 'Send to manual review']);
  });

  it('with clock-or-real-time pauses, ends a pause after as long in real time while the clock stands still, and settles through it on request', async () => {
    const ticking = new LocalWorkflowRunner({ clock, retryPauses: 'clock-or-real-time' });
    try {
      let calls = 0;
      ticking.registerHandler(registrationStepsFunctionName, async () => {
        calls += 1;
        if (calls === 1) throw Object.assign(new Error('try again'), { name: 'ThrottlingException' });
        return { normalised: true };
      });
      await ticking.startExecution(deployedStepMachine(), {
        name: 'ticking',
        input: { registrationId: 'r' },
      });

      // The segments' transient retrier: at most 2 s with full jitter, which a plain settle does
      // not wait for; settling through real-time pauses does.
      await ticking.settle({ throughRetryPauses: true });
      expect(ticking.describeExecution('ticking').status).toBe('SUCCEEDED');
      expect(calls).toBe(2);
      expect(clock.now().toISOString()).toBe(start);
    } finally {
      await ticking.close();
    }
  });

  it('a stopped execution ends its retry pause', async () => {
    runner.registerHandler('check-conflicts', async () => {
      throw Object.assign(new Error('HubSpot answered 503'), { name: 'HubSpotUnavailable' });
    });
    await runner.startExecution(conflictCheckMachine(), { name: 'stopped', input: { registrationId: 'r' } });
    await runner.settle();
    expect(clock.pendingTimers()).toBe(1);

    await runner.stopExecution('stopped');
    await runner.settle();

    expect(runner.describeExecution('stopped').status).toBe('ABORTED');
    expect(clock.pendingTimers()).toBe(0);
  });
});
