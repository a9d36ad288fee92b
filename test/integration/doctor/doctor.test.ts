import {
  APIGatewayClient,
  GetAccountCommand as GetApiGatewayAccountCommand,
} from '@aws-sdk/client-api-gateway';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  GetEmailIdentityCommand,
  GetAccountCommand as GetSesAccountCommand,
  NotFoundException,
  SESv2Client,
} from '@aws-sdk/client-sesv2';
import { ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { runDoctor } from '#bin/commands/doctor-run.ts';
import { requiredHubSpotScopes } from '#domain/hubspot-scopes.ts';
import { type RunningHubSpotSandbox, startHubSpotSandbox } from '#local/hubspot-sandbox/index.ts';

// CloudFormation, Secrets Manager, SES, API Gateway, SNS and CloudWatch have no local emulator:
// they are mocked at the SDK boundary. HubSpot is the local sandbox, over HTTP.
const cloudFormation = mockClient(CloudFormationClient);
const secretsManager = mockClient(SecretsManagerClient);
const sesv2 = mockClient(SESv2Client);
const apiGateway = mockClient(APIGatewayClient);
const sns = mockClient(SNSClient);
const cloudWatch = mockClient(CloudWatchClient);

const portalId = 4455667;
const topicArn = 'arn:aws:sns:eu-west-1:111111111111:Dealreg-prod-Stateless-AlarmTopic';
const names = {
  clientSecret: 'dealreg/prod/hubspot-client-secret',
  accessToken: 'dealreg/prod/hubspot-access-token',
};
let sandbox: RunningHubSpotSandbox;
let narrowSandbox: RunningHubSpotSandbox;

beforeAll(async () => {
  [sandbox, narrowSandbox] = await Promise.all([
    startHubSpotSandbox({ portalId, rateLimit: false }),
    startHubSpotSandbox({
      portalId,
      rateLimit: false,
      tokenScopes: requiredHubSpotScopes.filter((scope) => scope !== 'crm.objects.custom.write'),
    }),
  ]);
});

afterAll(async () => {
  await Promise.all([sandbox?.stop(), narrowSandbox?.stop()]);
});

function stack(name: string, status: string, outputs: Record<string, string>) {
  return {
    Stacks: [
      {
        StackName: name,
        StackStatus: status,
        CreationTime: new Date(Date.now() - 30 * 24 * 3_600_000),
        Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
      },
    ],
  } as never;
}

function statefulStack(status = 'UPDATE_COMPLETE') {
  cloudFormation.on(DescribeStacksCommand, { StackName: 'Dealreg-prod-Stateful' }).resolves(
    stack('Dealreg-prod-Stateful', status, {
      HubSpotClientSecretName: names.clientSecret,
      HubSpotAccessTokenName: names.accessToken,
    }),
  );
}

function statelessStack(status = 'UPDATE_COMPLETE') {
  cloudFormation.on(DescribeStacksCommand, { StackName: 'Dealreg-prod-Stateless' }).resolves(
    stack('Dealreg-prod-Stateless', status, {
      AlarmTopicArn: topicArn,
      MailFrom: 'deals@yourco.example',
      HubSpotPortalId: String(portalId),
      BackfillFunctionName: 'Dealreg-prod-Stateless-Sweeper',
      LedgerDigestFunctionName: 'Dealreg-prod-Stateless-DigestWriter',
    }),
  );
}

function secretHolds(name: string, value: string, labelledVersions = 2) {
  secretsManager.on(GetSecretValueCommand, { SecretId: name }).resolves({ SecretString: value });
  const stages = ['AWSCURRENT', 'AWSPREVIOUS'].slice(0, labelledVersions);
  secretsManager.on(DescribeSecretCommand, { SecretId: name }).resolves({
    VersionIdsToStages: Object.fromEntries(stages.map((stage, index) => [`v${index}`, [stage]])),
  });
}

/** What CloudWatch answers for each function's Invocations and Errors. */
let runsByFunction = new Map<string, { minutesAgo: number; failed: boolean }[]>();

function lastRuns(functionName: string, runs: { minutesAgo: number; failed: boolean }[]) {
  runsByFunction.set(functionName, runs);
}

function answerMetricData() {
  const at = (minutesAgo: number) => new Date(Math.floor(Date.now() / 60_000 - minutesAgo) * 60_000);
  cloudWatch
    .on(GetMetricDataCommand)
    .callsFake((input: { MetricDataQueries?: { MetricStat?: unknown }[] }) => {
      const stat = input.MetricDataQueries?.[0]?.MetricStat as
        | { Metric?: { Dimensions?: { Value?: string }[] } }
        | undefined;
      const runs = runsByFunction.get(stat?.Metric?.Dimensions?.[0]?.Value ?? '') ?? [];
      const failed = runs.filter((run) => run.failed);
      return {
        MetricDataResults: [
          { Id: 'invocations', Timestamps: runs.map((run) => at(run.minutesAgo)), Values: runs.map(() => 1) },
          { Id: 'errors', Timestamps: failed.map((run) => at(run.minutesAgo)), Values: failed.map(() => 1) },
        ],
      };
    });
}

/** Every fact as a healthy stage has it. */
function healthyStage() {
  statefulStack();
  statelessStack();
  secretHolds(names.clientSecret, 'c0ffee00-1234-4abc-9def-0123456789ab');
  secretHolds(names.accessToken, sandbox.accessToken);
  sesv2.on(GetEmailIdentityCommand, { EmailIdentity: 'deals@yourco.example' }).rejects(
    new NotFoundException({
      message: 'Email identity deals@yourco.example does not exist.',
      $metadata: {},
    }),
  );
  sesv2
    .on(GetEmailIdentityCommand, { EmailIdentity: 'yourco.example' })
    .resolves({ VerifiedForSendingStatus: true, VerificationStatus: 'SUCCESS' });
  sesv2.on(GetSesAccountCommand).resolves({ ProductionAccessEnabled: true, SendingEnabled: true });
  apiGateway
    .on(GetApiGatewayAccountCommand)
    .resolves({ cloudwatchRoleArn: 'arn:aws:iam::111111111111:role/apigateway-cloudwatch' });
  sns.on(ListSubscriptionsByTopicCommand).resolves({
    Subscriptions: [
      { Protocol: 'email', Endpoint: 'revops@yourco.example', SubscriptionArn: `${topicArn}:42` },
    ],
  });
  runsByFunction = new Map();
  lastRuns('Dealreg-prod-Stateless-Sweeper', [
    { minutesAgo: 30, failed: false },
    { minutesAgo: 15, failed: false },
  ]);
  lastRuns('Dealreg-prod-Stateless-DigestWriter', [{ minutesAgo: 600, failed: false }]);
  answerMetricData();
}

async function doctor(options: { format?: 'text' | 'json'; hubspot?: RunningHubSpotSandbox } = {}) {
  const output: string[] = [];
  const code = await runDoctor(
    { stage: 'prod', region: 'eu-west-1', format: options.format ?? 'text' },
    { HUBSPOT_BASE_URL: (options.hubspot ?? sandbox).url },
    (text) => output.push(text),
  );
  const text = output.join('\n');
  return { code, text, lines: text.split('\n') };
}

/** The report line of one check, found by its title. */
function line(lines: readonly string[], title: string): string {
  return lines.find((candidate) => candidate.includes(` ${title}: `)) ?? `(no line for ${title})`;
}

beforeEach(() => {
  for (const mock of [cloudFormation, secretsManager, sesv2, apiGateway, sns, cloudWatch]) mock.reset();
  healthyStage();
  // The caller's credentials, which doctor loads before any check; the services are mocked.
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'example');
});

