import { Arn, ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, type PolicyStatement, type Role } from 'aws-cdk-lib/aws-iam';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct, type IConstruct } from 'constructs';
import { defaultSubmittedAtToleranceHours } from '#domain/submission-time.ts';
import { DealregFunction, type DealregLogLevel, handlerEntry } from './dealreg-function.ts';
import { grantSecretValues, grantTableAccess } from './grants.ts';
import { type HubSpotShare, hubSpotBudget, hubSpotShareEnvironment } from './hubspot-budget.ts';
import { acknowledgeWildcardResource } from './nag-acknowledgements.ts';
import { createSchedulerRole } from './scheduler-role.ts';
import { sendEmailAsStatement } from './ses-sender.ts';

/** Raised when the backfill is configured with a value it cannot use. */
export class SubmissionBackfillConfigurationError extends Error {
  override readonly name = 'SubmissionBackfillConfigurationError';
}

export interface SubmissionBackfillProps {
  /** SweeperState table: the watermark per form. */
  readonly sweeperStateTable: ITableV2;
  /** Registrations table: the inbox intake writes to. */
  readonly registrationsTable: ITableV2;
  /** The workflow intake starts once per registration. */
  readonly registrationWorkflow: IStateMachine;
  /** Secrets Manager secret holding the HubSpot access token, the app's static token or a service key (Forms API read). */
  readonly hubspotAccessToken: ISecret;
  /** The HubSpot portal (hub) id; the Forms API does not return it with submissions. */
  readonly portalId: number;
  /** GUIDs of the deal-registration forms to sweep. */
  readonly formGuids: readonly string[];
  /** Sender address of the emails to submitters of invalid registrations (an SES-verified identity). */
  readonly mailFrom: string;
  /** Topic that receives the function's alarms. */
  readonly alarmTopic: ITopic;
  /**
   * How often the sweep runs.
   * @default ScheduleExpression.rate(Duration.minutes(15))
   */
  readonly schedule?: ScheduleExpression | undefined;
  /**
   * Timeout of one run; the sweep stops 30 s before it and resumes on the next run.
   * @default Duration.minutes(5)
   */
  readonly timeout?: Duration;
  /**
   * This function's share of the portal's HubSpot budget. One sweep runs at a time (its
   * concurrency is reserved at 1), so only the per-container rates apply.
   * @default hubSpotBudget.submissionBackfill
   */
  readonly hubspotShare?: Omit<HubSpotShare, 'containers'>;
  /**
   * Form field mapping, as for the intake.
   * @default - the default mapping
   */
  readonly formFieldMapping?: Readonly<Record<string, string>> | undefined;
  /**
   * The policy's `intake.submittedAtToleranceHours`: how long before its receipt a submission's
   * claimed time may lie before the submission is refused.
   * @default 72
   */
  readonly submittedAtToleranceHours?: number | undefined;
  /**
   * The policy's `calendar.timeZone`, in which the invalid-submission email gives the receipt
   * time, as every other partner email gives times. @default - UTC, said as such
   */
  readonly calendarTimeZone?: string | undefined;
  /**
   * Support address named in emails to submitters.
   * @default - none
   */
  readonly supportEmail?: string | undefined;
  /**
   * The partner registration form's public URL, linked from the email telling a partner what to fix.
   * @default - the page a submission came from, when it names one
   */
  readonly registrationFormUrl?: string | undefined;
  /** @default 'INFO' */
  readonly logLevel?: DealregLogLevel;
  /**
   * The handler module; tests and forks may point elsewhere.
   * @default functions/handlers/submission-backfill.ts
   */
  readonly entry?: string | undefined;
}

/**
 * Backfill (DESIGN §3.1): on a schedule, pages through the forms' submissions in the Forms API
 * and feeds any that intake never received (a webhook HubSpot gave up on) through the same
 * intake path. One run at a time (reserved concurrency 1; the state is also version-checked).
 * The function may read and write its SweeperState item, read and write Registrations items,
 * start the registration workflow, read the HubSpot access token and send mail from the sender
 * identity — nothing else.
 */
export class SubmissionBackfill extends Construct {
  public readonly function: DealregFunction;
  public readonly schedule: Schedule;
  /** The role EventBridge Scheduler assumes to invoke the sweeper. */
  public readonly scheduleRole: Role;
  /**
   * Registrations whose workflow no longer progresses on its own (failed through every
   * redrive, or not redrivable), counted by each sweep; the log names them.
   */
  public readonly stalledRegistrationsMetric: Metric;
  /** In alarm while a sweep finds a stalled registration. */
  public readonly stalledRegistrationsAlarm: Alarm;

  constructor(scope: Construct, id: string, props: SubmissionBackfillProps) {
    super(scope, id);
    if (props.formGuids.length === 0) {
      throw new SubmissionBackfillConfigurationError('formGuids must name at least one form to sweep');
    }
    for (const guid of props.formGuids) {
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(guid)) {
        throw new SubmissionBackfillConfigurationError(`formGuids: "${guid}" is not a HubSpot form GUID`);
      }
    }
    if (!Number.isInteger(props.portalId) || props.portalId <= 0) {
      throw new SubmissionBackfillConfigurationError(
        `portalId must be a positive whole number, got ${props.portalId}`,
      );
    }
    const timeout = props.timeout ?? Duration.minutes(5);
    if (timeout.toSeconds() < 60) {
      throw new SubmissionBackfillConfigurationError(
        'timeout must be at least one minute (the sweep keeps 30 s to save its place)',
      );
    }
    const sendEmailAs = sendEmailAsStatement(
      this,
      props.mailFrom,
      (message) => new SubmissionBackfillConfigurationError(message),
    );

