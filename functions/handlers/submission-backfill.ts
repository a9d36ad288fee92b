/**
 * Lambda entry point of the scheduled backfill: wires the AWS adapters from the environment into
 * the handler. The HubSpot connection is made at cold start (the access token comes from Secrets
 * Manager) and is the process's only one, so its limiter holds the whole container under the
 * share of the portal's rate limit given to it.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDbIntakeTriggers } from '#adapters/dynamodb/intake-triggers.ts';
import { DynamoDbSweepStateStore } from '#adapters/hubspot/dynamodb-sweep-state-store.ts';
import { HubSpotAdapter } from '#adapters/hubspot/hubspot-adapter.ts';
import { StepFunctionsRegistrationWorkflow } from '#adapters/stepfunctions/step-functions-registration-workflow.ts';
import { createSubmissionBackfillHandler } from './submission-backfill-handler.ts';
import { documentClient } from './wiring/clients/dynamodb.ts';
import { stepFunctions } from './wiring/clients/step-functions.ts';
import {
  formFieldMappingSetting,
  positiveWholeNumberSetting,
  readEnvironment,
  requiredSetting,
  timeZoneSetting,
} from './wiring/configuration.ts';
import { connectToHubSpot, hubSpotPortalSettings } from './wiring/hubspot.ts';
import { awsIntakeDependencies } from './wiring/intake.ts';

const settings = readEnvironment({
  SWEEPER_STATE_TABLE: requiredSetting,
  REGISTRATIONS_TABLE: requiredSetting,
  REGISTRATION_WORKFLOW_ARN: requiredSetting,
  ...hubSpotPortalSettings,
  // The share of the portal's rate limit the construct gives this function, when it names none.
  HUBSPOT_REQUESTS_PER_WINDOW: positiveWholeNumberSetting.default(50),
  FORM_GUIDS: requiredSetting,
  MAIL_FROM: requiredSetting,
  SUPPORT_EMAIL: requiredSetting.optional(),
  // The partner form (dealreg:registrationFormUrl) the invalid-submission email links.
  REGISTRATION_FORM_URL: requiredSetting.optional(),
  FORM_FIELD_MAPPING: formFieldMappingSetting,
  // The policy's intake.submittedAtToleranceHours, set by the stack.
  SUBMITTED_AT_TOLERANCE_HOURS: positiveWholeNumberSetting.optional(),
  /** The policy calendar's zone, for the receipt time in the invalid-submission email. */
  CALENDAR_TIME_ZONE: timeZoneSetting.optional(),
});

export const handler = createSubmissionBackfillHandler({
  submissions: new HubSpotAdapter(await connectToHubSpot(settings), {
    portalId: settings.HUBSPOT_PORTAL_ID,
  }),
  sweepState: new DynamoDbSweepStateStore(documentClient, settings.SWEEPER_STATE_TABLE),
  intake: awsIntakeDependencies(settings),
  formGuids: settings.FORM_GUIDS.split(',')
    .map((guid) => guid.trim())
    .filter((guid) => guid !== ''),
  logger: new Logger({ serviceName: 'dealreg-backfill' }),
  redrive: {
    workflows: new StepFunctionsRegistrationWorkflow(stepFunctions, settings.REGISTRATION_WORKFLOW_ARN),
    now: () => new Date(),
  },
  metrics: new Metrics({ namespace: 'Dealreg', serviceName: 'dealreg-backfill' }),
  sweepRequestLog: new DynamoDbIntakeTriggers(documentClient, settings.SWEEPER_STATE_TABLE),
});
