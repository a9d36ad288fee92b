import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RunningApiServer, startApiServer } from '#local/api-server.ts';
import { VirtualClock } from '#local/clock.ts';
import { clockRoutes } from '#local/workflow-runner/clock-route.ts';
import { LocalWorkflowRunner } from '#local/workflow-runner/index.ts';
import { approvalMachine, functionArn } from './machines.ts';

let clock: VirtualClock;
let runner: LocalWorkflowRunner;
let api: RunningApiServer;

beforeEach(async () => {
  clock = new VirtualClock('2026-11-24T09:00:00Z');
  runner = new LocalWorkflowRunner({
    clock,
    handlers: { [functionArn('send-approval-request')]: async () => ({ sent: true }) },
  });
  api = await startApiServer({ routes: [], localRoutes: clockRoutes(clock) });
});

afterEach(async () => {
  await api.stop();
  await runner.close();
});

async function moveClock(body: string) {
  const response = await fetch(`${api.url}/_local/clock`, { method: 'POST', body });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('POST /_local/clock', () => {
  it('advances by a duration and answers once what fell due has run', async () => {
    await runner.startExecution(approvalMachine(), { name: 'reg-1', input: { registrationId: 'reg-1' } });
    await runner.settle();

    const moved = await moveClock(JSON.stringify({ advance: 'PT49H' }));

    expect(moved).toEqual({ status: 200, body: { now: '2026-11-26T10:00:00.000Z' } });
    expect(runner.describeExecution('reg-1')).toMatchObject({
      status: 'SUCCEEDED',
      output: { outcome: 'default' },
    });
  });

  it('sets the clock to an instant and tells the time on GET', async () => {
    const moved = await moveClock(JSON.stringify({ to: '2026-12-01T08:30:00Z' }));
    const told = await fetch(`${api.url}/_local/clock`);

    expect(moved).toEqual({ status: 200, body: { now: '2026-12-01T08:30:00.000Z' } });
    const time = (await told.json()) as { now: string; ticking: string };
    expect(time.now).toBe('2026-12-01T08:30:00.000Z');
    // The ticking reading: the move's time plus the real time since (seconds here).
    const sinceMove = Date.parse(time.ticking) - Date.parse(time.now);
    expect(sinceMove).toBeGreaterThanOrEqual(0);
    expect(sinceMove).toBeLessThan(10 * 60_000);
  });

  it.each([
    ['not JSON', 'advance PT1H', /"advance"/],
    ['an empty object', '{}', /"advance"/],
    ['a malformed duration', '{"advance": "49 hours"}', /ISO-8601 duration/],
    ['both fields', '{"advance": "PT1H", "to": "2026-12-01T08:30:00Z"}', /"advance"/],
    ['a time in the past', '{"to": "2026-11-01T00:00:00Z"}', /only moves forward/],
    ['a time without offset', '{"to": "2026-12-01T08:30:00"}', /with its offset/],
    ['malformed JSON', '{bad', /^the body is not valid JSON \(.+\); the body must be \{"advance"/],
    ['an empty body', '', /^the body is not valid JSON \(it is empty\); the body must be \{"advance"/],
    [
      'an advance of the wrong type',
      '{"advance": true}',
      /^advance must be an ISO-8601 duration .*, got true$/,
    ],
    ['a time of the wrong type', '{"to": 5}', /^to must be an ISO-8601 instant .*, got 5$/],
    [
      'an advance in milliseconds past the latest time a clock shows',
      '{"advance": 1e20}',
      /^advance is too large: at most 8638204489200000 milliseconds from 2026-11-24T09:00:00.000Z \(a clock shows no time after \+275760-09-13T00:00:00.000Z\), got 100000000000000000000$/,
    ],
    [
      'a duration past the latest time a clock shows',
      '{"advance": "P300000Y"}',
      /^advance is too large: "P300000Y"/,
    ],
    ['a fraction of a millisecond', '{"advance": 1.5}', /non-negative whole number of milliseconds, got 1.5/],
  ])(
    'answers 400 naming the problem for %s, leaving the clock where it was',
    async (_case, body, message) => {
      const moved = await moveClock(body);

      expect(moved.status).toBe(400);
      expect(moved.body.error).toBe('malformed_request');
      expect(String(moved.body.message)).toMatch(message);
      expect(clock.now().toISOString()).toBe('2026-11-24T09:00:00.000Z');
    },
  );
});
