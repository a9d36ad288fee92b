/**
 * Lambda entry point of the scheduled co-sell reconciliation: wires the AWS adapters from the
 * environment into the handler.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod';
import { DynamoDbCoSellReconciliationWatermark } from '#adapters/dynamodb/co-sell-reconciliation-watermark.ts';
import { DynamoDbRegistrationBook } from '#adapters/dynamodb/registration-book.ts';
import { DynamoDbLedgerStore } from '#adapters/ledger/dynamodb-ledger-store.ts';
import { KmsLedgerKey } from '#adapters/ledger/kms-ledger-key.ts';
import { partnerCentralCatalogs } from '#adapters/partner-central/co-sell-catalogs.ts';
import { createCoSellReconciliationHandler } from './co-sell-reconciliation-handler.ts';
import { documentClient, dynamodb } from './wiring/clients/dynamodb.ts';
import { kms } from './wiring/clients/kms.ts';
import { readEnvironment, requiredSetting } from './wiring/configuration.ts';

const settings = readEnvironment({
  REGISTRATIONS_TABLE: requiredSetting,
  LEDGER_TABLE: requiredSetting,
  LEDGER_MAC_KEY: requiredSetting,
  SWEEPER_STATE_TABLE: requiredSetting,
  // The policy's coSell.catalog, set by the stack.
  CO_SELL_CATALOG: z.enum(['Sandbox', 'AWS']),
});

export const handler = createCoSellReconciliationHandler({
  book: new DynamoDbRegistrationBook(documentClient, settings.REGISTRATIONS_TABLE),
  ledger: new DynamoDbLedgerStore(dynamodb, settings.LEDGER_TABLE),
  ledgerKey: new KmsLedgerKey(kms, settings.LEDGER_MAC_KEY),
  // The Selling API is served from us-east-1 only ("AWS Partner Central API endpoints").
  coSell: partnerCentralCatalogs({ region: 'us-east-1' }),
  watermark: new DynamoDbCoSellReconciliationWatermark(documentClient, settings.SWEEPER_STATE_TABLE),
  catalog: settings.CO_SELL_CATALOG,
  now: () => new Date(),
  logger: new Logger({ serviceName: 'dealreg-co-sell-reconciliation' }),
});
