/**
 * Lambda entry point for `GET|POST /registrations/{registrationId}/extension`: wires the AWS
 * adapters from the environment into the handler. Clients are built once per container.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { DynamoDbExtensionRequestStore } from '#adapters/dynamodb/extension-request-store.ts';
import { stepFunctionsTaskSuccess } from '#adapters/stepfunctions/send-task-success.ts';
import { field } from '#domain/policy/policy-fields.ts';
import { signingKeyFromSecret } from '#domain/signed-links/signing-key.ts';
import { ConfigurationError, readEnvironment, requiredSetting } from './configuration.ts';
import { createExtensionRequestsHandler } from './extension-requests-handler.ts';

const settings = readEnvironment({
  REGISTRATIONS_TABLE: requiredSetting,
  APPROVAL_SIGNING_KEY_SECRET_ARN: requiredSetting,
  CALENDAR_TIME_ZONE: z.string({ error: 'is not set' }).pipe(field.timeZone()),
});

const logger = new Logger({ serviceName: 'dealreg-extension-requests' });
const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});

export const handler = createExtensionRequestsHandler({
  store: new DynamoDbExtensionRequestStore(documentClient, settings.REGISTRATIONS_TABLE),
  // The workflow's "Warn partner of expiry" task stored the token of its wait on the registration.
  sendTaskSuccess: stepFunctionsTaskSuccess(new SFNClient({})),
  // Cached for five minutes, so a rotated key takes effect without a deploy.
  signingKey: async () => {
    const secret = await getSecret<string>(settings.APPROVAL_SIGNING_KEY_SECRET_ARN, { maxAge: 300 });
    if (typeof secret !== 'string' || secret === '') {
      throw new ConfigurationError(
        `the approval signing key ${settings.APPROVAL_SIGNING_KEY_SECRET_ARN} is empty`,
      );
    }
    return signingKeyFromSecret(secret);
  },
  now: () => new Date(),
  timeZone: settings.CALENDAR_TIME_ZONE,
  logger,
});
