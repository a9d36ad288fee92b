import { describe, expect, it } from 'vitest';
import { decideRetry, type Retrier } from '#local/workflow-runner/retry-pause.ts';

const failure = (name: string, overrides: { timeout?: boolean; retryable?: boolean } = {}) => ({
  name,
  timeout: overrides.timeout ?? false,
  retryable: overrides.retryable ?? true,
});

/** The pauses (ms) of every retry a retrier allows, then undefined when they are used up. */
function pauses(retriers: Retrier[], error = failure('Busy'), random = () => 1): (number | undefined)[] {
  const attempts: number[] = [];
  const seen: (number | undefined)[] = [];
  for (;;) {
    const decision = decideRetry(retriers, attempts, error, 'Task', random);
    seen.push(decision?.pauseMs);
    if (decision === undefined) return seen;
  }
}

describe('retry pauses (Handling errors in Step Functions workflows)', () => {
  it('waits IntervalSeconds, then BackoffRate times longer each retry, MaxAttempts times', () => {
    expect(pauses([{ ErrorEquals: ['Busy'], IntervalSeconds: 2, BackoffRate: 1.5, MaxAttempts: 4 }])).toEqual(
      [2000, 3000, 4500, 6750, undefined],
    );
  });

  it('uses the defaults: 1 s, backoff 2.0, 3 attempts', () => {
    expect(pauses([{ ErrorEquals: ['States.ALL'] }])).toEqual([1000, 2000, 4000, undefined]);
  });

  it('never pauses longer than MaxDelaySeconds', () => {
    expect(
      pauses([
        { ErrorEquals: ['Busy'], IntervalSeconds: 40, BackoffRate: 2, MaxAttempts: 4, MaxDelaySeconds: 100 },
      ]),
    ).toEqual([40_000, 80_000, 100_000, 100_000, undefined]);
  });

  it('with JitterStrategy FULL pauses a random time between 0 and the computed pause', () => {
    const retrier: Retrier = {
      ErrorEquals: ['Busy'],
      IntervalSeconds: 10,
      MaxAttempts: 2,
      JitterStrategy: 'FULL',
    };
    expect(pauses([retrier], failure('Busy'), () => 0.25)).toEqual([2500, 5000, undefined]);
    expect(pauses([{ ...retrier, JitterStrategy: 'NONE' }], failure('Busy'), () => 0.25)).toEqual([
      10_000,
      20_000,
      undefined,
    ]);
  });

  it('applies the first retrier that names the error, and none after it once its attempts are used', () => {
    const retriers: Retrier[] = [
      { ErrorEquals: ['Busy'], IntervalSeconds: 1, MaxAttempts: 1 },
      { ErrorEquals: ['States.ALL'], IntervalSeconds: 9, MaxAttempts: 5 },
    ];
    const attempts: number[] = [];
    expect(decideRetry(retriers, attempts, failure('Busy'), 'Task')).toEqual({
      retrier: 0,
      attempt: 1,
      pauseMs: 1000,
    });
    expect(decideRetry(retriers, attempts, failure('Busy'), 'Task')).toBeUndefined();
    expect(decideRetry(retriers, attempts, failure('Other'), 'Task')).toMatchObject({
      retrier: 1,
      attempt: 1,
    });
  });

  it('States.TaskFailed takes any failure of a Task except a timeout; nothing retries a runtime fault', () => {
    const retriers: Retrier[] = [{ ErrorEquals: ['States.TaskFailed'] }];
    expect(decideRetry(retriers, [], failure('Lambda.TooManyRequestsException'), 'Task')).toBeDefined();
    expect(decideRetry(retriers, [], failure('States.Timeout', { timeout: true }), 'Task')).toBeUndefined();
    expect(decideRetry(retriers, [], failure('Boom'), 'Map')).toBeUndefined();
    expect(
      decideRetry(
        [{ ErrorEquals: ['States.ALL'] }],
        [],
        failure('States.Runtime', { retryable: false }),
        'Task',
      ),
    ).toBeUndefined();
  });
});
