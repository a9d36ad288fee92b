import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { progressReporter } from '#bin/commands/qbr-actions.ts';

/** A stream that keeps what was written, as a terminal (isTTY) or a pipe would receive it. */
function capture(isTTY: boolean) {
  const chunks: string[] = [];
  return { isTTY, chunks, write: (text: string) => chunks.push(text) };
}

describe('qbr check progress', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-12-15T09:00:00.000Z'));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('redraws one bar in place on a terminal, with the share done and the count', () => {
    const stream = capture(true);
    const report = progressReporter(stream);

    report({ phase: 'hubspot', done: 0, total: 100_000 });
    vi.advanceTimersByTime(150);
    report({ phase: 'hubspot', done: 25_000, total: 100_000 });
    report({ phase: 'hubspot', done: 26_000, total: 100_000 }); // within 100 ms: not redrawn
    vi.advanceTimersByTime(150);
    report({ phase: 'compute', done: 0, total: 1 });
    report({ phase: 'compute', done: 1, total: 1 });

    // 24 cells: 25% → 6 filled, 100% → 24 filled; every draw clears the line first (\r ESC[2K)
    expect(stream.chunks).toEqual([
      `\r\x1b[2K[${'.'.repeat(24)}] reading HubSpot deals 0/100,000`,
      `\r\x1b[2K[${'#'.repeat(6)}${'.'.repeat(18)}] reading HubSpot deals 25,000/100,000`,
      `\r\x1b[2K[${'.'.repeat(24)}] computing the report`,
      `\r\x1b[2K[${'#'.repeat(24)}] computing the report`,
      '\n',
    ]);
  });

  it('writes one plain line per phase when stderr is not a terminal, though phases interleave', () => {
    const stream = capture(false);
    const report = progressReporter(stream);

    // HubSpot is read while the ledger is verified: their events arrive mixed.
    report({ phase: 'hubspot', done: 0, total: 300 });
    report({ phase: 'ledger', done: 0, total: 1 });
    report({ phase: 'hubspot', done: 100, total: 300 });
    report({ phase: 'ledger', done: 1, total: 1 });
    report({ phase: 'registrations', done: 1, total: 1 });
    report({ phase: 'hubspot', done: 300, total: 300 });
    report({ phase: 'compute', done: 1, total: 1 });

    expect(stream.chunks).toEqual([
      '… reading HubSpot deals\n',
      '… reading and verifying the ledger\n',
      '… reading registrations\n',
      '… computing the report\n',
    ]);
  });
});
