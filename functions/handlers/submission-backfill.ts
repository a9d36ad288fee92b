/**
 * Lambda entry point of the scheduled backfill: wires the AWS adapters from the environment into
 * the handler. Clients are built once per container; the HubSpot connection is built on the first
 * invocation (the access token comes from Secrets Manager) and is the process's only one, so its
 * limiter holds the whole container under the share of the portal's rate limit given to it.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { sharedHubSpotConnection } from '#adapters/hubspot/connection.ts';
import { DynamoDbSweepStateStore } from '#adapters/hubspot/dynamodb-sweep-state-store.ts';
import { HubSpotAdapter } from '#adapters/hubspot/hubspot-adapter.ts';
import type { FormSubmissions } from '#ports/hubspot.ts';
import { awsIntakeDependencies, documentClient } from './aws-intake.ts';
import {
  ConfigurationError,
  formFieldMappingSetting,
  readEnvironment,
  requiredSetting,
} from './configuration.ts';
import { createSubmissionBackfillHandler } from './submission-backfill-handler.ts';

const positiveWhole = (name: string) =>
  requiredSetting.regex(/^[1-9]\d*$/, `${name} must be a positive whole number`).transform(Number);

const settings = readEnvironment({
  SWEEPER_STATE_TABLE: requiredSetting,
  REGISTRATIONS_TABLE: requiredSetting,
  REGISTRATION_WORKFLOW_ARN: requiredSetting,
  HUBSPOT_ACCESS_TOKEN_ARN: requiredSetting,
  HUBSPOT_PORTAL_ID: positiveWhole('HUBSPOT_PORTAL_ID'),
  HUBSPOT_REQUESTS_PER_WINDOW: positiveWhole('HUBSPOT_REQUESTS_PER_WINDOW').optional(),
  HUBSPOT_BASE_URL: requiredSetting.optional(),
  FORM_GUIDS: requiredSetting,
  MAIL_FROM: requiredSetting,
  SUPPORT_EMAIL: requiredSetting.optional(),
  FORM_FIELD_MAPPING: formFieldMappingSetting,
});

const logger = new Logger({ serviceName: 'dealreg-backfill' });

let adapter: Promise<HubSpotAdapter> | undefined;
/** The HubSpot adapter, built once the access token has been read. */
function hubSpot(): Promise<HubSpotAdapter> {
  adapter ??= getSecret<string>(settings.HUBSPOT_ACCESS_TOKEN_ARN, { maxAge: 300 })
    .then((token) => {
      if (typeof token !== 'string' || token.trim() === '') {
        throw new ConfigurationError(
          `the HubSpot access token ${settings.HUBSPOT_ACCESS_TOKEN_ARN} is empty`,
        );
      }
      const connection = sharedHubSpotConnection({
        accessToken: token,
        ...(settings.HUBSPOT_BASE_URL === undefined ? {} : { basePath: settings.HUBSPOT_BASE_URL }),
        limits: { requestsPerWindow: settings.HUBSPOT_REQUESTS_PER_WINDOW ?? 50 },
      });
      return new HubSpotAdapter(connection, { portalId: settings.HUBSPOT_PORTAL_ID });
    })
    .catch((error: unknown) => {
      adapter = undefined;
      throw error;
    });
  return adapter;
}

const submissions: FormSubmissions = {
  listFormSubmissions: async (formGuid, page) => (await hubSpot()).listFormSubmissions(formGuid, page),
};

export const handler = createSubmissionBackfillHandler({
  submissions,
  sweepState: new DynamoDbSweepStateStore(documentClient, settings.SWEEPER_STATE_TABLE),
  intake: awsIntakeDependencies(settings),
  formGuids: settings.FORM_GUIDS.split(',')
    .map((guid) => guid.trim())
    .filter((guid) => guid !== ''),
  logger,
});
