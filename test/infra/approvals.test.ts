import { readFileSync } from 'node:fs';
import { App, Lazy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { LambdaIntegration, MockIntegration, RestApi } from 'aws-cdk-lib/aws-apigateway';
import { AttributeType, type ITableV2, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { DefinitionBody, Pass, StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { beforeAll, describe, expect, it } from 'vitest';
import { Approvals, ApprovalsConfigurationError, type ApprovalsProps } from '#lib/constructs/approvals.ts';
import { DealregFunction } from '#lib/constructs/dealreg-function.ts';
import { allow, attribute, functionBaseline, ref, statementsOf, viaDynamoDb } from './iam-statements.ts';
import { logicalIdOf, type SynthesizedApp, synthesizeDealregApp } from './synthesize.ts';

const echoEntry = new URL('./fixtures/echo-handler.ts', import.meta.url).pathname;

interface Built {
  readonly stack: Stack;
  readonly approvals: Approvals;
  readonly approvalsTable: TableV2;
  readonly registrationsTable: TableV2;
  readonly key: Key;
  readonly secret: Secret;
  readonly workflow: StateMachine;
  readonly api: RestApi;
}

/** The construct in a stack of its own, with the resources the stacks would hand it. */
function build(overrides: Partial<ApprovalsProps> & { withWorkflow?: boolean } = {}): Built {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'ApprovalsTest', { env: { region: 'eu-west-1', account: '111111111111' } });
  const key = new Key(stack, 'DataKey', { enableKeyRotation: true });
  const table = (id: string) =>
    new TableV2(stack, id, {
      partitionKey: { name: 'id', type: AttributeType.STRING },
      encryption: TableEncryptionV2.customerManagedKey(key),
    });
  const approvalsTable = table('ApprovalsTable');
  const registrationsTable = table('RegistrationsTable');
  const secret = new Secret(stack, 'SigningKey');
  const workflow = new StateMachine(stack, 'Workflow', {
    definitionBody: DefinitionBody.fromChainable(new Pass(stack, 'Start')),
  });
  const api = new RestApi(stack, 'Api', { deployOptions: { stageName: 'test' } });
  api.root.addResource('hubspot').addMethod('POST', new MockIntegration());
  const { withWorkflow = true, ...props } = overrides;
  const approvals = new Approvals(stack, 'Approvals', {
    api,
    // `as`: TableV2 and Secret do not match their interfaces under exactOptionalPropertyTypes (aws/aws-cdk#37996).
    approvalsTable: approvalsTable as ITableV2,
    registrationsTable: registrationsTable as ITableV2,
    signingKey: secret as ISecret,
    alarmTopic: new Topic(stack, 'Alarms'),
    registrationWorkflow: withWorkflow ? workflow : undefined,
    approvalsEntry: echoEntry,
    extensionRequestsEntry: echoEntry,
    ...props,
  });
  return { stack, approvals, approvalsTable, registrationsTable, key, secret, workflow, api };
}

const getAtt = (construct: Parameters<typeof logicalIdOf>[0]) => ({
  'Fn::GetAtt': [logicalIdOf(construct), 'Arn'],
});

describe('Approvals construct permissions', () => {
  it('lets the approval pages read, put and update approval items, read the signing key and resume the workflow — nothing else', () => {
    const built = build();
    const template = Template.fromStack(built.stack);
    const fn = built.approvals.approvalsFunction;

    const statements = statementsOf(template, fn);

    expect(statements).toEqual([
      ...functionBaseline(fn),
      allow(
        ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        [attribute(built.approvalsTable)],
      ),
      allow(['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], [attribute(built.key)], viaDynamoDb),
      allow(['secretsmanager:GetSecretValue'], [ref(built.secret)]),
      allow(['states:SendTaskSuccess'], [ref(built.workflow)]),
    ]);
  });

  it('lets the extension page read and update registrations (no put, delete, query or scan), read the signing key and resume the workflow', () => {
    const built = build();
    const template = Template.fromStack(built.stack);
    const fn = built.approvals.extensionRequestsFunction;

    const statements = statementsOf(template, fn);

    expect(statements).toEqual([
      ...functionBaseline(fn),
      allow(['dynamodb:GetItem', 'dynamodb:UpdateItem'], [attribute(built.registrationsTable)]),
      allow(['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], [attribute(built.key)], viaDynamoDb),
      allow(['secretsmanager:GetSecretValue'], [ref(built.secret)]),
      allow(['states:SendTaskSuccess'], [ref(built.workflow)]),
    ]);
  });

  it('grants the workflow resumption given later through allowResuming', () => {
    const built = build({ withWorkflow: false });
    built.approvals.allowResuming(built.workflow);
    const template = Template.fromStack(built.stack);
    const fn = built.approvals.extensionRequestsFunction;

    const statements = statementsOf(template, fn);

    expect(statements).toContainEqual(allow(['states:SendTaskSuccess'], [ref(built.workflow)]));
  });
});

describe('Approvals construct environment and routes', () => {
  it('gives each function its table, the signing key and, for the extension page, the calendar time zone', () => {
    const built = build({ calendarTimeZone: 'Europe/Berlin' });
    const template = Template.fromStack(built.stack);

    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          APPROVALS_TABLE: { Ref: logicalIdOf(built.approvalsTable) },
          APPROVAL_SIGNING_KEY_SECRET_ARN: { Ref: logicalIdOf(built.secret) },
          POWERTOOLS_SERVICE_NAME: 'dealreg-approvals',
        }),
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          REGISTRATIONS_TABLE: { Ref: logicalIdOf(built.registrationsTable) },
          APPROVAL_SIGNING_KEY_SECRET_ARN: { Ref: logicalIdOf(built.secret) },
          CALENDAR_TIME_ZONE: 'Europe/Berlin',
          POWERTOOLS_SERVICE_NAME: 'dealreg-extension-requests',
        }),
      },
    });
  });

  it('serves GET and POST of /approvals/{approvalId} and /registrations/{registrationId}/extension, each proxied to its function', () => {
    const built = build();
    const template = Template.fromStack(built.stack);

    const resources = template.findResources('AWS::ApiGateway::Resource');
    const idOf = (pathPart: string) =>
      Object.entries(resources).find(([, resource]) => resource.Properties.PathPart === pathPart)?.[0];
    expect(
      template.findResources('AWS::ApiGateway::Resource', { Properties: { PathPart: 'extension' } }),
    ).toEqual({
      [idOf('extension') ?? '']: expect.objectContaining({
        Properties: expect.objectContaining({ ParentId: { Ref: idOf('{registrationId}') } }),
      }),
    });
    for (const [path, fn] of [
      ['{approvalId}', built.approvals.approvalsFunction],
      ['extension', built.approvals.extensionRequestsFunction],
    ] as const) {
      for (const method of ['GET', 'POST']) {
        template.hasResourceProperties('AWS::ApiGateway::Method', {
          HttpMethod: method,
          ResourceId: { Ref: idOf(path) },
          AuthorizationType: 'NONE',
          Integration: {
            Type: 'AWS_PROXY',
            Uri: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([getAtt(fn)])] }),
          },
        });
      }
    }
  });

  it('serves only GET of /registrations/{registrationId}/status, from the partner pages’ function', () => {
    const built = build();
    const template = Template.fromStack(built.stack);

    const resources = template.findResources('AWS::ApiGateway::Resource');
    const idOf = (pathPart: string) =>
      Object.entries(resources).find(([, resource]) => resource.Properties.PathPart === pathPart)?.[0];
    const methods = Object.values(
      template.findResources('AWS::ApiGateway::Method', {
        Properties: { ResourceId: { Ref: idOf('status') } },
      }),
    );

    expect(resources[idOf('status') ?? '']?.Properties.ParentId).toEqual({ Ref: idOf('{registrationId}') });
    expect(methods.map((method) => method.Properties.HttpMethod)).toEqual(['GET']);
    expect(methods[0]?.Properties.Integration).toMatchObject({
      Type: 'AWS_PROXY',
      Uri: { 'Fn::Join': ['', expect.arrayContaining([getAtt(built.approvals.extensionRequestsFunction)])] },
    });
  });

  it('exports a base URL built from the API id and the literal stage name, not the stage resource', () => {
    const built = build();

    const url = built.stack.resolve(built.approvals.apiBaseUrl);

    expect(url).toEqual({
      'Fn::Join': [
        '',
        [
          'https://',
          { Ref: logicalIdOf(built.api) },
          '.execute-api.eu-west-1.',
          { Ref: 'AWS::URLSuffix' },
          '/test/',
        ],
      ],
    });
    expect(built.approvals.signingKey).toBe(built.secret);
  });
});

