/** Lambda entry point of the scheduled ledger digest: wires the AWS adapters from the environment. */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDbLedgerStore } from '#adapters/ledger/dynamodb-ledger-store.ts';
import { KmsLedgerKey } from '#adapters/ledger/kms-ledger-key.ts';
import { S3DigestStore } from '#adapters/ledger/s3-digest-store.ts';
import { ledgerGuardMetrics } from '#domain/ledger/guard-metrics.ts';
import { createLedgerDigestHandler } from './ledger-digest-handler.ts';
import { dynamodb } from './wiring/clients/dynamodb.ts';
import { kms } from './wiring/clients/kms.ts';
import { s3 } from './wiring/clients/s3.ts';
import { positiveWholeNumberSetting, readEnvironment, requiredSetting } from './wiring/configuration.ts';

const settings = readEnvironment({
  LEDGER_TABLE: requiredSetting,
  DIGEST_BUCKET: requiredSetting,
  LEDGER_MAC_KEY: requiredSetting,
  DIGEST_EVERY_SECONDS: positiveWholeNumberSetting,
});

export const handler = createLedgerDigestHandler({
  store: new DynamoDbLedgerStore(dynamodb, settings.LEDGER_TABLE),
  digests: new S3DigestStore(s3, settings.DIGEST_BUCKET),
  ledgerKey: new KmsLedgerKey(kms, settings.LEDGER_MAC_KEY),
  everySeconds: settings.DIGEST_EVERY_SECONDS,
  logger: new Logger(),
  metrics: new Metrics({ namespace: ledgerGuardMetrics.namespace }),
});
