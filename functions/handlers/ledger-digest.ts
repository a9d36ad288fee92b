import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import middy from '@middy/core';
import { DynamoDbLedgerStore } from '#adapters/ledger/dynamodb-ledger-store.ts';
import { S3DigestStore } from '#adapters/ledger/s3-digest-store.ts';
import { type DigestDependencies, writeDigest } from '#use-cases/ledger-digest.ts';
import { readEnvironment, requiredSetting } from './configuration.ts';

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

const settings = readEnvironment({ LEDGER_TABLE: requiredSetting, DIGEST_BUCKET: requiredSetting });

export const handler = createLedgerDigestHandler({
  store: new DynamoDbLedgerStore(new DynamoDBClient({}), settings.LEDGER_TABLE),
  digests: new S3DigestStore(new S3Client({}), settings.DIGEST_BUCKET),
  logger: new Logger(),
});
