/**
 * Lambda entry point of the registration workflow's steps: wires the AWS adapters from the
 * environment. The HubSpot connection is made at cold start (its access token comes from
 * Secrets Manager).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDbApprovalStore } from '#adapters/dynamodb/approval-store.ts';
import { OnceOnlyMailer } from '#adapters/dynamodb/once-only-mailer.ts';
import { DynamoDbRegistrationBook } from '#adapters/dynamodb/registration-book.ts';
import { HubSpotAdapter } from '#adapters/hubspot/hubspot-adapter.ts';
import { DynamoDbLedgerStore } from '#adapters/ledger/dynamodb-ledger-store.ts';
import { KmsLedgerKey } from '#adapters/ledger/kms-ledger-key.ts';
import { sesMailerFromEnvironment } from '#adapters/mail/ses-mailer.ts';
import { partnerCentralCatalogs } from '#adapters/partner-central/co-sell-catalogs.ts';
import { stepFunctionsTaskSuccess } from '#adapters/stepfunctions/send-task-success.ts';
import { usdRatesSchema } from '#domain/money.ts';
import { createRegistrationStepsHandler } from './registration-steps-handler.ts';
import { documentClient, dynamodb } from './wiring/clients/dynamodb.ts';
import { kms } from './wiring/clients/kms.ts';
import { ses } from './wiring/clients/ses.ts';
import { stepFunctions } from './wiring/clients/step-functions.ts';
import { jsonSetting, policySetting, readEnvironment, requiredSetting } from './wiring/configuration.ts';
import { connectToHubSpot, hubSpotPortalSettings } from './wiring/hubspot.ts';
import { approvalSigningKey } from './wiring/secrets.ts';

const settings = readEnvironment({
  REGISTRATIONS_TABLE: requiredSetting,
  APPROVALS_TABLE: requiredSetting,
  LEDGER_TABLE: requiredSetting,
  LEDGER_MAC_KEY: requiredSetting,
  ...hubSpotPortalSettings,
  APPROVAL_SIGNING_KEY_SECRET_ARN: requiredSetting,
  APPROVALS_API_URL: requiredSetting,
  MAIL_FROM: requiredSetting,
  SUPPORT_EMAIL: requiredSetting.optional(),
  REGISTRATION_FORM_URL: requiredSetting.optional(),
  USD_RATES: jsonSetting.pipe(usdRatesSchema.optional()),
  DEALREG_POLICY: policySetting,
});

export const handler = createRegistrationStepsHandler({
  book: new DynamoDbRegistrationBook(documentClient, settings.REGISTRATIONS_TABLE),
  approvals: new DynamoDbApprovalStore(documentClient, settings.APPROVALS_TABLE),
  crm: new HubSpotAdapter(await connectToHubSpot(settings), { portalId: settings.HUBSPOT_PORTAL_ID }),
  ledger: new DynamoDbLedgerStore(dynamodb, settings.LEDGER_TABLE),
  ledgerKey: new KmsLedgerKey(kms, settings.LEDGER_MAC_KEY),
  mailer: new OnceOnlyMailer(
    sesMailerFromEnvironment(process.env, ses),
    documentClient,
    settings.APPROVALS_TABLE,
  ),
  callbacks: { succeed: stepFunctionsTaskSuccess(stepFunctions) },
  policy: settings.DEALREG_POLICY,
  signingKey: approvalSigningKey(settings.APPROVAL_SIGNING_KEY_SECRET_ARN),
  apiBaseUrl: settings.APPROVALS_API_URL,
  usdRates: settings.USD_RATES ?? {},
  registrationFormUrl: settings.REGISTRATION_FORM_URL,
  supportEmail: settings.SUPPORT_EMAIL,
  // Co-sell with AWS: the Selling API is served from us-east-1 only; the catalog is the policy's.
  coSell: partnerCentralCatalogs({ region: 'us-east-1' }),
  now: () => new Date(),
  logger: new Logger({ serviceName: 'dealreg-registration-workflow' }),
});
