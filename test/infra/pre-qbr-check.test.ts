import { readFileSync } from 'node:fs';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Bucket, IBucket } from 'aws-cdk-lib/aws-s3';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { build as bundleWithEsbuild } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPolicy } from '#domain/policy/load-policy.ts';
import { AttributionLedger } from '#lib/constructs/attribution-ledger.ts';
import { bakedPolicy } from '#lib/constructs/baked-policy.ts';
import { DealregTable } from '#lib/constructs/dealreg-table.ts';
import {
  createReportsBucket,
  PreQbrCheck,
  PreQbrCheckConfigurationError,
  type PreQbrCheckProps,
} from '#lib/constructs/pre-qbr-check.ts';
import { registrationsTable } from '#lib/tables/index.ts';
import { allow, attribute, functionBaseline, ref, sendEmailAs, statementsOf } from './iam-statements.ts';
import { logicalIdOf, synthesizeDealregApp } from './synthesize.ts';
import { tasksWithNonObjectParameters, validateAsl } from './validate-asl.ts';

/** The token as the stateful stack keeps it: rotated in HubSpot, not by Secrets Manager. */
function hubspotToken(stack: Stack): Secret {
  const secret = new Secret(stack, 'HubSpotToken');
  Validations.of(secret).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason: 'Test fixture: rotated in HubSpot.',
  });
  return secret;
}

interface Built {
  readonly bucket: Bucket;
  readonly stack: Stack;
  readonly check: PreQbrCheck;
  readonly template: Template;
  readonly ledger: AttributionLedger;
}

function build(overrides: Partial<PreQbrCheckProps> = {}): Built {
  // No bundling: the assertions are about resources and permissions, not the bundles.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'PreQbr', { env: { account: '111111111111', region: 'eu-west-1' } });
  const key = new Key(stack, 'DataKey', { enableKeyRotation: true });
  const alarmTopic = new Topic(stack, 'Alarms', { enforceSSL: true, masterKey: key });
  const ledger = new AttributionLedger(stack, 'Ledger', { alarmTopic, encryptionKey: key });
  const registrations = new DealregTable(stack, 'Registrations', {
    definition: registrationsTable,
    encryptionKey: key,
  });
  const bucket = createReportsBucket(stack, 'Reports');
  const check = new PreQbrCheck(stack, 'PreQbrCheck', {
    alarmTopic,
    ledger,
    // `as`: TableV2, Bucket and Secret do not match their interfaces under exactOptionalPropertyTypes (aws/aws-cdk#37996).
    registrationsTable: registrations as ITableV2,
    reportsBucket: bucket as IBucket,
    hubspotAccessToken: hubspotToken(stack) as ISecret,
    hubspotPortalId: 12345678,
    mailFrom: 'deals@partners.example.com',
    ...overrides,
  });
  return { stack, check, template: Template.fromStack(stack), ledger, bucket };
}

let built: Built;

beforeAll(() => {
  built = build();
}, 120_000);

/** The state machine's definition, with the function ARNs (tokens) replaced by placeholders. */
function definition(): Record<string, unknown> {
  const machines = built.template.findResources('AWS::StepFunctions::StateMachine');
  const [machine] = Object.values(machines);
  const parts = (machine?.Properties.DefinitionString['Fn::Join'][1] ?? []) as unknown[];
  const text = parts
    .map((part) =>
      typeof part === 'string'
        ? part
        : 'Fn::GetAtt' in (part as object)
          ? 'arn:aws:lambda:eu-west-1:111111111111:function:placeholder'
          : 'placeholder',
    )
    .join('');
  return JSON.parse(text) as Record<string, unknown>;
}

interface AslTask {
  readonly Type: string;
  readonly Retry?: readonly {
    readonly ErrorEquals: readonly string[];
    readonly IntervalSeconds?: number;
    readonly BackoffRate?: number;
    readonly MaxAttempts?: number;
    readonly MaxDelaySeconds?: number;
  }[];
  readonly ItemProcessor?: { readonly States?: Record<string, AslTask> };
}

interface AslState {
  readonly Type: string;
  readonly MaxConcurrency?: number;
  readonly ItemBatcher?: { MaxItemsPerBatch?: number };
  readonly ItemReader?: { Resource?: string };
  readonly ItemProcessor?: { ProcessorConfig?: { Mode?: string; ExecutionType?: string } };
  readonly Next?: string;
}

