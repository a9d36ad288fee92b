import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '#local/workflow-runner/index.ts';
import { executionLogEvents, platformLogLines, UsageMeter } from '../../../bench/registration-usage.ts';

describe('the usage meter', () => {
  it('counts a function cold at its first invocation of a burst and after the idle gap', async () => {
    let now = 0;
    const meter = new UsageMeter({ now: () => now, idleMs: 5 * 60_000 });
    const work = async () => undefined;
    await meter.run('steps', work);
    now += 60_000;
    await meter.run('steps', work);
    await meter.run('intake', work);
    now += 5 * 60_000 + 1;
    await meter.run('steps', work);
    meter.newBurst();
    await meter.run('steps', work);
    expect(meter.invocations.map((invocation) => [invocation.fn, invocation.coldWhenQuiet])).toEqual([
      ['steps', true],
      ['steps', false],
      ['intake', true],
      ['steps', true],
      ['steps', true],
    ]);
  });

  it('attributes tables, ledger MACs and log lines to the invocation that runs', async () => {
    const meter = new UsageMeter({ now: () => 0, idleMs: 60_000 });
    const key = meter.countingLedgerKey();
    const restore = meter.captureLogs();
    try {
      await meter.run('steps', async () => {
        meter.touched('registrations');
        meter.touched('registrations');
        await key.generateMac('entry');
        process.stdout.write('{"level":"INFO","message":"step"}\n');
      });
      await meter.run('steps', async () => {
        meter.touched('registrations');
      });
    } finally {
      restore();
    }
    meter.touched('outside');
    const [first, second] = meter.invocations;
    expect([...(first?.tables ?? [])]).toEqual(['registrations']);
    expect([...(first?.tableKeysWhenQuiet ?? [])]).toEqual(['registrations']);
    expect(first?.ledgerMacRequests).toBe(1);
    expect(first?.logLines).toEqual([Buffer.byteLength('{"level":"INFO","message":"step"}')]);
    // The table key is still cached for the second invocation (same function, within the gap).
    expect([...(second?.tableKeysWhenQuiet ?? [])]).toEqual([]);
  });
});

describe('the execution log estimate', () => {
  const history: HistoryEvent[] = [
    { id: 1, timestamp: '2026-11-23T14:00:00.000Z', type: 'ExecutionStarted', details: { input: { a: 1 } } },
    {
      id: 2,
      timestamp: '2026-11-23T14:00:00.000Z',
      type: 'StateEntered',
      stateName: 'Check',
      stateType: 'Task',
      details: { input: { a: 1 } },
    },
    {
      id: 3,
      timestamp: '2026-11-23T14:00:00.000Z',
      type: 'TaskScheduled',
      stateName: 'Check',
      details: { parameters: { a: 1 } },
    },
    { id: 4, timestamp: '2026-11-23T14:00:00.000Z', type: 'WaitScheduled', stateName: 'Wait' },
  ];

  it('writes Step Functions event types, one JSON event each, data only when asked', () => {
    const without = executionLogEvents(history, { includeExecutionData: false, executionName: 'DR-1' }).map(
      (line) => JSON.parse(line),
    );
    expect(without.map((event) => event.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
    ]);
    expect(without[1]).toMatchObject({ id: '2', previous_event_id: '1', details: { name: 'Check' } });
    expect(without[1].details.input).toBeUndefined();
    expect(without[0].execution_arn).toMatch(/:execution:.+:DR-1$/);
    const withData = executionLogEvents(history, { includeExecutionData: true, executionName: 'DR-1' }).map(
      (line) => JSON.parse(line),
    );
    expect(withData[1].details.input).toBe('{"a":1}');
  });
});

describe('the Lambda platform log lines', () => {
  it('add INIT_START and the init duration on a cold start', () => {
    const warm = platformLogLines({ durationMs: 12.3, memoryMb: 512 });
    const cold = platformLogLines({ durationMs: 12.3, memoryMb: 512, initMs: 880 });
    expect(warm.map((line) => line.split(' ')[0])).toEqual(['START', 'END', 'REPORT']);
    expect(warm[2]).toContain('Billed Duration: 13 ms\tMemory Size: 512 MB');
    expect(cold[0]).toMatch(/^INIT_START /);
    expect(cold[3]).toContain('Init Duration: 880.00 ms');
  });
});
