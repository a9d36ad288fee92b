/**
 * Lambda entry point for `POST /hubspot/form-submissions`: wires the AWS adapters from the
 * environment into the handler. Clients are built once per container.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbRegistrationInbox } from '#adapters/dynamodb/registration-inbox.ts';
import { sesMailerFromEnvironment } from '#adapters/mail/ses-mailer.ts';
import { StepFunctionsRegistrationWorkflow } from '#adapters/stepfunctions/step-functions-registration-workflow.ts';
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
const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});

export const handler = createFormSubmissionsHandler({
  inbox: new DynamoDbRegistrationInbox(documentClient, settings.REGISTRATIONS_TABLE),
  workflow: new StepFunctionsRegistrationWorkflow(new SFNClient({}), settings.REGISTRATION_WORKFLOW_ARN),
  mailer: sesMailerFromEnvironment(process.env, new SESv2Client({})),
  formFieldMapping: settings.FORM_FIELD_MAPPING,
  now: () => new Date(),
  ...(settings.SUPPORT_EMAIL === undefined ? {} : { supportEmail: settings.SUPPORT_EMAIL }),
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
