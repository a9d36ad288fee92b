/**
 * Lambda entry point for `GET|POST /registrations/{registrationId}/extension`: wires the AWS
 * adapters from the environment into the handler.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod';
import { DynamoDbExtensionRequestStore } from '#adapters/dynamodb/extension-request-store.ts';
import { stepFunctionsTaskSuccess } from '#adapters/stepfunctions/send-task-success.ts';
import { field } from '#domain/policy/policy-fields.ts';
import { createExtensionRequestsHandler } from './extension-requests-handler.ts';
import { documentClient } from './wiring/clients/dynamodb.ts';
import { stepFunctions } from './wiring/clients/step-functions.ts';
import { readEnvironment, requiredSetting } from './wiring/configuration.ts';
import { approvalSigningKey } from './wiring/secrets.ts';

const settings = readEnvironment({
  REGISTRATIONS_TABLE: requiredSetting,
  APPROVAL_SIGNING_KEY_SECRET_ARN: requiredSetting,
  CALENDAR_TIME_ZONE: z.string({ error: 'is not set' }).pipe(field.timeZone()),
});

export const handler = createExtensionRequestsHandler({
  store: new DynamoDbExtensionRequestStore(documentClient, settings.REGISTRATIONS_TABLE),
  // The workflow's "Warn partner of expiry" task stored the token of its wait on the registration.
  sendTaskSuccess: stepFunctionsTaskSuccess(stepFunctions),
  signingKey: approvalSigningKey(settings.APPROVAL_SIGNING_KEY_SECRET_ARN),
  now: () => new Date(),
  timeZone: settings.CALENDAR_TIME_ZONE,
  logger: new Logger({ serviceName: 'dealreg-extension-requests' }),
});
