import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import middy from '@middy/core';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { ledgerGuardMetrics } from '#domain/ledger/guard-metrics.ts';
import type { LedgerAuthenticator } from '#ports/ledger-authenticator.ts';
import { findLedgerTampering, findUnauthenticatedEntries } from '#use-cases/ledger-stream-guard.ts';

/** An inserted item as the stream carries it, in plain JSON (an unreadable one is kept by its keys). */
function newImage(image: Record<string, AttributeValue>): Record<string, unknown> {
  try {
    return unmarshall(image);
  } catch (error) {
    return {
      opportunityId: image.opportunityId?.S,
      sequence: Number(image.sequence?.N),
      unreadable: (error as Error).message,
    };
  }
}

/**
 * Consumes the ledger table's stream: counts every MODIFY or REMOVE, and every INSERT whose entry
 * the ledger key does not vouch for, in the metrics the tampering alarm watches, logging which
 * entry and by whom. A failure to reach the key throws, so the batch is retried and never skipped.
 */
export function createLedgerStreamGuardHandler(deps: {
  logger: Logger;
  metrics: Metrics;
  ledgerKey: LedgerAuthenticator;
}) {
  return middy<DynamoDBStreamEvent, void>()
    .use(injectLambdaContext(deps.logger))
    .use(logMetrics(deps.metrics))
    .handler(async (event) => {
      const tampering = findLedgerTampering(event.Records);
      const inserted = event.Records.flatMap((record) =>
        record.eventName === 'INSERT' && record.dynamodb?.NewImage !== undefined
          ? [newImage(record.dynamodb.NewImage as Record<string, AttributeValue>)]
          : [],
      );
      const unauthenticated = await findUnauthenticatedEntries(inserted, deps.ledgerKey);
      deps.metrics.addMetric(ledgerGuardMetrics.nonInsertEvents, MetricUnit.Count, tampering.length);
      deps.metrics.addMetric(
        ledgerGuardMetrics.unauthenticatedEntries,
        MetricUnit.Count,
        unauthenticated.length,
      );
      for (const change of tampering) {
        deps.logger.error('ledger entry changed after it was written', { ...change });
      }
      for (const entry of unauthenticated) {
        deps.logger.error('ledger entry inserted that the ledger writer did not write', { ...entry });
      }
    });
}
