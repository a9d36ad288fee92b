/**
 * Lambda entry point for `GET|POST /aws-referrals/{invitationId}`: wires the AWS adapters from the
 * environment into the referral page's handler. The HubSpot connection is made at cold start.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { usdRatesSchema } from '#domain/money.ts';
import { createAwsReferralsHandler } from './aws-referrals-handler.ts';
import { awsReferralCheckDependencies } from './wiring/aws-referrals.ts';
import { jsonSetting, policySetting, readEnvironment, requiredSetting } from './wiring/configuration.ts';
import { hubSpotPortalSettings } from './wiring/hubspot.ts';

const settings = readEnvironment({
  REGISTRATIONS_TABLE: requiredSetting,
  ...hubSpotPortalSettings,
  APPROVAL_SIGNING_KEY_SECRET_ARN: requiredSetting,
  USD_RATES: jsonSetting.pipe(usdRatesSchema.optional()),
  DEALREG_POLICY: policySetting,
});

export const handler = createAwsReferralsHandler({
  ...(await awsReferralCheckDependencies(settings.REGISTRATIONS_TABLE, settings)),
  logger: new Logger({ serviceName: 'dealreg-aws-referrals' }),
});
