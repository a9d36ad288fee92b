import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { ledgerGuardMetrics } from '#domain/ledger/guard-metrics.ts';
import { type DigestDependencies, writeDigest } from '#use-cases/ledger-digest.ts';

/**
 * The scheduled digest: commits every chain's length and head to the Object Lock bucket, signed
 * with the ledger key. A chain whose new entries do not verify goes in unauthenticated and counts
 * in the metric the tampering alarm watches.
 */
export function createLedgerDigestHandler(deps: DigestDependencies & { logger: Logger; metrics: Metrics }) {
  return middy<unknown, { location: string; root: string; chains: number; unauthenticated: number }>()
    .use(injectLambdaContext(deps.logger))
    .use(logMetrics(deps.metrics))
    .handler(async () => {
      const { location, digest, unauthenticated } = await writeDigest(deps);
      deps.metrics.addMetric(
        ledgerGuardMetrics.unauthenticatedEntries,
        MetricUnit.Count,
        unauthenticated.length,
      );
      for (const chain of unauthenticated) {
        deps.logger.error('ledger chain failed verification; digested unauthenticated', { ...chain });
      }
      deps.logger.info('ledger digest written', {
        location,
        number: digest.number,
        root: digest.root,
        chains: digest.chains,
      });
      return { location, root: digest.root, chains: digest.chains, unauthenticated: unauthenticated.length };
    });
}
