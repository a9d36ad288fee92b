import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import {
  type CoSellReconciliationDependencies,
  type CoSellReconciliationOutcome,
  runCoSellReconciliation,
} from '#use-cases/co-sell-reconciliation.ts';

/**
 * The scheduled co-sell reconciliation: records what Partner Central's events would have
 * recorded for every opportunity of the policy's catalog changed since the last successful run.
 * A failure is thrown (the schedule's retry policy and dead-letter queue take it) and leaves the
 * watermark where it was.
 */
export function createCoSellReconciliationHandler(
  deps: CoSellReconciliationDependencies & { readonly catalog: 'Sandbox' | 'AWS'; readonly logger: Logger },
) {
  return middy<unknown, CoSellReconciliationOutcome>()
    .use(injectLambdaContext(deps.logger))
    .handler(async () => {
      const outcome = await runCoSellReconciliation(deps, deps.catalog);
      deps.logger.info('co-sell reconciliation done', { catalog: deps.catalog, ...outcome });
      return outcome;
    });
}
