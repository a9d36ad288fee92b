/**
 * Lambda entry point for `GET /hubspot/deal-card`: wires the AWS adapters from the environment
 * into the handler. It reads the ledger, its digests and the registrations, and verifies MACs;
 * it writes nothing.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDbRegistrationBook } from '#adapters/dynamodb/registration-book.ts';
import { DynamoDbLedgerStore } from '#adapters/ledger/dynamodb-ledger-store.ts';
import { KmsLedgerKey } from '#adapters/ledger/kms-ledger-key.ts';
import { S3DigestStore } from '#adapters/ledger/s3-digest-store.ts';
import { createDealCardHandler } from './deal-card-handler.ts';
import { documentClient, dynamodb } from './wiring/clients/dynamodb.ts';
import { kms } from './wiring/clients/kms.ts';
import { s3 } from './wiring/clients/s3.ts';
import { readEnvironment, requiredSetting } from './wiring/configuration.ts';
import { secretText } from './wiring/secrets.ts';

const settings = readEnvironment({
  LEDGER_TABLE: requiredSetting,
  LEDGER_MAC_KEY: requiredSetting,
  DIGEST_BUCKET: requiredSetting,
  REGISTRATIONS_TABLE: requiredSetting,
  HUBSPOT_CLIENT_SECRET_ARN: requiredSetting,
});

export const handler = createDealCardHandler({
  ledger: new DynamoDbLedgerStore(dynamodb, settings.LEDGER_TABLE),
  digests: new S3DigestStore(s3, settings.DIGEST_BUCKET),
  ledgerKey: new KmsLedgerKey(kms, settings.LEDGER_MAC_KEY),
  registrations: new DynamoDbRegistrationBook(documentClient, settings.REGISTRATIONS_TABLE),
  now: () => new Date(),
  clientSecret: () => secretText(settings.HUBSPOT_CLIENT_SECRET_ARN, 'HubSpot client secret'),
  logger: new Logger({ serviceName: 'dealreg-deal-card' }),
});
