import { describe, expect, it } from 'vitest';
import { findLedgerTampering } from '#use-cases/ledger-stream-guard.ts';

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
