/**
 * Lambda entry point of the registration workflow's steps: wires the AWS adapters from the
 * environment. The policy is baked into the bundle at deploy time (`DEALREG_POLICY`, validated
 * when the stack is synthesised), so every execution of one deployment runs under one policy
 * version. Clients are built once per container; the HubSpot connection on first use.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbApprovalStore } from '#adapters/dynamodb/approval-store.ts';
import { DynamoDbRegistrationBook } from '#adapters/dynamodb/registration-book.ts';
import { sharedHubSpotConnection } from '#adapters/hubspot/connection.ts';
import { HubSpotAdapter } from '#adapters/hubspot/hubspot-adapter.ts';
import { DynamoDbLedgerStore } from '#adapters/ledger/dynamodb-ledger-store.ts';
import { SesMailer } from '#adapters/mail/ses-mailer.ts';
import { UsdRates } from '#domain/crm-events/crm-event-entries.ts';
import { loadPolicy } from '#domain/policy/load-policy.ts';
import { signingKeyFromSecret } from '#domain/signed-links/signing-key.ts';
import type { WorkflowCrm } from '#use-cases/registration-workflow/dependencies.ts';
import { ConfigurationError, jsonSetting, readEnvironment, requiredSetting } from './configuration.ts';
import { createRegistrationStepsHandler } from './registration-steps-handler.ts';

const settings = readEnvironment({
  REGISTRATIONS_TABLE: requiredSetting,
  APPROVALS_TABLE: requiredSetting,
  LEDGER_TABLE: requiredSetting,
  HUBSPOT_ACCESS_TOKEN_ARN: requiredSetting,
  HUBSPOT_PORTAL_ID: requiredSetting.regex(/^\d+$/, 'must be the numeric portal id').transform(Number),
  HUBSPOT_BASE_URL: requiredSetting.optional(),
  APPROVAL_SIGNING_KEY_SECRET_ARN: requiredSetting,
  APPROVALS_API_URL: requiredSetting,
  MAIL_FROM: requiredSetting,
  SUPPORT_EMAIL: requiredSetting.optional(),
  REGISTRATION_FORM_URL: requiredSetting.optional(),
  USD_RATES: jsonSetting.pipe(UsdRates.optional()),
  DEALREG_POLICY: requiredSetting,
});

const logger = new Logger({ serviceName: 'dealreg-registration-workflow' });
const policy = loadPolicy(settings.DEALREG_POLICY);
const dynamodb = new DynamoDBClient({});
const documents = DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } });
const sfn = new SFNClient({});

async function secretValue(arn: string, what: string): Promise<string> {
  const value = await getSecret<string>(arn, { maxAge: 300 });
  if (typeof value !== 'string' || value.trim() === '')
    throw new ConfigurationError(`the ${what} ${arn} is empty`);
  return value;
}

let adapter: Promise<HubSpotAdapter> | undefined;
function hubSpot(): Promise<HubSpotAdapter> {
  adapter ??= secretValue(settings.HUBSPOT_ACCESS_TOKEN_ARN, 'HubSpot access token')
    .then(
      (token) =>
        new HubSpotAdapter(
          sharedHubSpotConnection({
            accessToken: token,
            ...(settings.HUBSPOT_BASE_URL === undefined ? {} : { basePath: settings.HUBSPOT_BASE_URL }),
          }),
          { portalId: settings.HUBSPOT_PORTAL_ID },
        ),
    )
    .catch((error: unknown) => {
      adapter = undefined;
      throw error;
    });
  return adapter;
}

/** The CRM port, connecting on first use. */
const crm: WorkflowCrm = {
  findPartnerByDomain: async (domain) => (await hubSpot()).findPartnerByDomain(domain),
  findCompaniesByDomain: async (domain) => (await hubSpot()).findCompaniesByDomain(domain),
  findOrCreateCustomerCompany: async (customer) => (await hubSpot()).findOrCreateCustomerCompany(customer),
  findCompaniesByName: async (name) => (await hubSpot()).findCompaniesByName(name),
  openDealsOfCompany: async (id) => (await hubSpot()).openDealsOfCompany(id),
  closedWonDealsOfCompany: async (id) => (await hubSpot()).closedWonDealsOfCompany(id),
  engagementsWithCompany: async (id, window, owners) =>
    (await hubSpot()).engagementsWithCompany(id, window, owners),
  upsertRegistrationRecord: async (record) => (await hubSpot()).upsertRegistrationRecord(record),
  batchReadDeals: async (ids) => (await hubSpot()).batchReadDeals(ids),
  createOrLinkDeal: async (draft, existing) => (await hubSpot()).createOrLinkDeal(draft, existing),
  associatePartner: async (partner, deal, relationship) =>
    (await hubSpot()).associatePartner(partner, deal, relationship),
};

export const handler = createRegistrationStepsHandler({
  book: new DynamoDbRegistrationBook(documents, settings.REGISTRATIONS_TABLE),
  approvals: new DynamoDbApprovalStore(documents, settings.APPROVALS_TABLE),
  crm,
  ledger: new DynamoDbLedgerStore(dynamodb, settings.LEDGER_TABLE),
  mailer: new SesMailer({ client: new SESv2Client({}), from: settings.MAIL_FROM }),
  callbacks: {
    async succeed(taskToken, output) {
      await sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
    },
  },
  policy,
  signingKey: async () =>
    signingKeyFromSecret(await secretValue(settings.APPROVAL_SIGNING_KEY_SECRET_ARN, 'approval signing key')),
  apiBaseUrl: settings.APPROVALS_API_URL,
  usdRates: settings.USD_RATES ?? {},
  registrationFormUrl: settings.REGISTRATION_FORM_URL,
  supportEmail: settings.SUPPORT_EMAIL,
  now: () => new Date(),
  logger,
});
