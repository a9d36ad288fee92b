import { Aws, type Duration, Fn, RemovalPolicy } from 'aws-cdk-lib';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  DefinitionBody,
  type IChainable,
  LogLevel,
  QueryLanguage,
  StateMachine,
  StateMachineType,
} from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';

export interface WorkflowStateMachineProps {
  /** What the workflow does, in a sentence. */
  readonly comment: string;
  /** The workflow's first state, chained to the rest. */
  readonly definition: IChainable;
  /** The execution log group's name after `/aws/vendedlogs/states/`; the stack id's GUID is appended. */
  readonly logName: string;
  readonly logRetention: RetentionDays;
  /** Whether execution logs carry state inputs and outputs. */
  readonly includeExecutionData: boolean;
  /**
   * Longest an execution may run.
   * @default - no limit of its own
   */
  readonly timeout?: Duration;
  /**
   * Standard (callback tasks, Distributed Maps and waits of days need it), or Express for a
   * short segment that waits for no one: billed per request and GB-second instead of per state
   * transition, at most 5 minutes, at least once ("Choosing workflow type in Step Functions").
   * An Express state machine logs only errors: every execution's events at level ALL would be
   * billed as CloudWatch Logs ingestion on each registration, while its failures (all a runbook
   * needs, as its parent retries and records the segment) stay visible; X-Ray traces it as the
   * Standard one.
   * @default StateMachineType.STANDARD
   */
  readonly type?: StateMachineType;
}

export interface WorkflowStateMachine {
  readonly stateMachine: StateMachine;
  readonly logGroup: LogGroup;
}

/**
 * The one state machine shape Dealreg deploys, created in `scope` as `StateMachine` with its log
 * group `ExecutionLogs`: Standard (callback tasks and Distributed Maps need it) unless `type` says
 * Express, JSONPath, traced with X-Ray, its events logged to its own log group, which is retained
 * (a Standard one every event, an Express one its errors).
 */
export function createWorkflowStateMachine(
  scope: Construct,
  props: WorkflowStateMachineProps,
): WorkflowStateMachine {
  // The vendedlogs prefix keeps the account's CloudWatch Logs resource policy small (AWS
  // guidance for Step Functions logging). The stack id's GUID makes the name unique per stack
  // instance, so a retained group never blocks redeploying a destroyed stateless stack.
  const stackGuid = Fn.select(2, Fn.split('/', Aws.STACK_ID));
  const logGroup = new LogGroup(scope, 'ExecutionLogs', {
    logGroupName: `/aws/vendedlogs/states/${props.logName}-${stackGuid}`,
    retention: props.logRetention,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const type = props.type ?? StateMachineType.STANDARD;
  const stateMachine = new StateMachine(scope, 'StateMachine', {
    comment: props.comment,
    stateMachineType: type,
    queryLanguage: QueryLanguage.JSON_PATH,
    definitionBody: DefinitionBody.fromChainable(props.definition),
    ...(props.timeout === undefined ? {} : { timeout: props.timeout }),
    tracingEnabled: true,
    logs: {
      destination: logGroup,
      level: type === StateMachineType.EXPRESS ? LogLevel.ERROR : LogLevel.ALL,
      includeExecutionData: props.includeExecutionData,
    },
  });
  return { stateMachine, logGroup };
}
