/** Lambda entry point of the scheduled ledger digest: wires the AWS adapters from the environment. */
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDbLedgerStore } from '#adapters/ledger/dynamodb-ledger-store.ts';
import { S3DigestStore } from '#adapters/ledger/s3-digest-store.ts';
import { readEnvironment, requiredSetting } from './configuration.ts';
import { createLedgerDigestHandler } from './ledger-digest-handler.ts';

const settings = readEnvironment({ LEDGER_TABLE: requiredSetting, DIGEST_BUCKET: requiredSetting });

export const handler = createLedgerDigestHandler({
  store: new DynamoDbLedgerStore(new DynamoDBClient({}), settings.LEDGER_TABLE),
  digests: new S3DigestStore(new S3Client({}), settings.DIGEST_BUCKET),
  logger: new Logger(),
});
