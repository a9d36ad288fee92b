import {
  APIGatewayClient,
  GetAccountCommand as GetApiGatewayAccountCommand,
} from '@aws-sdk/client-api-gateway';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { GetEmailIdentityCommand, NotFoundException, SESv2Client } from '@aws-sdk/client-sesv2';
import { ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { AwsDeployedStage, awsDeployedStageClients } from '#adapters/aws/aws-deployed-stage.ts';

// None of these services has a local emulator: the clients are mocked at the SDK boundary.
const cloudFormation = mockClient(CloudFormationClient);
const secretsManager = mockClient(SecretsManagerClient);
const sesv2 = mockClient(SESv2Client);
const apiGateway = mockClient(APIGatewayClient);
const sns = mockClient(SNSClient);
const cloudWatch = mockClient(CloudWatchClient);

afterEach(() => {
  for (const mock of [cloudFormation, secretsManager, sesv2, apiGateway, sns, cloudWatch]) mock.reset();
});

const stage = () => new AwsDeployedStage(awsDeployedStageClients({ region: 'eu-west-1' }));

describe('the deployed stage as AWS describes it', () => {
  it('reports a stack CloudFormation does not know as not found', async () => {
    cloudFormation.on(DescribeStacksCommand).rejects(
      Object.assign(new Error('Stack with id Dealreg-prod-Stateless does not exist'), {
        name: 'ValidationError',
      }),
    );

    await expect(stage().stack('Dealreg-prod-Stateless')).resolves.toEqual({
      found: false,
      name: 'Dealreg-prod-Stateless',
    });
  });

  it('reads a stack status and its outputs', async () => {
    const createdAt = new Date('2026-11-01T00:00:00Z');
    cloudFormation.on(DescribeStacksCommand, { StackName: 'Dealreg-prod-Stateful' }).resolves({
      Stacks: [
        {
          StackName: 'Dealreg-prod-Stateful',
          StackStatus: 'UPDATE_ROLLBACK_COMPLETE',
          StackStatusReason: 'Export in use',
          CreationTime: createdAt,
          Outputs: [
            { OutputKey: 'HubSpotAccessTokenName', OutputValue: 'dealreg/prod/hubspot-access-token' },
          ],
        },
      ],
    });

    await expect(stage().stack('Dealreg-prod-Stateful')).resolves.toEqual({
      found: true,
      name: 'Dealreg-prod-Stateful',
      status: 'UPDATE_ROLLBACK_COMPLETE',
      statusReason: 'Export in use',
      createdAt,
      outputs: { HubSpotAccessTokenName: 'dealreg/prod/hubspot-access-token' },
    });
  });

  it('counts the labelled versions of a secret beside its value', async () => {
    const name = 'dealreg/prod/hubspot-access-token';
    secretsManager.on(GetSecretValueCommand, { SecretId: name }).resolves({ SecretString: 'pat-na1-x' });
    secretsManager
      .on(DescribeSecretCommand, { SecretId: name })
      .resolves({ VersionIdsToStages: { v1: ['AWSPREVIOUS'], v2: ['AWSCURRENT'] } });

    await expect(stage().secret(name)).resolves.toEqual({
      state: 'read',
      name,
      value: 'pat-na1-x',
      labelledVersions: 2,
    });
  });

  it('reports a secret that does not exist as missing', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .rejects(new ResourceNotFoundException({ message: 'not found', $metadata: {} }));
    secretsManager
      .on(DescribeSecretCommand)
      .rejects(new ResourceNotFoundException({ message: 'not found', $metadata: {} }));

    await expect(stage().secret('dealreg/prod/x')).resolves.toEqual({
      state: 'missing',
      name: 'dealreg/prod/x',
    });
  });

  it('reports an SES identity that does not exist as not found', async () => {
    sesv2
      .on(GetEmailIdentityCommand)
      .rejects(new NotFoundException({ message: 'no identity', $metadata: {} }));

    await expect(stage().emailIdentity('x.com')).resolves.toEqual({ identity: 'x.com', found: false });
  });

  it('reads the API Gateway CloudWatch role', async () => {
    apiGateway.on(GetApiGatewayAccountCommand).resolves({ cloudwatchRoleArn: 'arn:aws:iam::1:role/apigw' });

    await expect(stage().apiGatewayAccount()).resolves.toEqual({
      cloudwatchRoleArn: 'arn:aws:iam::1:role/apigw',
    });
  });

  it('reads every page of the alarm topic subscriptions', async () => {
    const topicArn = 'arn:aws:sns:eu-west-1:1:alarms';
    sns
      .on(ListSubscriptionsByTopicCommand)
      .resolvesOnce({
        Subscriptions: [{ Protocol: 'email', Endpoint: 'a@x.com', SubscriptionArn: 'PendingConfirmation' }],
        NextToken: 'page-2',
      })
      .resolvesOnce({
        Subscriptions: [{ Protocol: 'email', Endpoint: 'b@x.com', SubscriptionArn: `${topicArn}:1` }],
      });

    const facts = await stage().alarmSubscriptions(topicArn);

    expect(facts.subscriptions.map((subscription) => subscription.endpoint)).toEqual(['a@x.com', 'b@x.com']);
    expect(sns.commandCalls(ListSubscriptionsByTopicCommand)[1]?.args[0].input.NextToken).toBe('page-2');
  });

  it('merges Lambda invocations and errors minute by minute, oldest first', async () => {
    const first = new Date('2026-12-06T05:30:00Z');
    const second = new Date('2026-12-06T05:45:00Z');
    cloudWatch.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'invocations', Timestamps: [second, first], Values: [1, 1] },
        { Id: 'errors', Timestamps: [second], Values: [1] },
      ],
    });
    const window = { since: new Date('2026-12-03T06:00:00Z'), until: new Date('2026-12-06T06:00:00Z') };

    const facts = await stage().functionActivity('sweeper', window);

    expect(facts.minutes).toEqual([
      { at: first, invocations: 1, errors: 0 },
      { at: second, invocations: 1, errors: 1 },
    ]);
    const query = cloudWatch.commandCalls(GetMetricDataCommand)[0]?.args[0].input;
    expect(query?.MetricDataQueries?.[0]?.MetricStat).toMatchObject({
      Metric: {
        Namespace: 'AWS/Lambda',
        MetricName: 'Invocations',
        Dimensions: [{ Name: 'FunctionName', Value: 'sweeper' }],
      },
      Period: 60,
      Stat: 'Sum',
    });
  });
});