describe('Approvals construct configuration', () => {
  it('refuses a calendar time zone that is not an IANA zone', () => {
    expect(() => build({ calendarTimeZone: 'CET+1' })).toThrow(ApprovalsConfigurationError);
  });

  it('fails synthesis when no workflow to resume was given', () => {
    const built = build({ withWorkflow: false });

    expect(() => Template.fromStack(built.stack)).toThrow(/no registration workflow to resume/);
  });

  it('refuses the AWS referral page under a policy that leaves co-sell off, and adds no referral route without it', () => {
    const hubspotAccessToken = (stack: Stack) => new Secret(stack, 'HubSpotToken') as ISecret;
    const defaultPolicy = readFileSync(new URL('../../policy/default-policy.json', import.meta.url), 'utf8');
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Elsewhere');

    expect(() =>
      build({
        awsReferrals: {
          policyText: defaultPolicy,
          hubspotAccessToken: hubspotAccessToken(stack),
          hubspotPortalId: 1,
        },
      }),
    ).toThrow(/the AWS referral page needs co-sell on \(policy coSell.enabled\)/);
    const built = build();
    expect(built.approvals.awsReferralsFunction).toBeUndefined();
    expect(
      Template.fromStack(built.stack).findResources('AWS::ApiGateway::Resource', {
        Properties: { PathPart: 'aws-referrals' },
      }),
    ).toEqual({});
  });

  it('refuses a second workflow to resume', () => {
    const built = build();

    expect(() => built.approvals.allowResuming(built.workflow)).toThrow(/already set/);
  });
});

