import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPolicy } from '#domain/policy/load-policy.ts';
import { renderRegistrationWorkflowAsl } from '#workflows/registration-workflow.ts';
import {
  allow,
  functionBaseline,
  imported,
  ledgerTableAndIndexes,
  ref,
  sendEmailAs,
  statementsOf,
  viaDynamoDb,
} from './iam-statements.ts';
import { logicalIdOf, type SynthesizedApp, synthesizeDealregApp } from './synthesize.ts';
import { synthesizedRegistrationWorkflowAsl } from './synthesized-workflow.ts';
import { tasksWithNonObjectParameters, validateAsl } from './validate-asl.ts';

let synthesized: SynthesizedApp;

beforeAll(() => {
  synthesized = synthesizeDealregApp();
});

type States = Record<string, Record<string, unknown>>;

type TaskState = {
  Type: string;
  Resource?: string;
  Parameters?: Record<string, unknown>;
  Retry?: { ErrorEquals: string[]; MaxAttempts?: number; JitterStrategy?: string }[];
};
type Definition = { StartAt: string; QueryLanguage: string; TimeoutSeconds?: number; States: States };

const lambdaTasks = (definition: Record<string, unknown>) =>
  Object.entries((definition as { States: Record<string, TaskState> }).States).filter(
    // A step answering at once names the function itself; a callback step, lambda:invoke.
    ([, state]) => state.Type === 'Task' && /^arn:aws:(lambda:|states:::lambda:)/.test(state.Resource ?? ''),
  );
const retried = (state: TaskState) => new Set((state.Retry ?? []).flatMap((retry) => retry.ErrorEquals));

