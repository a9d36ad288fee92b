import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { findLedgerTampering } from '#use-cases/ledger-stream-guard.ts';

/** Metric the ledger construct alarms on (namespace `Dealreg`). */
const LEDGER_TAMPERING_METRIC = 'LedgerNonInsertEvents';

/**
 * Consumes the ledger table's stream (the event source mapping already filters out INSERTs)
 * and counts every MODIFY or REMOVE in a metric the tampering alarm watches, logging which
 * entry was touched and by whom.
 */
export function createLedgerStreamGuardHandler(deps: { logger: Logger; metrics: Metrics }) {
  return middy<DynamoDBStreamEvent, void>()
    .use(injectLambdaContext(deps.logger))
    .use(logMetrics(deps.metrics))
    .handler(async (event) => {
      const tampering = findLedgerTampering(event.Records);
      deps.metrics.addMetric(LEDGER_TAMPERING_METRIC, MetricUnit.Count, tampering.length);
      for (const change of tampering) {
        deps.logger.error('ledger entry changed after it was written', { ...change });
      }
    });
}
