/**
 * Lambda entry point for `GET|POST /approvals/{approvalId}`: wires the AWS adapters from the
 * environment into the handler. Clients are built once per container.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbApprovalStore } from '#adapters/dynamodb/approval-store.ts';
import { signingKeyFromSecret } from '#domain/signed-links/signing-key.ts';
import { taskTokenDecisionCallback } from '#use-cases/decide-approval.ts';
import { createApprovalsHandler } from './approvals-handler.ts';
import { ConfigurationError, readEnvironment, requiredSetting } from './configuration.ts';

const settings = readEnvironment({
  APPROVALS_TABLE: requiredSetting,
  APPROVAL_SIGNING_KEY_SECRET_ARN: requiredSetting,
});

const logger = new Logger({ serviceName: 'dealreg-approvals' });
const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});
const store = new DynamoDbApprovalStore(documentClient, settings.APPROVALS_TABLE);
const sfn = new SFNClient({});

// The workflow's "Wait for approver decision" task attached its task token to the approval.
const callback = taskTokenDecisionCallback(
  store,
  async (taskToken, output) => {
    await sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
  },
  logger,
);

export const handler = createApprovalsHandler({
  store,
  callback,
  now: () => new Date(),
  // Cached for five minutes, so a rotated signing key takes effect without a deploy; during a
  // rotation the secret holds {"current", "previous"} and links signed with either verify.
  signingKey: async () => {
    const secret = await getSecret<string>(settings.APPROVAL_SIGNING_KEY_SECRET_ARN, { maxAge: 300 });
    if (typeof secret !== 'string' || secret === '') {
      throw new ConfigurationError(
        `the approval signing key ${settings.APPROVAL_SIGNING_KEY_SECRET_ARN} is empty`,
      );
    }
    return signingKeyFromSecret(secret);
  },
  logger,
});