describe('registration workflow definition', () => {
  it('deploys ASL documents that asl-validator accepts, the workflow and its segments', () => {
    const { workflow, segments } = synthesizedRegistrationWorkflowAsl(synthesized.statelessTemplate);

    for (const definition of [workflow, segments]) {
      const result = validateAsl(definition);
      expect(result.errors).toEqual([]);
      expect(result.isValid).toBe(true);
    }
  });

  it('hands every step an object as its input, never a literal string', () => {
    const { workflow, segments } = synthesizedRegistrationWorkflowAsl(synthesized.statelessTemplate);

    expect(tasksWithNonObjectParameters(workflow)).toEqual([]);
    expect(tasksWithNonObjectParameters(segments)).toEqual([]);
  });

  it('retries every step Lambda throttled, with full jitter: briefly in a segment, which the workflow starts again with the long budget', () => {
    const { workflow, segments } = synthesizedRegistrationWorkflowAsl(synthesized.statelessTemplate);
    const throttling = (maxAttempts: number) =>
      expect.objectContaining({
        ErrorEquals: ['Lambda.TooManyRequestsException'],
        JitterStrategy: 'FULL',
        MaxAttempts: maxAttempts,
      });

    expect(lambdaTasks(workflow).length).toBeGreaterThan(10);
    for (const [name, state] of lambdaTasks(workflow))
      expect(state.Retry, name).toContainEqual(throttling(25));
    expect(lambdaTasks(segments).length).toBe(8);
    for (const [name, state] of lambdaTasks(segments))
      expect(state.Retry, name).toContainEqual(throttling(6));
    const startsSegment = Object.entries(workflow.States as Record<string, TaskState>).filter(
      ([, state]) => state.Resource === 'arn:aws:states:::states:startExecution.sync:2',
    );
    expect(startsSegment.map(([name]) => name)).toEqual([
      'Assess registration',
      'Register the approved deal',
    ]);
    for (const [name, state] of startsSegment) {
      expect(state.Retry, name).toEqual([
        expect.objectContaining({
          ErrorEquals: ['States.TaskFailed'],
          JitterStrategy: 'FULL',
          MaxAttempts: 25,
        }),
      ]);
    }
  });

  it('retries timeouts, DynamoDB throttling and Lambda service errors on every step, and a timeout only where it is not an SLA timer', () => {
    const { workflow, segments } = synthesizedRegistrationWorkflowAsl(synthesized.statelessTemplate);

    for (const [name, state] of [...lambdaTasks(workflow), ...lambdaTasks(segments)]) {
      const errors = retried(state);
      for (const error of [
        'HubSpotRateLimitError',
        'ProvisionedThroughputExceededException',
        'ThrottlingException',
        'InternalServerError',
        'TimeoutError',
        'Lambda.ServiceException',
      ]) {
        expect(errors.has(error), `${name} retries ${error}`).toBe(true);
      }
      const waitsForCallback = JSON.stringify(state.Parameters ?? {}).includes('$$.Task.Token');
      // A callback step's States.Timeout is an SLA timer the approval loop catches; every other
      // step's is a step that ran out of time, worth another try.
      expect(errors.has('States.Timeout'), `${name} retries States.Timeout`).toBe(!waitsForCallback);
    }
  });

  it('renders, without a deployment, the same documents the stack deploys', () => {
    expect(renderRegistrationWorkflowAsl()).toEqual(
      synthesizedRegistrationWorkflowAsl(synthesized.statelessTemplate),
    );
  });

  it('reads as the business process, in JSONPath, with the SLA timers as callback timeouts', () => {
    const asl = renderRegistrationWorkflowAsl().workflow as Definition;

    expect(asl.QueryLanguage).toBe('JSONPath');
    expect(asl.StartAt).toBe('Assess registration');
    expect(Object.keys(asl.States)).toEqual(
      expect.arrayContaining([
        'What did the assessment decide?',
        'Ask approver',
        'Wait for approver decision',
        'Which SLA deadline passed?',
        'Remind approver',
        'Escalate to next approver',
        'Apply the policy default',
        'Record approver decision',
        'Ask partner for more information',
        'Register the approved deal',
        'Tell partner it is declined',
        'Warn partner of expiry',
        'Extend validity',
        'Expire registration',
      ]),
    );
    expect(asl.States['Wait for approver decision']).toMatchObject({
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      TimeoutSecondsPath: '$.approval.secondsToNextTimer',
      Catch: [{ ErrorEquals: ['States.Timeout'], Next: 'Which SLA deadline passed?' }],
    });
    expect(asl.States['Warn partner of expiry']).toMatchObject({
      TimeoutSecondsPath: '$.registered.validity.secondsFromWarningToExpiry',
      Catch: [{ ErrorEquals: ['States.Timeout'], Next: 'Expire registration' }],
    });
  });

  it('runs the steps that wait for no one as segments of an Express state machine, linked to the registration, within 5 minutes', () => {
    const { workflow, segments } = renderRegistrationWorkflowAsl();
    const states = (workflow as Definition).States;
    const segmentsAsl = segments as Definition;

    expect(states['Assess registration']).toMatchObject({
      Resource: 'arn:aws:states:::states:startExecution.sync:2',
      Parameters: {
        StateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:dealreg-registration-segments',
        Input: {
          segment: 'assess',
          'registrationId.$': '$.registrationId',
          'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$': '$$.Execution.Id',
        },
      },
      OutputPath: '$.Output',
      Next: 'What did the assessment decide?',
    });
    expect(states['Register the approved deal']).toMatchObject({
      Parameters: { Input: { segment: 'approved' } },
      OutputPath: '$.Output',
      Next: 'Wait until expiry warning',
    });
    expect(segmentsAsl.StartAt).toBe('Assess or register?');
    expect(segmentsAsl.TimeoutSeconds).toBeLessThan(300);
    expect(Object.keys(segmentsAsl.States)).toEqual(
      expect.arrayContaining([
        'Normalise registration',
        'Check for channel conflict',
        'Route by verdict',
        'Approve automatically',
        'Reject automatically',
        'Register deal in HubSpot',
        'Share with AWS co-sell',
        'Tell partner it is approved',
        'Tell partner it is declined',
      ]),
    );
    // No callback and no .sync: an Express state machine runs Request Response integrations only.
    expect(JSON.stringify(segmentsAsl)).not.toMatch(/waitForTaskToken|\.sync/);
  });

  it("shares with AWS after the deal is registered, retrying Partner Central's throttling and carrying on whatever fails but a throttled steps function", () => {
    const asl = renderRegistrationWorkflowAsl().segments as Definition;
    const share = asl.States['Share with AWS co-sell'] as {
      Retry: { ErrorEquals: string[] }[];
      Catch: unknown[];
      Next: string;
    };

    expect(asl.States['Register deal in HubSpot']).toMatchObject({ Next: 'Share with AWS co-sell' });
    expect(share.Next).toBe('Tell partner it is approved');
    expect(share.Retry.flatMap((retry) => retry.ErrorEquals)).toEqual(
      expect.arrayContaining(['CoSellThrottledError', 'CoSellUnavailableError']),
    );
    expect(share.Catch).toEqual([
      {
        ErrorEquals: ['Lambda.TooManyRequestsException'],
        Next: 'Steps busy: try the registration again later',
      },
      { ErrorEquals: ['States.ALL'], ResultPath: '$.coSellFailure', Next: 'Tell partner it is approved' },
    ]);
    expect(asl.States['Steps busy: try the registration again later']).toMatchObject({ Type: 'Fail' });
  });

  it('is caught by the validator when a state points nowhere', () => {
    const asl = renderRegistrationWorkflowAsl().segments as Definition;
    const broken = {
      ...asl,
      States: { ...asl.States, 'Route by verdict': { Type: 'Pass', Next: 'No such state' } },
    };

    expect(validateAsl(broken).isValid).toBe(false);
  });
});

