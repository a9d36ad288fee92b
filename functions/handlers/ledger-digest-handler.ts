import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { type DigestDependencies, writeDigest } from '#use-cases/ledger-digest.ts';

/** The scheduled digest: commits every chain head to the Object Lock bucket. */
export function createLedgerDigestHandler(deps: DigestDependencies & { logger: Logger }) {
  return middy<unknown, { location: string; root: string; chains: number }>()
    .use(injectLambdaContext(deps.logger))
    .handler(async () => {
      const { location, digest } = await writeDigest(deps);
      deps.logger.info('ledger digest written', { location, root: digest.root, chains: digest.chains });
      return { location, root: digest.root, chains: digest.chains };
    });
}
