import { Aws, Duration, Fn, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, MathExpression, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import {
  DefinitionBody,
  LogLevel,
  QueryLanguage,
  StateMachine,
  StateMachineType,
} from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { buildRegistrationWorkflow, registrationWorkflowComment } from '#workflows/registration-workflow.ts';

export interface RegistrationWorkflowProps {
  /** Topic that receives the workflow-failure alarm. */
  readonly alarmTopic: ITopic;
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
 * aborted.
 */
export class RegistrationWorkflow extends Construct {
  public readonly stateMachine: StateMachine;
  public readonly logGroup: LogGroup;
  /** In alarm when an execution failed, timed out or was aborted. */
  public readonly failuresAlarm: Alarm;

  constructor(scope: Construct, id: string, props: RegistrationWorkflowProps) {
    super(scope, id);

    // The vendedlogs prefix keeps the account's CloudWatch Logs resource policy small (AWS
    // guidance for Step Functions logging). The stack id's GUID makes the name unique per stack
    // instance, so a retained group never blocks redeploying a destroyed stateless stack.
    const stackGuid = Fn.select(2, Fn.split('/', Aws.STACK_ID));
    this.logGroup = new LogGroup(this, 'ExecutionLogs', {
      logGroupName: `/aws/vendedlogs/states/dealreg-registration-workflow-${stackGuid}`,
      retention: props.logRetention ?? RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.stateMachine = new StateMachine(this, 'StateMachine', {
      comment: registrationWorkflowComment,
      stateMachineType: StateMachineType.STANDARD,
      queryLanguage: QueryLanguage.JSON_PATH,
      definitionBody: DefinitionBody.fromChainable(buildRegistrationWorkflow(this)),
      tracingEnabled: true,
      logs: {
        destination: this.logGroup,
        level: LogLevel.ALL,
        includeExecutionData: props.includeExecutionDataInLogs ?? false,
      },
    });
    Validations.of(this.stateMachine).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'CloudWatch Logs delivery (logs:*LogDelivery, resource policies) and X-Ray trace publishing ' +
        'do not support resource-level permissions; Step Functions needs them on "*" to log and trace.',
    });

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
  }
}
