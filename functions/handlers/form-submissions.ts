/**
 * Lambda entry point for `POST /hubspot/form-submissions`: wires the AWS adapters from the
 * environment into the handler. Clients are built once per container.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { awsIntakeDependencies } from './aws-intake.ts';
import {
  ConfigurationError,
  formFieldMappingSetting,
  readEnvironment,
  requiredSetting,
} from './configuration.ts';
import { createFormSubmissionsHandler } from './form-submissions-handler.ts';

const settings = readEnvironment({
  REGISTRATIONS_TABLE: requiredSetting,
  REGISTRATION_WORKFLOW_ARN: requiredSetting,
  HUBSPOT_CLIENT_SECRET_ARN: requiredSetting,
  MAIL_FROM: requiredSetting,
  SUPPORT_EMAIL: requiredSetting.optional(),
  FORM_FIELD_MAPPING: formFieldMappingSetting,
});

const logger = new Logger({ serviceName: 'dealreg-intake' });
export const handler = createFormSubmissionsHandler({
  ...awsIntakeDependencies(settings),
  // Cached for five minutes, so a rotated client secret takes effect without a deploy.
  clientSecret: async () => {
    const secret = await getSecret<string>(settings.HUBSPOT_CLIENT_SECRET_ARN, { maxAge: 300 });
    if (typeof secret !== 'string' || secret === '') {
      throw new ConfigurationError(
        `the HubSpot client secret ${settings.HUBSPOT_CLIENT_SECRET_ARN} is empty`,
      );
    }
    return secret;
  },
  logger,
});