afterEach(() => {
  for (const mock of [cloudFormation, secretsManager, sesv2, apiGateway, sns, cloudWatch]) mock.reset();
  vi.unstubAllEnvs();
});

describe('dealreg doctor', () => {
  it('passes a healthy stage with exit code 0, one line per check', async () => {
    const { code, lines } = await doctor();

    expect(code).toBe(0);
    expect(lines[0]).toBe('Dealreg doctor — stage prod in eu-west-1');
    expect(lines.filter((candidate) => candidate.startsWith('✓ '))).toHaveLength(11);
    expect(lines.at(-1)).toBe('All 11 checks passed.');
    expect(line(lines, 'HubSpot token valid with the scopes Dealreg needs')).toContain(`portal ${portalId}`);
  });

  it('reports a missing stack and does not check what its outputs name', async () => {
    cloudFormation.on(DescribeStacksCommand, { StackName: 'Dealreg-prod-Stateless' }).rejects(
      Object.assign(new Error('Stack with id Dealreg-prod-Stateless does not exist'), {
        name: 'ValidationError',
      }),
    );

    const { code, lines } = await doctor();

    expect(code).toBe(1);
    expect(line(lines, 'Code stack deployed')).toMatch(
      /^✗ .*not deployed in eu-west-1 — Fix: deploy it with npx cdk deploy/,
    );
    expect(line(lines, 'Alarm email confirmed')).toMatch(/^– .*not checked/);
    expect(line(lines, 'Last backfill run succeeded')).toMatch(/^– /);
    expect(line(lines, 'HubSpot access token stored')).toMatch(/^✓ /);
  });

  it('reports a stack whose last deployment rolled back', async () => {
    statefulStack('UPDATE_ROLLBACK_COMPLETE');

    const { code, lines } = await doctor();

    expect(code).toBe(1);
    expect(line(lines, 'Data stack deployed')).toContain('UPDATE_ROLLBACK_COMPLETE');
  });

  it('reports an empty access token and skips asking HubSpot about it', async () => {
    secretHolds(names.accessToken, '');

    const { code, lines } = await doctor();

    expect(code).toBe(1);
    expect(line(lines, 'HubSpot access token stored')).toContain(
      `Fix: aws secretsmanager put-secret-value --secret-id ${names.accessToken}`,
    );
    expect(line(lines, 'HubSpot token valid with the scopes Dealreg needs')).toMatch(/^– /);
  });

  it('reports a client secret still holding the deployment placeholder', async () => {
    secretHolds(names.clientSecret, 'Zq8XW1c9oVQm2bP7aT4kL0sD6fG3hJ5y', 1);

    const { lines } = await doctor();

    expect(line(lines, 'HubSpot app client secret stored')).toMatch(/^✗ .*placeholder/);
  });

  it('reports a token lacking a scope Dealreg needs, naming it', async () => {
    secretHolds(names.accessToken, narrowSandbox.accessToken);

    const { code, lines } = await doctor({ hubspot: narrowSandbox });

    expect(code).toBe(1);
    expect(line(lines, 'HubSpot token valid with the scopes Dealreg needs')).toMatch(
      /^✗ .*lacks the scope crm\.objects\.custom\.write — Fix: the app's token: build and upload the app again, whose hubspot\/src\/app\/app-hsmeta\.json requests it \(npx dealreg hubspot project --stage \S+,/,
    );
  });

  it('reports a token HubSpot does not accept', async () => {
    secretHolds(names.accessToken, 'pat-na1-00000000-0000-0000-0000-000000000000');

    const { lines } = await doctor();

    expect(line(lines, 'HubSpot token valid with the scopes Dealreg needs')).toMatch(
      /^✗ HubSpot token valid with the scopes Dealreg needs: HubSpot does not accept the stored token \(401\)/,
    );
  });

  it('reports a sender identity whose verification is pending', async () => {
    sesv2
      .on(GetEmailIdentityCommand, { EmailIdentity: 'yourco.example' })
      .resolves({ VerifiedForSendingStatus: false, VerificationStatus: 'PENDING' });

    const { code, lines } = await doctor();

    expect(code).toBe(1);
    expect(line(lines, 'SES sender verified')).toMatch(
      /^✗ .*yourco\.example is not verified yet \(PENDING\) — Fix: publish the DKIM records/,
    );
  });

  it('reports an account still in the SES sandbox', async () => {
    sesv2.on(GetSesAccountCommand).resolves({ ProductionAccessEnabled: false, SendingEnabled: true });

    const { code, lines } = await doctor();

    expect(code).toBe(1);
    expect(line(lines, 'SES out of the sandbox')).toMatch(
      /^✗ .*SES sandbox in eu-west-1.*Fix: request production access/,
    );
  });

  it('reports a region without the API Gateway CloudWatch role', async () => {
    apiGateway.on(GetApiGatewayAccountCommand).resolves({});

    const { code, lines } = await doctor();

    expect(code).toBe(1);
    expect(line(lines, 'API Gateway CloudWatch role')).toContain(
      'aws apigateway update-account --region eu-west-1',
    );
  });

  it('reports an alarm subscription awaiting confirmation', async () => {
    sns.on(ListSubscriptionsByTopicCommand).resolves({
      Subscriptions: [
        { Protocol: 'email', Endpoint: 'revops@yourco.example', SubscriptionArn: 'PendingConfirmation' },
      ],
    });

    const { code, lines } = await doctor();

    expect(code).toBe(1);
    expect(line(lines, 'Alarm email confirmed')).toMatch(/^✗ .*revops@yourco\.example has not confirmed/);
  });

  it('reports a backfill whose last run failed', async () => {
    lastRuns('Dealreg-prod-Stateless-Sweeper', [
      { minutesAgo: 30, failed: false },
      { minutesAgo: 15, failed: true },
    ]);

    const { code, lines } = await doctor();

    expect(code).toBe(1);
    expect(line(lines, 'Last backfill run succeeded')).toMatch(
      /^✗ .*failed \(2 runs in the last 72 hours, 1 failed\)/,
    );
    expect(line(lines, 'Last ledger digest run succeeded')).toMatch(/^✓ /);
  });

  it('reports a check AWS refuses as one it could not make, naming the permission', async () => {
    sesv2.on(GetSesAccountCommand).rejects(
      Object.assign(
        new Error('User: arn:aws:iam::1:user/lead is not authorized to perform: ses:GetAccount'),
        {
          name: 'AccessDeniedException',
        },
      ),
    );

    const { lines } = await doctor();

    expect(line(lines, 'SES out of the sandbox')).toMatch(
      /could not check: .*Fix: run with AWS credentials allowed ses:GetAccount/,
    );
  });

  it('writes the checks as JSON with --format json', async () => {
    sesv2.on(GetSesAccountCommand).resolves({ ProductionAccessEnabled: false, SendingEnabled: true });

    const { code, text } = await doctor({ format: 'json' });
    const report = JSON.parse(text) as {
      ok: boolean;
      checks: { id: string; status: string; fix?: string }[];
    };

    expect(code).toBe(1);
    expect(report.ok).toBe(false);
    expect(report.checks.find((check) => check.id === 'ses-production-access')).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('production access'),
    });
    expect(text).not.toContain(sandbox.accessToken);
  });
});
