/**
 * Lambda entry point for `POST /hubspot/crm-events`: wires the AWS adapters from the environment
 * into the handler. Clients are built once per container; the HubSpot connection on the first
 * request that needs it (the access token comes from Secrets Manager).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { sharedHubSpotConnection } from '#adapters/hubspot/connection.ts';
import { HubSpotDealLookup } from '#adapters/hubspot/hubspot-deal-lookup.ts';
import { DynamoDbLedgerStore } from '#adapters/ledger/dynamodb-ledger-store.ts';
import { UsdRates } from '#domain/crm-events/crm-event-entries.ts';
import { CurrencyCode } from '#domain/ledger/money.ts';
import type { CrmDealLookup } from '#ports/crm-deal-lookup.ts';
import { crmEventSettings } from '#use-cases/record-crm-events.ts';
import { ConfigurationError, jsonSetting, readEnvironment, requiredSetting } from './configuration.ts';
import { createCrmEventsHandler } from './crm-events-handler.ts';

const settings = readEnvironment({
  LEDGER_TABLE: requiredSetting,
  HUBSPOT_CLIENT_SECRET_ARN: requiredSetting,
  HUBSPOT_ACCESS_TOKEN_ARN: requiredSetting,
  HUBSPOT_BASE_URL: requiredSetting.optional(),
  HUBSPOT_REQUESTS_PER_WINDOW: requiredSetting
    .regex(/^[1-9]\d*$/, 'must be a positive whole number')
    .transform(Number)
    .optional(),
  CRM_EVENTS_DEFAULT_CURRENCY: CurrencyCode.optional(),
  CRM_EVENTS_USD_RATES: jsonSetting.pipe(UsdRates.optional()),
});

const logger = new Logger({ serviceName: 'dealreg-crm-events' });

/** A secret's value, cached for five minutes so a rotation takes effect without a deploy. */
async function secretValue(arn: string, what: string): Promise<string> {
  const value = await getSecret<string>(arn, { maxAge: 300 });
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ConfigurationError(`the ${what} ${arn} is empty`);
  }
  return value;
}

let lookup: Promise<HubSpotDealLookup> | undefined;
function hubSpot(): Promise<HubSpotDealLookup> {
  lookup ??= secretValue(settings.HUBSPOT_ACCESS_TOKEN_ARN, 'HubSpot access token')
    .then(
      (token) =>
        new HubSpotDealLookup(
          sharedHubSpotConnection({
            accessToken: token,
            ...(settings.HUBSPOT_BASE_URL === undefined ? {} : { basePath: settings.HUBSPOT_BASE_URL }),
            limits: { requestsPerWindow: settings.HUBSPOT_REQUESTS_PER_WINDOW ?? 50 },
          }),
        ),
    )
    .catch((error: unknown) => {
      lookup = undefined;
      throw error;
    });
  return lookup;
}

const deals: CrmDealLookup = {
  describeDeals: async (ids) => (await hubSpot()).describeDeals(ids),
  dealToCompanyLabels: async () => (await hubSpot()).dealToCompanyLabels(),
};

export const handler = createCrmEventsHandler({
  store: new DynamoDbLedgerStore(new DynamoDBClient({}), settings.LEDGER_TABLE),
  deals,
  settings: crmEventSettings({
    ...(settings.CRM_EVENTS_DEFAULT_CURRENCY === undefined
      ? {}
      : { defaultCurrency: settings.CRM_EVENTS_DEFAULT_CURRENCY }),
    usdRates: settings.CRM_EVENTS_USD_RATES ?? {},
  }),
  now: () => new Date(),
  clientSecret: () => secretValue(settings.HUBSPOT_CLIENT_SECRET_ARN, 'HubSpot client secret'),
  logger,
});