describe('Approvals in the Dealreg app', () => {
  let synthesized: SynthesizedApp;

  beforeAll(() => {
    synthesized = synthesizeDealregApp();
  }, 120_000);

  it('keeps the signing key in the stateful stack: generated at deployment, 96 letters and digits, retained', () => {
    const { stateful, statefulTemplate } = synthesized;

    const secret = statefulTemplate.toJSON().Resources[logicalIdOf(stateful.approvalSigningKey)];

    expect(secret).toMatchObject({
      Type: 'AWS::SecretsManager::Secret',
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        Name: 'dealreg/test/approval-signing-key',
        GenerateSecretString: { PasswordLength: 96, ExcludePunctuation: true, IncludeSpace: false },
      },
    });
    expect(secret.Properties.SecretString).toBeUndefined();
  });

  it('wires the stateful approvals table, registrations table and signing key into the two functions', () => {
    const { stateful, stateless, statelessTemplate } = synthesized;
    const imported = (construct: Parameters<typeof logicalIdOf>[0]) => ({
      'Fn::ImportValue': Match.stringLikeRegexp(
        `^Dealreg-test-Stateful:ExportsOutput.*${logicalIdOf(construct)}`,
      ),
    });

    statelessTemplate.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          APPROVALS_TABLE: imported(stateful.approvalsTable),
          APPROVAL_SIGNING_KEY_SECRET_ARN: imported(stateful.approvalSigningKey),
        }),
      },
    });
    statelessTemplate.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          REGISTRATIONS_TABLE: imported(stateful.registrationsTable),
          APPROVAL_SIGNING_KEY_SECRET_ARN: imported(stateful.approvalSigningKey),
          // The policy's calendar zone when the app passes it, UTC otherwise.
          CALENDAR_TIME_ZONE: Match.stringLikeRegexp('^(UTC|[A-Z][A-Za-z_]+(/[A-Za-z_+-]+)+)$'),
        }),
      },
    });
    const statements = statementsOf(statelessTemplate, stateless.approvals.extensionRequestsFunction);
    expect(statements).toContainEqual(
      allow(['states:SendTaskSuccess'], [ref(stateless.registrationWorkflow.stateMachine)]),
    );
  });
});

describe('Approvals base URL in the workflow’s functions', () => {
  /**
   * The stateless stack's shape: the intake function starts the workflow, the workflow runs a
   * function that signs links to the pages, and the pages resume the workflow. The workflow is
   * built before the API exists, so its function takes the URL lazily.
   */
  function wire(urlOf: (approvals: Approvals, api: RestApi) => string) {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'WiringTest', { env: { region: 'eu-west-1', account: '111111111111' } });
    const alarmTopic = new Topic(stack, 'Alarms');
    const table = new TableV2(stack, 'Table', { partitionKey: { name: 'id', type: AttributeType.STRING } });
    const secret = new Secret(stack, 'SigningKey');
    const wired: { approvals?: Approvals; api?: RestApi } = {};
    const steps = new DealregFunction(stack, 'Steps', {
      entry: echoEntry,
      description: 'workflow steps',
      serviceName: 'steps',
      alarmTopic,
      environment: {
        APPROVALS_API_URL: Lazy.string({
          produce: () => (wired.approvals && wired.api ? urlOf(wired.approvals, wired.api) : ''),
        }),
      },
    });
    const workflow = new StateMachine(stack, 'Workflow', {
      definitionBody: DefinitionBody.fromChainable(
        new LambdaInvoke(stack, 'Warn partner', { lambdaFunction: steps }),
      ),
    });
    const intake = new DealregFunction(stack, 'Intake', {
      entry: echoEntry,
      description: 'intake',
      serviceName: 'intake',
      alarmTopic,
      environment: { REGISTRATION_WORKFLOW_ARN: workflow.stateMachineArn },
    });
    wired.api = new RestApi(stack, 'Api', { deployOptions: { stageName: 'prod' } });
    wired.api.root.addResource('hubspot').addMethod('POST', new LambdaIntegration(intake));
    wired.approvals = new Approvals(stack, 'Approvals', {
      api: wired.api,
      approvalsTable: table as ITableV2,
      registrationsTable: table as ITableV2,
      signingKey: secret as ISecret,
      alarmTopic,
      registrationWorkflow: workflow,
      approvalsEntry: echoEntry,
      extensionRequestsEntry: echoEntry,
    });
    // Template.fromStack refuses a template whose resources reference each other in a cycle.
    return Template.fromStack(stack);
  }

  it('adds no dependency cycle when the workflow’s function carries apiBaseUrl', () => {
    const template = wire((approvals) => approvals.apiBaseUrl);

    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ APPROVALS_API_URL: Match.anyValue() }) },
    });
  });

  it('would close a cycle through the API deployment with the stage URL instead', () => {
    expect(() => wire((_approvals, api) => api.url)).toThrow(/dependency cycle/);
  });
});
