import { Duration, Stack, Token } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Match, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { Role } from 'aws-cdk-lib/aws-iam';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { AttributionLedger } from './attribution-ledger.ts';
import { grantCoSell, partnerCentralRegion } from './co-sell-grants.ts';
import { DealregFunction, type DealregLogLevel, handlerEntry } from './dealreg-function.ts';
import { grantTableAccess } from './grants.ts';
import { acknowledgeWildcardResource } from './nag-acknowledgements.ts';
import { createSchedulerRole } from './scheduler-role.ts';

/** Raised at synth when co-sell cannot work where the stack is deployed. */
export class CoSellConfigurationError extends Error {
  override readonly name = 'CoSellConfigurationError';
}

export interface CoSellProps {
  /** The policy's `coSell.catalog`: the only catalog the functions may read. */
  readonly catalog: 'Sandbox' | 'AWS';
  /** Registrations table: finds the deal an opportunity was created for. */
  readonly registrationsTable: ITableV2;
  /** SweeperState table: the reconciliation's watermark (item `co-sell-reconciliation`). */
  readonly sweeperStateTable: ITableV2;
  /** The attribution ledger that AWS's answer is recorded on. */
  readonly ledger: AttributionLedger;
  /** Topic that receives the functions' alarms. */
  readonly alarmTopic: ITopic;
  /**
   * How often the reconciliation runs.
   * @default ScheduleExpression.rate(Duration.hours(1))
   */
  readonly reconciliationSchedule?: ScheduleExpression | undefined;
  /** @default 'INFO' */
  readonly logLevel?: DealregLogLevel;
}

/**
 * AWS's answer to shared registrations (DESIGN: co-sell). Partner Central's opportunity and
 * engagement-invitation events on the default bus of us-east-1 go to the events function, which
 * records a change of AWS's review or stage on the deal's chain; a schedule runs the
 * reconciliation, which records what lost events did not tell. Both functions may read the
 * policy's catalog in Partner Central (no other, and no write), find registrations, and append
 * to the ledger; the reconciliation also keeps its watermark item in SweeperState.
 *
 * Partner Central delivers its events only in us-east-1 ("Amazon EventBridge events" in the
 * Partner Central Selling API guide), so the construct refuses any other region.
 */
export class CoSell extends Construct {
  public readonly eventsFunction: DealregFunction;
  public readonly eventsRule: Rule;
  public readonly reconciliationFunction: DealregFunction;
  public readonly reconciliationSchedule: Schedule;
  /** The role EventBridge Scheduler assumes to invoke the reconciliation. */
  public readonly scheduleRole: Role;

  constructor(scope: Construct, id: string, props: CoSellProps) {
    super(scope, id);
    const { region } = Stack.of(this);
    if (Token.isUnresolved(region) || region !== partnerCentralRegion) {
      throw new CoSellConfigurationError(
        `co-sell is on (policy coSell.enabled) but the stack's region is ${Token.isUnresolved(region) ? 'not set' : region}: ` +
          `Partner Central delivers its opportunity events to EventBridge in ${partnerCentralRegion} only. ` +
          `Deploy Dealreg in ${partnerCentralRegion}, or set coSell.enabled to false in the policy.`,
      );
    }
    const environment = {
      REGISTRATIONS_TABLE: props.registrationsTable.tableName,
      ...props.ledger.writerEnvironment,
    };

    this.eventsFunction = new DealregFunction(this, 'Events', {
      entry: handlerEntry('co-sell-events.ts'),
      description: "Dealreg co-sell: records AWS's answer from Partner Central's events",
      serviceName: 'dealreg-co-sell-events',
      alarmTopic: props.alarmTopic,
      timeout: Duration.seconds(30),
      logLevel: props.logLevel ?? 'INFO',
      environment,
    });
    this.#grant(this.eventsFunction, props);

    // Event shapes as "Amazon EventBridge events" (Partner Central Selling API guide) gives them:
    // source `aws.partnercentral-selling`, detail types such as `Opportunity Created`,
    // `Opportunity Updated`, `Engagement Invitation Created`, `Engagement Invitation Accepted`.
    this.eventsRule = new Rule(this, 'EventsRule', {
      description: "Dealreg co-sell: Partner Central's opportunity and engagement-invitation events",
      eventPattern: {
        source: ['aws.partnercentral-selling'],
        detailType: Match.anyOf(Match.prefix('Opportunity '), Match.prefix('Engagement Invitation ')),
      },
      targets: [
        new LambdaFunction(this.eventsFunction, {
          retryAttempts: 8,
          maxEventAge: Duration.hours(6),
          deadLetterQueue: this.eventsFunction.deadLetters,
        }),
      ],
    });

    this.reconciliationFunction = new DealregFunction(this, 'Reconciliation', {
      entry: handlerEntry('co-sell-reconciliation.ts'),
      description: 'Dealreg co-sell: records the Partner Central changes events missed',
      serviceName: 'dealreg-co-sell-reconciliation',
      alarmTopic: props.alarmTopic,
      timeout: Duration.minutes(5),
      reservedConcurrentExecutions: 1,
      logLevel: props.logLevel ?? 'INFO',
      environment: {
        ...environment,
        SWEEPER_STATE_TABLE: props.sweeperStateTable.tableName,
        CO_SELL_CATALOG: props.catalog,
      },
    });
    this.#grant(this.reconciliationFunction, props);
    grantTableAccess(this.reconciliationFunction, [
      { table: props.sweeperStateTable, actions: ['dynamodb:GetItem', 'dynamodb:PutItem'] },
    ]);

    this.scheduleRole = createSchedulerRole(
      this,
      'ScheduleRole',
      'EventBridge Scheduler: invokes the Dealreg co-sell reconciliation',
    );
    acknowledgeWildcardResource(
      this.scheduleRole,
      `${this.reconciliationFunction.functionArn}:*`,
      "The scheduler target's invoke grant names the reconciliation function and its versions and " +
        'aliases (function ARN:*); the role can invoke this one function and nothing else.',
    );
    this.reconciliationSchedule = new Schedule(this, 'ReconciliationSchedule', {
      description: 'Dealreg co-sell: record the Partner Central changes events missed',
      schedule: props.reconciliationSchedule ?? ScheduleExpression.rate(Duration.hours(1)),
      // A missed run is made up by the next one (the watermark), so retries would only pile up.
      target: new LambdaInvoke(this.reconciliationFunction, {
        role: this.scheduleRole,
        retryAttempts: 0,
        maxEventAge: Duration.minutes(15),
        deadLetterQueue: this.reconciliationFunction.deadLetters,
      }),
    });
  }

  #grant(fn: DealregFunction, props: CoSellProps): void {
    // The registration book finds a registration's items with a query on its key.
    grantTableAccess(fn, [{ table: props.registrationsTable, actions: ['dynamodb:Query'] }]);
    props.ledger.grantAppend(fn);
    grantCoSell(fn, props.catalog, 'read');
  }
}