describe('the pre-QBR workflow', () => {
  it('is valid Amazon States Language', () => {
    const validation = validateAsl(definition());

    expect(validation.errors).toEqual([]);
    expect(validation.isValid).toBe(true);
  });

  it('hands every task an object as its input, never a literal string', () => {
    expect(tasksWithNonObjectParameters(definition())).toEqual([]);
  });

  it('reads the business process, from the due check to the email', () => {
    const states = definition().States as Record<string, AslState>;

    expect(definition().StartAt).toBe('Decide whether the check is due');
    expect(Object.keys(states).sort()).toEqual(
      [
        'Build and store the report',
        'Build and store the report from the batches',
        'Decide whether the check is due',
        'Email the report to leadership',
        'Export the deal ids to read',
        'Is the check due today?',
        'Is the portfolio too large for one function?',
        'Not due today',
        'Read HubSpot deals in batches of 100',
        'Report delivered',
      ].sort(),
    );
  });

  it('fans out over the S3 export in batches of 100, at most the concurrency the HubSpot budget allows', () => {
    const map = (definition().States as Record<string, AslState>)['Read HubSpot deals in batches of 100'];

    expect(map).toMatchObject({
      Type: 'Map',
      MaxConcurrency: 3,
      ItemBatcher: { MaxItemsPerBatch: 100 },
      ItemReader: { Resource: expect.stringMatching(/:states:::s3:getObject$/) },
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' } },
      Next: 'Build and store the report from the batches',
    });
  });

  it('has every function call wait out a busy function, longer than the report function may run', () => {
    // A second check at once (the schedule and `dealreg qbr run`) finds the report function's one
    // container, or the batch workers', taken: Lambda.TooManyRequestsException.
    const tasks: [string, AslTask][] = [];
    const collect = (states: Record<string, AslTask>) => {
      for (const [name, state] of Object.entries(states)) {
        if (state.Type === 'Task') tasks.push([name, state]);
        if (state.ItemProcessor?.States) collect(state.ItemProcessor.States);
      }
    };
    collect(definition().States as Record<string, AslTask>);
    const reportTimeoutSeconds = built.check.buildReport.timeout?.toSeconds() ?? 0;
    expect(reportTimeoutSeconds).toBe(900);

    expect(tasks.map(([name]) => name).sort()).toEqual([
      'Build and store the report',
      'Build and store the report from the batches',
      'Decide whether the check is due',
      'Email the report to leadership',
      'Export the deal ids to read',
      'Read one batch of deals',
    ]);
    for (const [name, task] of tasks) {
      const retry = task.Retry?.find((r) => r.ErrorEquals.includes('Lambda.TooManyRequestsException'));
      expect(retry, name).toBeDefined();
      const pauses = Array.from({ length: retry?.MaxAttempts ?? 0 }, (_, attempt) =>
        Math.min(
          (retry?.IntervalSeconds ?? 1) * (retry?.BackoffRate ?? 2) ** attempt,
          retry?.MaxDelaySeconds ?? Number.POSITIVE_INFINITY,
        ),
      );
      expect(
        pauses.reduce((sum, pause) => sum + pause, 0),
        name,
      ).toBeGreaterThan(2 * reportTimeoutSeconds);
    }
  });

  it('is a Standard state machine, traced, logging to its own group', () => {
    built.template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
    });
  });
});

describe('the pre-QBR schedule', () => {
  it('starts the workflow every day at the opening of working hours in the calendar zone', () => {
    built.template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 9 * * ? *)',
      ScheduleExpressionTimezone: 'America/New_York',
      Target: {
        Arn: { Ref: logicalIdOf(built.check.stateMachine) },
        Input: '{"trigger":"schedule","scheduledTime":"<aws.scheduler.scheduled-time>"}',
      },
    });
  });
});

describe('the pre-QBR functions', () => {
  it('caps the batch workers at the concurrency the budget allows, each with its share of the budget', () => {
    built.template.hasResourceProperties('AWS::Lambda::Function', {
      ReservedConcurrentExecutions: 3,
      Environment: {
        Variables: Match.objectLike({
          HUBSPOT_REQUESTS_PER_WINDOW: '10',
          HUBSPOT_SEARCHES_PER_SECOND: '0',
          REPORTS_BUCKET: { Ref: logicalIdOf(built.bucket) },
        }),
      },
    });
  });

  it('lets the state machine read the run files its Distributed Map reads, not the stored reports', () => {
    const statements = statementsOf(built.template, built.check.stateMachine.role);
    const s3 = statements.filter((statement) => statement.actions.some((action) => action.startsWith('s3:')));

    // The export is written under runs/ (the export function may write nowhere else in the bucket).
    expect(s3).toEqual([allow(['s3:GetObject'], [`arn:<AWS::Partition>:s3:::${ref(built.bucket)}/runs/*`])]);
  });

  it('gives the email function read access to stored reports and sending as the sender, nothing else', () => {
    const fn = built.check.emailReport;

    const statements = statementsOf(built.template, fn);

    expect(statements).toEqual([
      ...functionBaseline(fn),
      allow(['s3:GetObject'], [`${attribute(built.bucket)}/reports/*`]),
      sendEmailAs('111111111111'),
    ]);
  });

  it('lets the batch worker write run files and read the HubSpot token, and touch no table', () => {
    const fn = built.check.batchWorker;

    const actions = statementsOf(built.template, fn).flatMap((statement) => statement.actions);

    expect(actions).toContain('s3:PutObject');
    expect(actions).toContain('secretsmanager:GetSecretValue');
    expect(actions.filter((action) => action.startsWith('dynamodb:'))).toEqual([]);
    expect(actions).not.toContain('s3:GetObject');
  });

  it('lets the report function read the ledger and scan registrations, never write a table', () => {
    const fn = built.check.buildReport;

    const actions = statementsOf(built.template, fn).flatMap((statement) => statement.actions);

    expect(actions).toContain('dynamodb:Scan');
    expect(actions).toContain('dynamodb:Query');
    expect(actions.filter((action) => /^dynamodb:(Put|Update|Delete|BatchWrite)/.test(action))).toEqual([]);
    expect(actions).not.toContain('s3:DeleteObject');
  });

  it('ships the chart renderer and font to the functions that draw charts', () => {
    const layer = logicalIdOf(built.check.chartAssets);
    const withLayer = Object.values(built.template.findResources('AWS::Lambda::Function')).filter((fn) =>
      JSON.stringify(fn.Properties.Layers ?? []).includes(layer),
    );

    expect(withLayer).toHaveLength(2);
    for (const fn of withLayer) {
      expect(fn.Properties.Environment.Variables.DEALREG_CHART_ASSETS_DIR).toBe('/opt/chart-assets');
    }
  });
});

