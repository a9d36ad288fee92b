/**
 * Lambda entry point for the partner's pages — `GET|POST /registrations/{registrationId}/extension`
 * and `GET /registrations/{registrationId}/status` — which read the same registration items with
 * the same signing key: wires the AWS adapters from the environment into each page's handler and
 * sends each request to the page its route names.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import * as z from 'zod';
import { DynamoDbExtensionRequestStore } from '#adapters/dynamodb/extension-request-store.ts';
import { DynamoDbRegistrationBook } from '#adapters/dynamodb/registration-book.ts';
import { stepFunctionsTaskSuccess } from '#adapters/stepfunctions/send-task-success.ts';
import { field } from '#domain/policy/policy-fields.ts';
import { createExtensionRequestsHandler } from './extension-requests-handler.ts';
import { createRegistrationStatusHandler } from './registration-status-handler.ts';
import { documentClient } from './wiring/clients/dynamodb.ts';
import { stepFunctions } from './wiring/clients/step-functions.ts';
import { readEnvironment, requiredSetting } from './wiring/configuration.ts';
import { approvalSigningKey } from './wiring/secrets.ts';

const settings = readEnvironment({
  REGISTRATIONS_TABLE: requiredSetting,
  APPROVAL_SIGNING_KEY_SECRET_ARN: requiredSetting,
  CALENDAR_TIME_ZONE: z.string({ error: 'is not set' }).pipe(field.timeZone()),
});

const signingKey = approvalSigningKey(settings.APPROVAL_SIGNING_KEY_SECRET_ARN);
const now = () => new Date();

const extensionRequests = createExtensionRequestsHandler({
  store: new DynamoDbExtensionRequestStore(documentClient, settings.REGISTRATIONS_TABLE),
  // The workflow's "Warn partner of expiry" task stored the token of its wait on the registration.
  sendTaskSuccess: stepFunctionsTaskSuccess(stepFunctions),
  signingKey,
  now,
  timeZone: settings.CALENDAR_TIME_ZONE,
  logger: new Logger({ serviceName: 'dealreg-extension-requests' }),
});

const registrationStatus = createRegistrationStatusHandler({
  registrations: new DynamoDbRegistrationBook(documentClient, settings.REGISTRATIONS_TABLE),
  signingKey,
  now,
  timeZone: settings.CALENDAR_TIME_ZONE,
  logger: new Logger({ serviceName: 'dealreg-registration-status' }),
});

export const handler = (event: APIGatewayProxyEvent, context: Context) =>
  event.resource.endsWith('/status') ? registrationStatus(event, context) : extensionRequests(event, context);