describe('registration workflow infrastructure', () => {
  it('is a Standard state machine that logs every event and is traced', () => {
    const { stateMachine } = synthesized.stateless.registrationWorkflow;
    const resource = synthesized.statelessTemplate.findResources('AWS::StepFunctions::StateMachine')[
      logicalIdOf(stateMachine)
    ];

    expect(resource?.Properties).toMatchObject({
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
    });
  });

  it('runs its segments on an Express state machine that logs its errors and is traced', () => {
    const { segments } = synthesized.stateless.registrationWorkflow;
    const resource = synthesized.statelessTemplate.findResources('AWS::StepFunctions::StateMachine')[
      logicalIdOf(segments)
    ];

    expect(resource?.Properties).toMatchObject({
      StateMachineType: 'EXPRESS',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ERROR', IncludeExecutionData: false },
    });
  });

  it('lets the workflow start, follow and stop executions of its segments only, as a .sync task needs', () => {
    const { stateMachine, segments } = synthesized.stateless.registrationWorkflow;
    const statements = statementsOf(synthesized.statelessTemplate, stateMachine.role);
    const segmentsName = JSON.stringify({
      'Fn::Select': [6, { 'Fn::Split': [':', { Ref: logicalIdOf(segments) }] }],
    });

    expect(statements).toEqual(
      expect.arrayContaining([
        allow(['states:StartExecution'], [ref(segments)]),
        allow(
          ['states:DescribeExecution', 'states:StopExecution'],
          [`arn:<AWS::Partition>:states:eu-west-1:<AWS::AccountId>:execution:${segmentsName}*`],
        ),
        allow(
          ['events:DescribeRule', 'events:PutRule', 'events:PutTargets'],
          [
            'arn:<AWS::Partition>:events:eu-west-1:<AWS::AccountId>:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule',
          ],
        ),
      ]),
    );
    expect(
      statements.flatMap((statement) => statement.actions).filter((action) => action.startsWith('states:')),
    ).toEqual(['states:StartExecution', 'states:DescribeExecution', 'states:StopExecution']);
  });

  it('bakes the validated policy into the steps function and names its settings', () => {
    const steps = synthesized.stateless.registrationWorkflow.steps;
    const resource = synthesized.statelessTemplate.findResources('AWS::Lambda::Function')[logicalIdOf(steps)];
    const variables = resource?.Properties?.Environment?.Variables as Record<string, unknown>;

    expect(Object.keys(variables)).toEqual(
      expect.arrayContaining([
        'REGISTRATIONS_TABLE',
        'APPROVALS_TABLE',
        'LEDGER_TABLE',
        'HUBSPOT_ACCESS_TOKEN_ARN',
        'HUBSPOT_PORTAL_ID',
        'APPROVAL_SIGNING_KEY_SECRET_ARN',
        'APPROVALS_API_URL',
        'MAIL_FROM',
      ]),
    );
    expect(variables).not.toHaveProperty('DEALREG_POLICY');
    // The synthesis deploys the default policy; the function checks its code against this.
    expect(variables.DEALREG_POLICY_VERSION).toBe(
      loadPolicy(readFileSync('policy/default-policy.json', 'utf8')).policyVersion,
    );
    expect(resource?.Properties?.Runtime).toBe('nodejs24.x');
  });

  it('grants the steps exactly their tables, secrets, sender and their own callbacks — never a delete or batch write', () => {
    const { statelessTemplate, stateful, stateless } = synthesized;
    const { steps, stateMachine } = stateless.registrationWorkflow;
    const registrations = imported(stateful.registrationsTable, 'Arn');
    const dataKey = imported(stateful.dataKey, 'Arn');

    const statements = statementsOf(statelessTemplate, steps);

    expect(statements).toEqual([
      ...functionBaseline(steps),
      // The conflict check reads the customer-domain index, then the progress items of the
      // registrations it shows alone in batches (registration-book.ts, BatchGetCommand).
      allow(
        ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:UpdateItem', 'dynamodb:Query'],
        [registrations, `${registrations}/index/byCustomerReceipt`],
      ),
      allow(
        ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        [imported(stateful.approvalsTable, 'Arn')],
      ),
      allow(['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], [dataKey], viaDynamoDb),
      // ... and writes its verdict item (saveCheckFindings, PutCommand) and the customer domain's
      // recent checks (recordCheck, a conditional PutCommand): those items only.
      allow(['dynamodb:PutItem'], [registrations], {
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['*#verdict', '*#checks'] },
      }),
      allow(['kms:GenerateMac'], [imported(stateful.ledgerMacKey, 'Arn')]),
      allow(
        ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan'],
        ledgerTableAndIndexes(imported(stateful.ledgerTable, 'Arn')),
      ),
      // No Partner Central: the default policy leaves co-sell off (co-sell.test.ts has it on).
      allow(
        ['secretsmanager:GetSecretValue'],
        [imported(stateful.hubspotAccessToken), imported(stateful.approvalSigningKey)],
      ),
      sendEmailAs(),
      allow(['states:SendTaskSuccess'], [ref(stateMachine)]),
    ]);
  });
});
