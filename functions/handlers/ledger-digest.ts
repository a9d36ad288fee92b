/** Lambda entry point of the scheduled ledger digest: wires the AWS adapters from the environment. */
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDbLedgerStore } from '#adapters/ledger/dynamodb-ledger-store.ts';
import { S3DigestStore } from '#adapters/ledger/s3-digest-store.ts';
import { createLedgerDigestHandler } from './ledger-digest-handler.ts';
import { dynamodb } from './wiring/clients/dynamodb.ts';
import { s3 } from './wiring/clients/s3.ts';
import { readEnvironment, requiredSetting } from './wiring/configuration.ts';

const settings = readEnvironment({ LEDGER_TABLE: requiredSetting, DIGEST_BUCKET: requiredSetting });

export const handler = createLedgerDigestHandler({
  store: new DynamoDbLedgerStore(dynamodb, settings.LEDGER_TABLE),
  digests: new S3DigestStore(s3, settings.DIGEST_BUCKET),
  logger: new Logger(),
});
