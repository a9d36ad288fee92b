/**
 * Lambda entry point of Partner Central's opportunity and engagement invitation events
 * (EventBridge, default bus of us-east-1): wires the AWS adapters from the environment into the
 * handler. With the AWS referral review's settings (co-sell on), a new referral is checked and
 * sent for review; the HubSpot connection is then made at cold start.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDbRegistrationBook } from '#adapters/dynamodb/registration-book.ts';
import { DynamoDbLedgerStore } from '#adapters/ledger/dynamodb-ledger-store.ts';
import { KmsLedgerKey } from '#adapters/ledger/kms-ledger-key.ts';
import { partnerCentralCatalogs } from '#adapters/partner-central/co-sell-catalogs.ts';
import { createCoSellEventsHandler } from './co-sell-events-handler.ts';
import { awsReferralReviewDependencies, readAwsReferralReviewSettings } from './wiring/aws-referrals.ts';
import { documentClient, dynamodb } from './wiring/clients/dynamodb.ts';
import { kms } from './wiring/clients/kms.ts';
import { readEnvironment, requiredSetting } from './wiring/configuration.ts';

const settings = readEnvironment({
  REGISTRATIONS_TABLE: requiredSetting,
  LEDGER_TABLE: requiredSetting,
  LEDGER_MAC_KEY: requiredSetting,
});
const referralSettings = readAwsReferralReviewSettings();

export const handler = createCoSellEventsHandler({
  book: new DynamoDbRegistrationBook(documentClient, settings.REGISTRATIONS_TABLE),
  ledger: new DynamoDbLedgerStore(dynamodb, settings.LEDGER_TABLE),
  ledgerKey: new KmsLedgerKey(kms, settings.LEDGER_MAC_KEY),
  // The Selling API is served from us-east-1 only ("AWS Partner Central API endpoints").
  coSell: partnerCentralCatalogs({ region: 'us-east-1' }),
  referrals:
    referralSettings === undefined
      ? undefined
      : await awsReferralReviewDependencies(settings.REGISTRATIONS_TABLE, referralSettings),
  now: () => new Date(),
  logger: new Logger({ serviceName: 'dealreg-co-sell-events' }),
});
