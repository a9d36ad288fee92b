/**
 * Lambda entry point of the scheduled co-sell reconciliation: wires the AWS adapters from the
 * environment into the handler. With HubSpot's and the policy's settings (the stack gives them
 * whenever co-sell is on) it also shares what the workflow's step could not: the customer's
 * company is read from HubSpot by the id the approval recorded (a batch read; this function has
 * no share of the portal's searches).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod';
import { DynamoDbCoSellReconciliationWatermark } from '#adapters/dynamodb/co-sell-reconciliation-watermark.ts';
import { DynamoDbRegistrationBook } from '#adapters/dynamodb/registration-book.ts';
import { HubSpotPartnerDirectory } from '#adapters/hubspot/partner-directory.ts';
import { DynamoDbLedgerStore } from '#adapters/ledger/dynamodb-ledger-store.ts';
import { KmsLedgerKey } from '#adapters/ledger/kms-ledger-key.ts';
import { partnerCentralCatalogs } from '#adapters/partner-central/co-sell-catalogs.ts';
import { usdRatesSchema } from '#domain/money.ts';
import { shareUnsharedRegistrations } from '#use-cases/co-sell-catch-up.ts';
import { createCoSellReconciliationHandler } from './co-sell-reconciliation-handler.ts';
import { documentClient, dynamodb } from './wiring/clients/dynamodb.ts';
import { kms } from './wiring/clients/kms.ts';
import {
  jsonSetting,
  policySetting,
  readEnvironment,
  readOptionalEnvironment,
  requiredSetting,
} from './wiring/configuration.ts';
import { connectToHubSpot, hubSpotConnectionSettings } from './wiring/hubspot.ts';

const settings = readEnvironment({
  REGISTRATIONS_TABLE: requiredSetting,
  LEDGER_TABLE: requiredSetting,
  LEDGER_MAC_KEY: requiredSetting,
  SWEEPER_STATE_TABLE: requiredSetting,
  // The policy's coSell.catalog, set by the stack.
  CO_SELL_CATALOG: z.enum(['Sandbox', 'AWS']),
});

const catchUpSettings = readOptionalEnvironment('the co-sell catch-up', {
  ...hubSpotConnectionSettings,
  DEALREG_POLICY: policySetting,
  USD_RATES: jsonSetting.pipe(usdRatesSchema.optional()),
});

const logger = new Logger({ serviceName: 'dealreg-co-sell-reconciliation' });
const dependencies = {
  book: new DynamoDbRegistrationBook(documentClient, settings.REGISTRATIONS_TABLE),
  ledger: new DynamoDbLedgerStore(dynamodb, settings.LEDGER_TABLE),
  ledgerKey: new KmsLedgerKey(kms, settings.LEDGER_MAC_KEY),
  // The Selling API is served from us-east-1 only ("AWS Partner Central API endpoints").
  coSell: partnerCentralCatalogs({ region: 'us-east-1' }),
  now: () => new Date(),
  logger,
};
// Companies read by id (a batch read); the directory of partner companies is the one that does.
const companies =
  catchUpSettings === undefined
    ? undefined
    : new HubSpotPartnerDirectory(await connectToHubSpot(catchUpSettings));

export const handler = createCoSellReconciliationHandler({
  ...dependencies,
  watermark: new DynamoDbCoSellReconciliationWatermark(documentClient, settings.SWEEPER_STATE_TABLE),
  catalog: settings.CO_SELL_CATALOG,
  catchUp:
    catchUpSettings === undefined || companies === undefined
      ? undefined
      : () =>
          shareUnsharedRegistrations({
            ...dependencies,
            // By id only: a registration approved before the id was recorded is left for the
            // pre-QBR report's COSELL_MISSING finding (the portal's searches are all given out).
            crm: { companiesById: (ids) => companies.companiesById(ids) },
            policy: catchUpSettings.DEALREG_POLICY,
            usdRates: catchUpSettings.USD_RATES ?? {},
          }),
});
