import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { LocalLedgerKey } from '#adapters/ledger/local-ledger-key.ts';
import type { LedgerEntry } from '#domain/ledger/entry.ts';
import { createLedgerStreamGuardHandler } from '#handlers/ledger-stream-guard-handler.ts';
import { lambdaContext } from '#local/api-server.ts';
import { authenticatedChain } from './sample-entries.ts';

/** A stream record as DynamoDB Streams delivers it (NEW_AND_OLD_IMAGES). */
function record(eventName: 'INSERT' | 'MODIFY' | 'REMOVE', entry: LedgerEntry) {
  const image = marshall(entry, { removeUndefinedValues: true }) as Record<string, AttributeValue>;
  return {
    eventName,
    dynamodb: {
      Keys: marshall({ opportunityId: entry.opportunityId, sequence: entry.sequence }),
      ...(eventName === 'REMOVE' ? {} : { NewImage: image }),
      ...(eventName === 'INSERT' ? {} : { OldImage: image }),
    },
  };
}

describe('ledger stream guard handler', () => {
  it('counts changed entries and inserts the ledger key does not vouch for in the alarm’s metrics', async () => {
    const key = LocalLedgerKey.random();
    const [first, second] = (await authenticatedChain('opp-1', 2, key)) as [LedgerEntry, LedgerEntry];
    const [forged] = (await authenticatedChain('opp-2', 1, LocalLedgerKey.random())) as [LedgerEntry];
    const metrics = new Metrics({ namespace: 'Dealreg', serviceName: 'dealreg-ledger-guard' });
    const counted = vi.spyOn(metrics, 'addMetric');
    vi.spyOn(metrics, 'publishStoredMetrics').mockImplementation(() => metrics);
    const logger = new Logger({ logLevel: 'SILENT' });
    const errors = vi.spyOn(logger, 'error');
    const handler = createLedgerStreamGuardHandler({ logger, metrics, ledgerKey: key });

    await handler(
      {
        Records: [
          record('INSERT', first),
          record('INSERT', second),
          record('INSERT', forged),
          record('MODIFY', { ...first, stage: 'closedwon' } as LedgerEntry),
        ],
      } as DynamoDBStreamEvent,
      lambdaContext('dealreg-ledger-guard'),
    );

    expect(counted.mock.calls).toEqual([
      ['LedgerNonInsertEvents', 'Count', 1],
      ['LedgerUnauthenticatedEntries', 'Count', 1],
    ]);
    expect(errors.mock.calls.map(([message, details]) => [message, details])).toEqual([
      [
        'ledger entry changed after it was written',
        expect.objectContaining({ eventName: 'MODIFY', sequence: 1 }),
      ],
      [
        'ledger entry inserted that the ledger writer did not write',
        expect.objectContaining({ opportunityId: 'opp-2', sequence: 1 }),
      ],
    ]);
  });
});
