/**
 * Lambda entry point for `GET|POST /aws-referrals/{invitationId}`: wires the AWS adapters from the
 * environment into the referral page's handler. The HubSpot connection is made at cold start.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDbRegistrationBook } from '#adapters/dynamodb/registration-book.ts';
import { HubSpotAdapter } from '#adapters/hubspot/hubspot-adapter.ts';
import { partnerCentralReferrals } from '#adapters/partner-central/co-sell-catalogs.ts';
import { usdRatesSchema } from '#domain/money.ts';
import { createAwsReferralsHandler } from './aws-referrals-handler.ts';
import { documentClient } from './wiring/clients/dynamodb.ts';
import { jsonSetting, policySetting, readEnvironment, requiredSetting } from './wiring/configuration.ts';
import { connectToHubSpot, hubSpotPortalSettings } from './wiring/hubspot.ts';
import { approvalSigningKey } from './wiring/secrets.ts';

const settings = readEnvironment({
  REGISTRATIONS_TABLE: requiredSetting,
  ...hubSpotPortalSettings,
  APPROVAL_SIGNING_KEY_SECRET_ARN: requiredSetting,
  USD_RATES: jsonSetting.pipe(usdRatesSchema.optional()),
  DEALREG_POLICY: policySetting,
});

export const handler = createAwsReferralsHandler({
  book: new DynamoDbRegistrationBook(documentClient, settings.REGISTRATIONS_TABLE),
  crm: new HubSpotAdapter(await connectToHubSpot(settings), { portalId: settings.HUBSPOT_PORTAL_ID }),
  policy: settings.DEALREG_POLICY,
  usdRates: settings.USD_RATES ?? {},
  // The Selling API is served from us-east-1 only; referrals are answered in the policy's catalog.
  referrals: partnerCentralReferrals({ region: 'us-east-1' }),
  signingKey: approvalSigningKey(settings.APPROVAL_SIGNING_KEY_SECRET_ARN),
  now: () => new Date(),
  logger: new Logger({ serviceName: 'dealreg-aws-referrals' }),
});
