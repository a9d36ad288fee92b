import {
  APIGatewayClient,
  GetAccountCommand as GetApiGatewayAccountCommand,
} from '@aws-sdk/client-api-gateway';
import { CloudFormationClient, DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, GetMetricDataCommand, type MetricDataResult } from '@aws-sdk/client-cloudwatch';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  GetEmailIdentityCommand,
  GetAccountCommand as GetSesAccountCommand,
  NotFoundException,
  SESv2Client,
} from '@aws-sdk/client-sesv2';
import { ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import type {
  AlarmSubscriptionFacts,
  ApiGatewayAccountFacts,
  EmailIdentityFacts,
  FunctionActivityFacts,
  FunctionMinute,
  SecretFacts,
  SesAccountFacts,
  StackFacts,
} from '#domain/doctor/facts.ts';
import type { DeployedStage } from '#ports/deployed-stage.ts';

/** The SDK clients the facts come from, all for the same account and region. */
export interface AwsDeployedStageClients {
  readonly cloudFormation: CloudFormationClient;
  readonly secretsManager: SecretsManagerClient;
  readonly sesv2: SESv2Client;
  readonly apiGateway: APIGatewayClient;
  readonly sns: SNSClient;
  readonly cloudWatch: CloudWatchClient;
}

/** Region and named profile of the caller's credentials; both default as the AWS CLI's do. */
export interface AwsConnectionSettings {
  readonly region?: string | undefined;
  readonly profile?: string | undefined;
}

/** Builds every client with the default credential chain, for one region and (optionally) one profile. */
export function awsDeployedStageClients(settings: AwsConnectionSettings): AwsDeployedStageClients {
  const config = {
    ...(settings.region === undefined ? {} : { region: settings.region }),
    ...(settings.profile === undefined ? {} : { profile: settings.profile }),
  };
  return {
    cloudFormation: new CloudFormationClient(config),
    secretsManager: new SecretsManagerClient(config),
    sesv2: new SESv2Client(config),
    apiGateway: new APIGatewayClient(config),
    sns: new SNSClient(config),
    cloudWatch: new CloudWatchClient(config),
  };
}

/** CloudFormation answers a describe of a stack that does not exist with a ValidationError. */
function isMissingStack(error: unknown): boolean {
  return error instanceof Error && error.name === 'ValidationError' && /does not exist/i.test(error.message);
}

/** A deployed stage as the AWS APIs describe it. */
export class AwsDeployedStage implements DeployedStage {
  readonly #clients: AwsDeployedStageClients;

  constructor(clients: AwsDeployedStageClients) {
    this.#clients = clients;
  }

  async stack(name: string): Promise<StackFacts> {
    let stacks: Stack[] | undefined;
    try {
      ({ Stacks: stacks } = await this.#clients.cloudFormation.send(
        new DescribeStacksCommand({ StackName: name }),
      ));
    } catch (error) {
      if (isMissingStack(error)) return { found: false, name };
      throw error;
    }
    const stack = stacks?.[0];
    if (stack === undefined) return { found: false, name };
    const outputs: Record<string, string> = {};
    for (const output of stack.Outputs ?? []) {
      if (output.OutputKey !== undefined) outputs[output.OutputKey] = output.OutputValue ?? '';
    }
    return {
      found: true,
      name,
      status: stack.StackStatus ?? 'UNKNOWN',
      statusReason: stack.StackStatusReason,
      createdAt: stack.CreationTime ?? new Date(0),
      outputs,
    };
  }

  async secret(name: string): Promise<SecretFacts> {
    const { secretsManager } = this.#clients;
    try {
      const [value, description] = await Promise.all([
        secretsManager.send(new GetSecretValueCommand({ SecretId: name })),
        secretsManager.send(new DescribeSecretCommand({ SecretId: name })),
      ]);
      return {
        state: 'read',
        name,
        value: value.SecretString ?? '',
        labelledVersions: Object.keys(description.VersionIdsToStages ?? {}).length,
      };
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return { state: 'missing', name };
      if (
        error instanceof Error &&
        /AccessDenied|not authorized|KMS/i.test(`${error.name} ${error.message}`)
      ) {
        return { state: 'unreadable', name, reason: error.message };
      }
      throw error;
    }
  }

  async emailIdentity(identity: string): Promise<EmailIdentityFacts> {
    try {
      const answer = await this.#clients.sesv2.send(new GetEmailIdentityCommand({ EmailIdentity: identity }));
      return {
        identity,
        found: true,
        verifiedForSending: answer.VerifiedForSendingStatus === true,
        verificationStatus: answer.VerificationStatus,
      };
    } catch (error) {
      if (error instanceof NotFoundException) return { identity, found: false };
      throw error;
    }
  }

  async sesAccount(): Promise<SesAccountFacts> {
    const answer = await this.#clients.sesv2.send(new GetSesAccountCommand({}));
    return {
      productionAccessEnabled: answer.ProductionAccessEnabled === true,
      sendingEnabled: answer.SendingEnabled !== false,
    };
  }

  async apiGatewayAccount(): Promise<ApiGatewayAccountFacts> {
    const answer = await this.#clients.apiGateway.send(new GetApiGatewayAccountCommand({}));
    return { cloudwatchRoleArn: answer.cloudwatchRoleArn };
  }

  async alarmSubscriptions(topicArn: string): Promise<AlarmSubscriptionFacts> {
    const subscriptions: AlarmSubscriptionFacts['subscriptions'][number][] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.#clients.sns.send(
        new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken: nextToken }),
      );
      for (const subscription of page.Subscriptions ?? []) {
        subscriptions.push({
          protocol: subscription.Protocol ?? '',
          endpoint: subscription.Endpoint ?? '',
          subscriptionArn: subscription.SubscriptionArn ?? '',
        });
      }
      nextToken = page.NextToken;
    } while (nextToken !== undefined);
    return { topicArn, subscriptions };
  }

  /**
   * `AWS/Lambda` Invocations and Errors, summed per minute (one-minute data is kept 15 days).
   * Minutes without any invocation have no datapoint and are left out.
   */
  async functionActivity(
    functionName: string,
    window: { since: Date; until: Date },
  ): Promise<FunctionActivityFacts> {
    const metric = (id: string, metricName: string) => ({
      Id: id,
      MetricStat: {
        Metric: {
          Namespace: 'AWS/Lambda',
          MetricName: metricName,
          Dimensions: [{ Name: 'FunctionName', Value: functionName }],
        },
        Period: 60,
        Stat: 'Sum',
      },
      ReturnData: true,
    });
    const results: MetricDataResult[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.#clients.cloudWatch.send(
        new GetMetricDataCommand({
          MetricDataQueries: [metric('invocations', 'Invocations'), metric('errors', 'Errors')],
          StartTime: window.since,
          EndTime: window.until,
          ScanBy: 'TimestampDescending',
          NextToken: nextToken,
        }),
      );
      results.push(...(page.MetricDataResults ?? []));
      nextToken = page.NextToken;
    } while (nextToken !== undefined);

    const minutes = new Map<number, { invocations: number; errors: number }>();
    for (const result of results) {
      const field = result.Id === 'errors' ? 'errors' : 'invocations';
      (result.Timestamps ?? []).forEach((timestamp, index) => {
        const at = timestamp.getTime();
        const minute = minutes.get(at) ?? { invocations: 0, errors: 0 };
        minute[field] += result.Values?.[index] ?? 0;
        minutes.set(at, minute);
      });
    }
    const activity: FunctionMinute[] = [...minutes.entries()]
      .sort(([a], [b]) => a - b)
      .map(([at, counts]) => ({ at: new Date(at), ...counts }));
    return { functionName, since: window.since, until: window.until, minutes: activity };
  }
}
