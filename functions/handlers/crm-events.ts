/**
 * Lambda entry point for `POST /hubspot/crm-events`: wires the AWS adapters from the environment
 * into the handler. The HubSpot connection is made at cold start (its access token comes from
 * Secrets Manager).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { HubSpotDealLookup } from '#adapters/hubspot/hubspot-deal-lookup.ts';
import { DynamoDbLedgerStore } from '#adapters/ledger/dynamodb-ledger-store.ts';
import { KmsLedgerKey } from '#adapters/ledger/kms-ledger-key.ts';
import { currencyCodeSchema, usdRatesSchema } from '#domain/money.ts';
import { crmEventSettings } from '#use-cases/record-crm-events.ts';
import { createCrmEventsHandler } from './crm-events-handler.ts';
import { dynamodb } from './wiring/clients/dynamodb.ts';
import { kms } from './wiring/clients/kms.ts';
import {
  jsonSetting,
  positiveWholeNumberSetting,
  readEnvironment,
  requiredSetting,
} from './wiring/configuration.ts';
import { connectToHubSpot, hubSpotConnectionSettings } from './wiring/hubspot.ts';
import { secretText } from './wiring/secrets.ts';

const settings = readEnvironment({
  LEDGER_TABLE: requiredSetting,
  LEDGER_MAC_KEY: requiredSetting,
  HUBSPOT_CLIENT_SECRET_ARN: requiredSetting,
  ...hubSpotConnectionSettings,
  // The share of the portal's rate limit the construct gives this function, when it names none.
  HUBSPOT_REQUESTS_PER_WINDOW: positiveWholeNumberSetting.default(50),
  CRM_EVENTS_DEFAULT_CURRENCY: currencyCodeSchema.optional(),
  CRM_EVENTS_USD_RATES: jsonSetting.pipe(usdRatesSchema.optional()),
});

export const handler = createCrmEventsHandler({
  store: new DynamoDbLedgerStore(dynamodb, settings.LEDGER_TABLE),
  ledgerKey: new KmsLedgerKey(kms, settings.LEDGER_MAC_KEY),
  // Made once per container: it keeps the portal's deal pipelines, which decide won and lost, for
  // five minutes, and reads them again at once for a stage it has not seen.
  deals: new HubSpotDealLookup(await connectToHubSpot(settings)),
  settings: crmEventSettings({
    // Spread over crmEventSettings' defaults: an undefined key would replace the default currency.
    ...(settings.CRM_EVENTS_DEFAULT_CURRENCY === undefined
      ? {}
      : { defaultCurrency: settings.CRM_EVENTS_DEFAULT_CURRENCY }),
    usdRates: settings.CRM_EVENTS_USD_RATES ?? {},
  }),
  now: () => new Date(),
  clientSecret: () => secretText(settings.HUBSPOT_CLIENT_SECRET_ARN, 'HubSpot client secret'),
  logger: new Logger({ serviceName: 'dealreg-crm-events' }),
});
