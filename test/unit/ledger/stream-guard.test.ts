import { describe, expect, it } from 'vitest';
import { LocalLedgerKey } from '#adapters/ledger/local-ledger-key.ts';
import type { LedgerEntry } from '#domain/ledger/entry.ts';
import { findLedgerTampering, findUnauthenticatedEntries } from '#use-cases/ledger-stream-guard.ts';
import { authenticatedChain } from './sample-entries.ts';

const keys = (opportunityId: string, sequence: number) => ({
  Keys: { opportunityId: { S: opportunityId }, sequence: { N: String(sequence) } },
});

describe('ledger stream guard', () => {
  it('lets inserts pass and names every modified or removed entry', () => {
    const found = findLedgerTampering([
      { eventName: 'INSERT', dynamodb: keys('opp-1', 1) },
      { eventName: 'MODIFY', dynamodb: keys('opp-1', 1) },
      { eventName: 'REMOVE', dynamodb: keys('opp-2', 7), userIdentity: { type: 'Service' } },
    ]);

    expect(found).toEqual([
      { eventName: 'MODIFY', opportunityId: 'opp-1', sequence: 1, userIdentity: undefined },
      { eventName: 'REMOVE', opportunityId: 'opp-2', sequence: 7, userIdentity: { type: 'Service' } },
    ]);
  });

  it('finds nothing in a batch of inserts', () => {
    expect(findLedgerTampering([{ eventName: 'INSERT', dynamodb: keys('opp-1', 2) }])).toEqual([]);
  });
});

describe('ledger stream guard on inserts', () => {
  it('passes entries the writer wrote and names each forged, copied, altered or unsigned one', async () => {
    const key = LocalLedgerKey.random();
    const [first, second] = await authenticatedChain('opp-1', 2, key);
    const [fabricated] = await authenticatedChain('opp-9', 1, LocalLedgerKey.random());
    const genuine = first as LedgerEntry;
    const { mac: _mac, ...unsigned } = second as LedgerEntry;

    const found = await findUnauthenticatedEntries(
      [
        { ...genuine },
        { ...(second as LedgerEntry) },
        { ...(fabricated as LedgerEntry) },
        { ...genuine, opportunityId: 'opp-2' },
        { ...genuine, recordedBy: 'someone else' },
        unsigned,
      ],
      key,
    );

    expect(found).toEqual([
      { opportunityId: 'opp-9', sequence: 1, problem: expect.stringMatching(/MAC does not verify/) },
      {
        opportunityId: 'opp-2',
        sequence: 1,
        problem: expect.stringMatching(/does not hash to its stored hash/),
      },
      {
        opportunityId: 'opp-1',
        sequence: 1,
        problem: expect.stringMatching(/does not hash to its stored hash/),
      },
      { opportunityId: 'opp-1', sequence: 2, problem: expect.stringMatching(/has no MAC/) },
    ]);
  });
});
