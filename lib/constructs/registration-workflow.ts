import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, MathExpression, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { type IRole, Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { type LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { type StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { customerChecksItemSuffix, verdictItemSuffix } from '#adapters/dynamodb/registration-items.ts';
import { loadPolicy } from '#domain/policy/load-policy.ts';
import {
  buildRegistrationSegments,
  buildRegistrationWorkflow,
  registrationSegmentsComment,
  registrationWorkflowComment,
  segmentTimeout,
} from '#workflows/registration-workflow.ts';
import type { AttributionLedger } from './attribution-ledger.ts';
import { bakedPolicy } from './baked-policy.ts';
import { grantCoSell } from './co-sell-grants.ts';
import { DealregFunction, handlerEntry } from './dealreg-function.ts';
import { grantSecretValues, grantTableAccess, registrationsByCustomer } from './grants.ts';
import { hubSpotShareEnvironment, registrationStepsShare } from './hubspot-budget.ts';
import { acknowledgeWildcardResource } from './nag-acknowledgements.ts';
import { sendEmailAsStatement } from './ses-sender.ts';
import { createWorkflowStateMachine } from './workflow-state-machine.ts';

export interface RegistrationWorkflowProps {
  /** Topic that receives the workflow-failure alarm. */
  readonly alarmTopic: ITopic;
  /** The registrations (read, the customer-domain index, progress updates). */
  readonly registrationsTable: ITableV2;
  /** The approval tasks (opened, superseded, decided by the SLA default). */
  readonly approvalsTable: ITableV2;
  /** The attribution ledger approvals and expiries are appended to. */
  readonly ledger: AttributionLedger;
  /** HubSpot access token: the app's static token or a service key. */
  readonly hubspotAccessToken: ISecret;
  readonly hubspotPortalId: number;
  /** The key approval and extension links are signed with. */
  readonly approvalSigningKey: ISecret;
  /** Base URL of the API serving `/approvals/…` and `/registrations/…/extension`. */
  readonly approvalsApiUrl: string;
  /** Sender address of the workflow's emails (an SES-verified identity). */
  readonly mailFrom: string;
  /** The validated policy, as JSON text; baked into the steps function's bundle. */
  readonly policyText: string;
  /** @default - none */
  readonly supportEmail?: string | undefined;
  /** The registration form's public URL, for partners asked to resubmit. @default - none */
  readonly registrationFormUrl?: string | undefined;
  /** USD per unit of each non-USD currency. @default - none */
  readonly usdRates?: Readonly<Record<string, string>> | undefined;
  /**
   * Retention of the execution log group.
   * @default RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: RetentionDays;
  /**
   * Whether execution logs carry state inputs and outputs. They contain partner contact
   * details, which the execution history already keeps for its 90 days.
   * @default false
   */
  readonly includeExecutionDataInLogs?: boolean;
}

/**
 * The registration workflow: a Standard state machine (callback tasks of the approval loop
 * need Standard) built from `workflows/registration-workflow.ts`, logging every event to its
 * own log group, traced with X-Ray, and an alarm when executions fail, time out or are
 * aborted; and the Express state machine of its segments (`segments`), which it starts and
 * waits for, so the steps that run without waiting are not billed per state transition.
 */
export class RegistrationWorkflow extends Construct {
  public readonly stateMachine: StateMachine;
  /** The Express state machine of the segments (assessment, registering an approved deal). */
  public readonly segments: StateMachine;
  public readonly segmentsLogGroup: LogGroup;
  /** Runs every step of the workflow (functions/handlers/registration-steps.ts). */
  public readonly steps: DealregFunction;
  public readonly logGroup: LogGroup;
  /** In alarm when an execution failed, timed out or was aborted. */
  public readonly failuresAlarm: Alarm;

  constructor(scope: Construct, id: string, props: RegistrationWorkflowProps) {
    super(scope, id);

    this.steps = this.createSteps(props);
    const logRetention = props.logRetention ?? RetentionDays.THREE_MONTHS;
    // Its own scope: the segments' states have construct ids of their own (some state names,
    // such as "Tell partner it is declined", are in both state machines).
    const segmentsScope = new Construct(this, 'Segments');
    const segments = createWorkflowStateMachine(segmentsScope, {
      comment: registrationSegmentsComment,
      definition: buildRegistrationSegments(segmentsScope, { steps: this.steps }),
      logName: 'dealreg-registration-segments',
      logRetention,
      includeExecutionData: props.includeExecutionDataInLogs ?? false,
      timeout: segmentTimeout,
      type: StateMachineType.EXPRESS,
    });
    this.segments = segments.stateMachine;
    this.segmentsLogGroup = segments.logGroup;
    const workflow = createWorkflowStateMachine(this, {
      comment: registrationWorkflowComment,
      definition: buildRegistrationWorkflow(this, { steps: this.steps, segments: this.segments }),
      logName: 'dealreg-registration-workflow',
      logRetention,
      includeExecutionData: props.includeExecutionDataInLogs ?? false,
    });
    this.stateMachine = workflow.stateMachine;
    this.logGroup = workflow.logGroup;
    // What CDK's `.sync` task grants to follow the segment it started (StepFunctionsStartExecution):
    // DescribeExecution and StopExecution on that state machine's executions, named by a prefix.
    const stack = Stack.of(this);
    acknowledgeWildcardResource(
      this.stateMachine,
      stack.formatArn({
        service: 'states',
        resource: 'execution',
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        resourceName: `${stack.splitArn(this.segments.stateMachineArn, ArnFormat.COLON_RESOURCE_NAME).resourceName}*`,
      }),
      'A .sync task follows and stops the executions it starts: DescribeExecution and StopExecution on the ' +
        "segments state machine's executions (its name followed by the execution's), that state machine only.",
    );
    Validations.of(this.segments).acknowledge({
      id: 'AwsSolutions-SF1',
      reason:
        'The Express segments log errors only: every event of every execution would be billed as log ' +
        'ingestion on each registration, and the Standard registration workflow that starts each segment ' +
        'logs every event, the segment task included.',
    });
    for (const stateMachine of [this.stateMachine, this.segments]) {
      acknowledgeWildcardResource(
        stateMachine,
        `${this.steps.functionArn}:*`,
        'The Step Functions Lambda integration grants InvokeFunction on the steps function and its versions ' +
          '(ARN:*), that one function only.',
      );
      Validations.of(stateMachine).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'CloudWatch Logs delivery (logs:*LogDelivery, resource policies) and X-Ray trace publishing ' +
          'do not support resource-level permissions; Step Functions needs them on "*" to log and trace.',
      });
    }

    const metricOptions = { period: Duration.minutes(5), statistic: 'Sum' } as const;
    this.failuresAlarm = new Alarm(this, 'FailuresAlarm', {
      alarmDescription: 'Registration workflow executions failed, timed out or were aborted',
      metric: new MathExpression({
        label: 'Unsuccessful executions',
        expression: 'FILL(failed, 0) + FILL(timedOut, 0) + FILL(aborted, 0)',
        usingMetrics: {
          failed: this.stateMachine.metricFailed(metricOptions),
          timedOut: this.stateMachine.metricTimedOut(metricOptions),
          aborted: this.stateMachine.metricAborted(metricOptions),
        },
        period: metricOptions.period,
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const alarmAction = new SnsAction(props.alarmTopic);
    this.failuresAlarm.addAlarmAction(alarmAction);
    this.failuresAlarm.addOkAction(alarmAction);

    // A callback ends the workflow's own waits (a decision recorded before its wait began, or a
    // deal that closed before the expiry warning, which sends none). A
    // policy of its own, not the role's default one, so the function does not depend on the
    // state machine that depends on it.
    new Policy(this, 'ResumeOwnWaits', {
      roles: [roleOf(this.steps)],
      statements: [
        new PolicyStatement({
          actions: ['states:SendTaskSuccess'],
          resources: [this.stateMachine.stateMachineArn],
        }),
      ],
    });
  }

  private createSteps(props: RegistrationWorkflowProps): DealregFunction {
    const policyInCode = bakedPolicy(props.policyText);
    const coSell = loadPolicy(props.policyText).policy.coSell;
    const share = registrationStepsShare(coSell.enabled);
    const steps = new DealregFunction(this, 'Steps', {
      entry: handlerEntry('registration-steps.ts'),
      description: 'Dealreg registration workflow steps',
      serviceName: 'dealreg-registration-workflow',
      alarmTopic: props.alarmTopic,
      memorySize: 512,
      timeout: Duration.minutes(2),
      // The portal's HubSpot budget is shared by capping the containers (hubspot-budget.ts); the
      // workflow retries an invocation Lambda throttled.
      reservedConcurrentExecutions: share.containers,
      environment: {
        ...policyInCode.environment,
        ...hubSpotShareEnvironment(share),
        REGISTRATIONS_TABLE: props.registrationsTable.tableName,
        APPROVALS_TABLE: props.approvalsTable.tableName,
        ...props.ledger.writerEnvironment,
        HUBSPOT_ACCESS_TOKEN_ARN: props.hubspotAccessToken.secretArn,
        HUBSPOT_PORTAL_ID: String(props.hubspotPortalId),
        APPROVAL_SIGNING_KEY_SECRET_ARN: props.approvalSigningKey.secretArn,
        APPROVALS_API_URL: props.approvalsApiUrl,
        MAIL_FROM: props.mailFrom,
        ...(props.supportEmail ? { SUPPORT_EMAIL: props.supportEmail } : {}),
        ...(props.registrationFormUrl ? { REGISTRATION_FORM_URL: props.registrationFormUrl } : {}),
        ...(props.usdRates ? { USD_RATES: JSON.stringify(props.usdRates) } : {}),
      },
      define: policyInCode.define,
    });
    grantTableAccess(steps, [
      {
        table: props.registrationsTable,
        actions: [...registrationsByCustomer, 'dynamodb:UpdateItem'],
        indexes: ['byCustomerReceipt'],
      },
      {
        table: props.approvalsTable,
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      },
    ]);
    // The conflict check writes its verdict in an item of its own (saveCheckFindings, a PutItem)
    // and records itself on the customer domain's recent checks (recordCheck, a conditional
    // PutItem): those items only, never a registration or progress item ("Using IAM policy
    // conditions for fine-grained access control", DynamoDB: dynamodb:LeadingKeys is the item's
    // partition key).
    steps.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:PutItem'],
        resources: [props.registrationsTable.tableArn],
        conditions: {
          'ForAllValues:StringLike': {
            'dynamodb:LeadingKeys': [`*${verdictItemSuffix}`, `*${customerChecksItemSuffix}`],
          },
        },
      }),
    );
    props.ledger.grantAppend(steps);
    // Only a policy that co-sells calls Partner Central (share-with-aws.ts returns first when it is
    // off); the policy is baked into the bundle, so turning co-sell on redeploys with the grant.
    if (coSell.enabled) grantCoSell(steps, coSell.catalog, 'share');
    grantSecretValues(steps, [props.hubspotAccessToken, props.approvalSigningKey]);
    steps.addToRolePolicy(
      sendEmailAsStatement(this, props.mailFrom, (message) => new Error(`RegistrationWorkflow: ${message}`)),
    );
    return steps;
  }
}

function roleOf(fn: DealregFunction): IRole {
  if (fn.role === undefined) throw new Error(`${fn.node.path} has no execution role`);
  return fn.role;
}
