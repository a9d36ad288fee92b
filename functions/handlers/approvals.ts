/**
 * Lambda entry point for `GET|POST /approvals/{approvalId}`: wires the AWS adapters from the
 * environment into the handler.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDbApprovalStore } from '#adapters/dynamodb/approval-store.ts';
import { stepFunctionsTaskSuccess } from '#adapters/stepfunctions/send-task-success.ts';
import { taskTokenDecisionCallback } from '#use-cases/decide-approval.ts';
import { createApprovalsHandler } from './approvals-handler.ts';
import { documentClient } from './wiring/clients/dynamodb.ts';
import { stepFunctions } from './wiring/clients/step-functions.ts';
import { readEnvironment, requiredSetting } from './wiring/configuration.ts';
import { approvalSigningKey } from './wiring/secrets.ts';

const settings = readEnvironment({
  APPROVALS_TABLE: requiredSetting,
  APPROVAL_SIGNING_KEY_SECRET_ARN: requiredSetting,
});

const logger = new Logger({ serviceName: 'dealreg-approvals' });
const store = new DynamoDbApprovalStore(documentClient, settings.APPROVALS_TABLE);

export const handler = createApprovalsHandler({
  store,
  // The workflow's "Wait for approver decision" task attached its task token to the approval.
  callback: taskTokenDecisionCallback(store, stepFunctionsTaskSuccess(stepFunctions), logger),
  now: () => new Date(),
  signingKey: approvalSigningKey(settings.APPROVAL_SIGNING_KEY_SECRET_ARN),
  logger,
});