    this.function = new DealregFunction(this, 'Sweeper', {
      entry: props.entry ?? handlerEntry('submission-backfill.ts'),
      description: 'Dealreg backfill: form submissions the webhook missed',
      serviceName: 'dealreg-backfill',
      alarmTopic: props.alarmTopic,
      timeout,
      reservedConcurrentExecutions: 1,
      logLevel: props.logLevel ?? 'INFO',
      environment: {
        SWEEPER_STATE_TABLE: props.sweeperStateTable.tableName,
        REGISTRATIONS_TABLE: props.registrationsTable.tableName,
        REGISTRATION_WORKFLOW_ARN: props.registrationWorkflow.stateMachineArn,
        HUBSPOT_ACCESS_TOKEN_ARN: props.hubspotAccessToken.secretArn,
        HUBSPOT_PORTAL_ID: String(props.portalId),
        ...hubSpotShareEnvironment({ ...hubSpotBudget.submissionBackfill, ...props.hubspotShare }),
        FORM_GUIDS: props.formGuids.join(','),
        MAIL_FROM: props.mailFrom,
        ...(props.supportEmail ? { SUPPORT_EMAIL: props.supportEmail } : {}),
        ...(props.registrationFormUrl ? { REGISTRATION_FORM_URL: props.registrationFormUrl } : {}),
        ...(props.formFieldMapping ? { FORM_FIELD_MAPPING: JSON.stringify(props.formFieldMapping) } : {}),
        SUBMITTED_AT_TOLERANCE_HOURS: String(
          props.submittedAtToleranceHours ?? defaultSubmittedAtToleranceHours,
        ),
        ...(props.calendarTimeZone ? { CALENDAR_TIME_ZONE: props.calendarTimeZone } : {}),
      },
    });
    this.grantPermissions(props, sendEmailAs);

    this.stalledRegistrationsMetric = new Metric({
      namespace: 'Dealreg',
      metricName: 'StalledRegistrations',
      dimensionsMap: { service: 'dealreg-backfill' },
      statistic: 'Maximum',
      period: Duration.hours(1),
    });
    this.stalledRegistrationsAlarm = new Alarm(this, 'StalledRegistrationsAlarm', {
      alarmDescription:
        "A registration's workflow failed through every redrive (about a day) or cannot be redriven: " +
        'the backfill log names it ("registration workflow stalled")',
      metric: this.stalledRegistrationsMetric,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.stalledRegistrationsAlarm.addAlarmAction(new SnsAction(props.alarmTopic));

    this.scheduleRole = createSchedulerRole(
      this,
      'ScheduleRole',
      'EventBridge Scheduler: invokes the Dealreg submission backfill',
    );
    acknowledgeWildcardResource(
      this.scheduleRole,
      `${this.function.functionArn}:*`,
      "The scheduler target's invoke grant names the sweeper function and its versions and aliases " +
        '(function ARN:*); the role can invoke this one function and nothing else.',
    );

    this.schedule = new Schedule(this, 'Schedule', {
      description: 'Dealreg: sweep deal-registration form submissions into intake',
      schedule: props.schedule ?? ScheduleExpression.rate(Duration.minutes(15)),
      // A missed run is made up by the next one (the watermark), so retries would only pile up.
      target: new LambdaInvoke(this.function, {
        role: this.scheduleRole,
        retryAttempts: 0,
        maxEventAge: Duration.minutes(15),
        deadLetterQueue: this.function.deadLetters,
      }),
    });
  }

  private grantPermissions(props: SubmissionBackfillProps, sendEmailAs: PolicyStatement): void {
    grantTableAccess(this.function, [
      { table: props.sweeperStateTable, actions: ['dynamodb:GetItem', 'dynamodb:PutItem'] },
      {
        table: props.registrationsTable,
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      },
    ]);
    props.registrationWorkflow.grantStartExecution(this.function);
    // Finds the executions that failed and restarts them from the failed step.
    props.registrationWorkflow.grant(this.function, 'states:ListExecutions');
    const executions = `${Stack.of(this).formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: Arn.split(props.registrationWorkflow.stateMachineArn, ArnFormat.COLON_RESOURCE_NAME)
        .resourceName as string,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    })}:*`;
    Grant.addToPrincipal({
      grantee: this.function,
      actions: ['states:RedriveExecution'],
      resourceArns: [executions],
    });
    acknowledgeWildcardResource(
      this.function.role as IConstruct,
      executions,
      "Redriving names an execution of the registration workflow (the state machine's executions, " +
        'whose names are registration ids known only at run time); no other state machine.',
    );
    grantSecretValues(this.function, [props.hubspotAccessToken]);
    this.function.addToRolePolicy(sendEmailAs);
  }
}
