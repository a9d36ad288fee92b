import { OnceOnlyMailer } from '#adapters/dynamodb/once-only-mailer.ts';
import { DynamoDbRegistrationBook } from '#adapters/dynamodb/registration-book.ts';
import { HubSpotAdapter } from '#adapters/hubspot/hubspot-adapter.ts';
import { sesMailerFromEnvironment } from '#adapters/mail/ses-mailer.ts';
import { partnerCentralReferrals } from '#adapters/partner-central/co-sell-catalogs.ts';
import { usdRatesSchema } from '#domain/money.ts';
import type { AwsReferralEmailDependencies } from '#use-cases/aws-referral-page.ts';
import { documentClient } from './clients/dynamodb.ts';
import { ses } from './clients/ses.ts';
import { jsonSetting, policySetting, readOptionalEnvironment, requiredSetting } from './configuration.ts';
import { connectToHubSpot, hubSpotPortalSettings } from './hubspot.ts';
import { approvalSigningKey } from './secrets.ts';

/**
 * The settings of the AWS referral review that a Partner Central event starts, beside the
 * function's own (its registrations table).
 */
export const awsReferralReviewSettings = {
  /** Where the once-only mailer records the review email it sent. */
  APPROVALS_TABLE: requiredSetting,
  MAIL_FROM: requiredSetting,
  APPROVALS_API_URL: requiredSetting,
  APPROVAL_SIGNING_KEY_SECRET_ARN: requiredSetting,
  ...hubSpotPortalSettings,
  USD_RATES: jsonSetting.pipe(usdRatesSchema.optional()),
  DEALREG_POLICY: policySetting,
};

/**
 * The referral review's settings: `undefined` when none of its variables is set (the function
 * then leaves referrals alone); a cold start fails naming what is missing when only some are.
 */
export function readAwsReferralReviewSettings(environment?: Readonly<Record<string, string | undefined>>) {
  return readOptionalEnvironment('the AWS referral review', awsReferralReviewSettings, environment);
}

/** The settings both the referral page and the review that an event starts read. */
interface AwsReferralCheckSettings {
  readonly APPROVAL_SIGNING_KEY_SECRET_ARN: string;
  readonly HUBSPOT_ACCESS_TOKEN_ARN: string;
  readonly HUBSPOT_PORTAL_ID: number;
  readonly HUBSPOT_BASE_URL?: string | undefined;
  readonly HUBSPOT_REQUESTS_PER_WINDOW?: number | undefined;
  readonly HUBSPOT_SEARCHES_PER_SECOND?: number | undefined;
  readonly USD_RATES?: Readonly<Record<string, string>> | undefined;
  readonly DEALREG_POLICY: AwsReferralEmailDependencies['policy'];
}

/**
 * The AWS adapters a referral's conflict check and its signed links need: the registration book,
 * the HubSpot portal (connected now, its token read from Secrets Manager), Partner Central in
 * us-east-1 (where the Selling API is served; referrals are answered in the policy's catalog) and
 * the signing key. The referral page and the review an event starts both use them.
 */
export async function awsReferralCheckDependencies(
  registrationsTable: string,
  settings: AwsReferralCheckSettings,
): Promise<Omit<AwsReferralEmailDependencies, 'mailer' | 'apiBaseUrl'>> {
  return {
    book: new DynamoDbRegistrationBook(documentClient, registrationsTable),
    crm: new HubSpotAdapter(await connectToHubSpot(settings), { portalId: settings.HUBSPOT_PORTAL_ID }),
    policy: settings.DEALREG_POLICY,
    usdRates: settings.USD_RATES ?? {},
    referrals: partnerCentralReferrals({ region: 'us-east-1' }),
    signingKey: approvalSigningKey(settings.APPROVAL_SIGNING_KEY_SECRET_ARN),
    now: () => new Date(),
  };
}

/** The review an event starts: the check's adapters, and SES through the once-only mailer. */
export async function awsReferralReviewDependencies(
  registrationsTable: string,
  settings: AwsReferralCheckSettings & {
    readonly APPROVALS_TABLE: string;
    readonly APPROVALS_API_URL: string;
  },
): Promise<AwsReferralEmailDependencies> {
  return {
    ...(await awsReferralCheckDependencies(registrationsTable, settings)),
    mailer: new OnceOnlyMailer(
      sesMailerFromEnvironment(process.env, ses),
      documentClient,
      settings.APPROVALS_TABLE,
    ),
    apiBaseUrl: settings.APPROVALS_API_URL,
  };
}
