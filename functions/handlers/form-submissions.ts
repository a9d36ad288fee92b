/**
 * Lambda entry point for `POST /hubspot/form-submissions`: wires the AWS adapters from the
 * environment into the handler; a workflow webhook asks the backfill function for a sweep.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { LambdaSweepRequests } from '#adapters/aws/lambda-sweep-requests.ts';
import { DynamoDbIntakeTriggers } from '#adapters/dynamodb/intake-triggers.ts';
import { createFormSubmissionsHandler } from './form-submissions-handler.ts';
import { documentClient } from './wiring/clients/dynamodb.ts';
import { lambda } from './wiring/clients/lambda.ts';
import {
  formFieldMappingSetting,
  positiveWholeNumberSetting,
  readEnvironment,
  requiredSetting,
  timeZoneSetting,
} from './wiring/configuration.ts';
import { awsIntakeDependencies } from './wiring/intake.ts';
import { secretText } from './wiring/secrets.ts';

const settings = readEnvironment({
  REGISTRATIONS_TABLE: requiredSetting,
  // Workflow-webhook triggers and sweep requests are kept beside the backfill's sweep states.
  SWEEPER_STATE_TABLE: requiredSetting,
  // The backfill function a trigger asks to sweep the forms.
  BACKFILL_FUNCTION_NAME: requiredSetting,
  REGISTRATION_WORKFLOW_ARN: requiredSetting,
  HUBSPOT_CLIENT_SECRET_ARN: requiredSetting,
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

const triggers = new DynamoDbIntakeTriggers(documentClient, settings.SWEEPER_STATE_TABLE);

export const handler = createFormSubmissionsHandler({
  ...awsIntakeDependencies(settings),
  triggers,
  sweepRequestLog: triggers,
  sweepRequests: new LambdaSweepRequests(lambda, settings.BACKFILL_FUNCTION_NAME),
  clientSecret: () => secretText(settings.HUBSPOT_CLIENT_SECRET_ARN, 'HubSpot client secret'),
  logger: new Logger({ serviceName: 'dealreg-intake' }),
});