describe('cdk-nag on the pre-QBR check', () => {
  it('finds nothing unacknowledged', () => {
    const report = new AwsSolutionsChecks().validateScope(built.stack);

    expect(
      report.violations.map(
        (violation) =>
          `${violation.ruleName} at ${violation.violatingResources.map((r) => r.constructPath).join(', ')}`,
      ),
    ).toEqual([]);
  });
});

describe('configuration', () => {
  it('refuses more batch workers than the request budget', () => {
    expect(() => build({ hubspotRequestBudget: 5, batchConcurrency: 6 })).toThrow(
      PreQbrCheckConfigurationError,
    );
    expect(() => build({ hubspotRequestBudget: 5, batchConcurrency: 6 })).toThrow(/batchConcurrency must be/);
  });

  it('refuses a policy document that is not valid, naming the setting', () => {
    expect(() => build({ policyDocument: '{"reporting": {"fiscalYearStartMonth": 13}}' })).toThrow(
      /policyDocument:[\s\S]*reporting\.fiscalYearStartMonth/,
    );
  });
});

describe('in the deployed app', () => {
  it('stores reports in the stateful stack’s bucket, named by stage, and is started on demand by its output', () => {
    const app = synthesizeDealregApp();
    const bucketName = {
      'Fn::Join': ['', ['dealreg-test-reports-', { Ref: 'AWS::AccountId' }, '-', { Ref: 'AWS::Region' }]],
    };

    app.statefulTemplate.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: bucketName,
      VersioningConfiguration: { Status: 'Enabled' },
    });
    app.statelessTemplate.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ REPORTS_BUCKET: bucketName }),
      },
    });
    app.statelessTemplate.hasOutput('PreQbrCheckStateMachineArn', {
      Value: { Ref: logicalIdOf(app.stateless.preQbrCheck.stateMachine) },
    });
  });
});

describe('the policy of the pre-QBR functions', () => {
  it('is in their code, not in any environment, which declares only its version', () => {
    const functions = built.template.findResources('AWS::Lambda::Function');
    const { dueCheck, batchWorker, buildReport, emailReport } = built.check;
    const carrierIds = [dueCheck, batchWorker, buildReport, emailReport].map((fn) => logicalIdOf(fn));
    // No policy document given: the construct deploys the default policy file.
    const { policyVersion } = loadPolicy(readFileSync('policy/default-policy.json', 'utf8'));

    for (const [id, resource] of Object.entries(functions)) {
      const variables = (resource.Properties?.Environment?.Variables ?? {}) as Record<string, unknown>;
      expect(variables, id).not.toHaveProperty('DEALREG_POLICY');
      if (carrierIds.includes(id)) expect(variables.DEALREG_POLICY_VERSION, id).toBe(policyVersion);
    }
  });

  it('reaches the settings of a function bundled the way the constructs bundle it', async () => {
    const policy = loadPolicy(readFileSync('policy/example-policy.json', 'utf8'));
    const bundle = await bundleWithEsbuild({
      entryPoints: ['functions/handlers/qbr-due-check.ts'],
      bundle: true,
      write: false,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      define: { ...bakedPolicy(JSON.stringify(policy.policy)).define },
    });
    const code = bundle.outputFiles[0]?.text ?? '';

    expect(code).not.toContain('process.env.DEALREG_POLICY');
    const leader = policy.policy.reporting.leadership[0]?.email;
    expect(leader).toBeDefined();
    expect(code).toContain(`${leader}`);
  });
});
