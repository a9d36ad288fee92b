/**
 * Lambda entry point for `POST /hubspot/form-submissions`: wires the AWS adapters from the
 * environment into the handler.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { createFormSubmissionsHandler } from './form-submissions-handler.ts';
import {
  formFieldMappingSetting,
  positiveWholeNumberSetting,
  readEnvironment,
  requiredSetting,
} from './wiring/configuration.ts';
import { awsIntakeDependencies } from './wiring/intake.ts';
import { secretText } from './wiring/secrets.ts';

const settings = readEnvironment({
  REGISTRATIONS_TABLE: requiredSetting,
  REGISTRATION_WORKFLOW_ARN: requiredSetting,
  HUBSPOT_CLIENT_SECRET_ARN: requiredSetting,
  MAIL_FROM: requiredSetting,
  SUPPORT_EMAIL: requiredSetting.optional(),
  FORM_FIELD_MAPPING: formFieldMappingSetting,
  // The policy's intake.submittedAtToleranceHours, set by the stack.
  SUBMITTED_AT_TOLERANCE_HOURS: positiveWholeNumberSetting.optional(),
});

export const handler = createFormSubmissionsHandler({
  ...awsIntakeDependencies(settings),
  clientSecret: () => secretText(settings.HUBSPOT_CLIENT_SECRET_ARN, 'HubSpot client secret'),
  logger: new Logger({ serviceName: 'dealreg-intake' }),
});
