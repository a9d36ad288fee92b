import { readFileSync } from 'node:fs';
import { Match } from 'aws-cdk-lib/assertions';
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

describe('registration workflow definition', () => {
  it('deploys an ASL document that asl-validator accepts', () => {
    const definition = synthesizedRegistrationWorkflowAsl(synthesized.statelessTemplate);
    const result = validateAsl(definition);

    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it('hands every step an object as its input, never a literal string', () => {
    const definition = synthesizedRegistrationWorkflowAsl(synthesized.statelessTemplate);

    expect(tasksWithNonObjectParameters(definition)).toEqual([]);
  });

  it('retries every step Lambda throttled (the steps run on capped containers), with full jitter', () => {
    const definition = synthesizedRegistrationWorkflowAsl(synthesized.statelessTemplate) as {
      States: Record<string, { Type: string; Resource?: string; Retry?: Record<string, unknown>[] }>;
    };
    const tasks = Object.entries(definition.States).filter(([, state]) => state.Type === 'Task');

    expect(tasks.length).toBeGreaterThan(10);
    for (const [name, state] of tasks) {
      expect(state.Retry, name).toContainEqual(
        expect.objectContaining({
          ErrorEquals: ['Lambda.TooManyRequestsException'],
          JitterStrategy: 'FULL',
          MaxAttempts: 25,
        }),
      );
    }
  });

  it('retries timeouts, DynamoDB throttling and Lambda service errors on every step, and a timeout only where it is not an SLA timer', () => {
    const definition = synthesizedRegistrationWorkflowAsl(synthesized.statelessTemplate) as {
      States: Record<
        string,
        { Type: string; Parameters?: Record<string, unknown>; Retry?: { ErrorEquals: string[] }[] }
      >;
    };
    const tasks = Object.entries(definition.States).filter(([, state]) => state.Type === 'Task');
    const retried = (state: { Retry?: { ErrorEquals: string[] }[] }) =>
      new Set((state.Retry ?? []).flatMap((retry) => retry.ErrorEquals));

    for (const [name, state] of tasks) {
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

  it('renders, without a deployment, the same document the stack deploys', () => {
    expect(renderRegistrationWorkflowAsl()).toEqual(
      synthesizedRegistrationWorkflowAsl(synthesized.statelessTemplate),
    );
  });

  it('reads as the business process, in JSONPath, with the SLA timers as callback timeouts', () => {
    const asl = renderRegistrationWorkflowAsl() as { StartAt: string; QueryLanguage: string; States: States };

    expect(asl.QueryLanguage).toBe('JSONPath');
    expect(asl.StartAt).toBe('Normalise registration');
    expect(Object.keys(asl.States)).toEqual(
      expect.arrayContaining([
        'Check for channel conflict',
        'Route by verdict',
        'Ask approver',
        'Wait for approver decision',
        'Which SLA deadline passed?',
        'Remind approver',
        'Escalate to next approver',
        'Apply the policy default',
        'Record approver decision',
        'Ask partner for more information',
        'Register deal in HubSpot',
        'Share with AWS co-sell',
        'Tell partner it is approved',
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

  it("shares with AWS after the deal is registered, retrying Partner Central's throttling and carrying on whatever fails", () => {
    const asl = renderRegistrationWorkflowAsl() as { States: States };
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
      { ErrorEquals: ['States.ALL'], ResultPath: '$.coSellFailure', Next: 'Tell partner it is approved' },
    ]);
  });

  it('is caught by the validator when a state points nowhere', () => {
    const asl = renderRegistrationWorkflowAsl() as { States: States };
    const broken = {
      ...asl,
      States: { ...asl.States, 'Route by verdict': { Type: 'Pass', Next: 'No such state' } },
    };

    expect(validateAsl(broken).isValid).toBe(false);
  });
});

describe('registration workflow infrastructure', () => {
  it('is a Standard state machine that logs every event and is traced', () => {
    synthesized.statelessTemplate.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL' }),
    });
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
      allow(
        ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Query'],
        [registrations, `${registrations}/index/byCustomerReceipt`],
      ),
      allow(
        ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        [imported(stateful.approvalsTable, 'Arn')],
      ),
      allow(['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], [dataKey], viaDynamoDb),
      allow(['kms:GenerateMac'], [imported(stateful.ledgerMacKey, 'Arn')]),
      allow(
        ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:DescribeTable'],
        ledgerTableAndIndexes(imported(stateful.ledgerTable, 'Arn')),
      ),
      // Co-sell in the policy's catalog (the default policy: Sandbox), us-east-1, nothing else.
      allow(
        ['partnercentral:GetOpportunity', 'partnercentral:StartEngagementFromOpportunityTask'],
        [
          'arn:<AWS::Partition>:partnercentral:us-east-1:<AWS::AccountId>:catalog/Sandbox/opportunity/*',
          'arn:<AWS::Partition>:partnercentral:us-east-1::catalog/Sandbox/engagement-from-opportunity-task/*',
        ],
      ),
      allow(['partnercentral:CreateOpportunity', 'partnercentral:ListOpportunities'], ['*'], {
        StringEquals: { 'partnercentral:Catalog': 'Sandbox' },
      }),
      allow(
        ['secretsmanager:GetSecretValue'],
        [imported(stateful.hubspotAccessToken), imported(stateful.approvalSigningKey)],
      ),
      sendEmailAs(),
      allow(['states:SendTaskSuccess'], [ref(stateMachine)]),
    ]);
  });
});
