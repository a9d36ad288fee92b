import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable, ITableV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { AnyPrincipal, Effect, Grant, type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type IBucket,
  ObjectLockRetention,
} from 'aws-cdk-lib/aws-s3';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct, type IConstruct } from 'constructs';
import { DIGEST_PREFIX } from '#domain/ledger/digest-location.ts';
import { ledgerTable } from '#lib/tables/index.ts';
import { DealregFunction, handlerEntry } from './dealreg-function.ts';
import { DealregTable } from './dealreg-table.ts';
import { tableKeysThroughDynamoDb } from './grants.ts';
import { acknowledgeWildcardResource } from './nag-acknowledgements.ts';
import { createSchedulerRole } from './scheduler-role.ts';

export interface AttributionLedgerProps {
  /** Receives the tampering alarm and the functions' error alarms. */
  readonly alarmTopic: ITopic;
  /**
   * The ledger table, when another construct already built it from `lib/tables/ledger-table.ts`
   * (it must have a NEW_AND_OLD_IMAGES stream).
   * @default - a `DealregTable` from `ledgerTable`, encrypted with `encryptionKey`
   */
  readonly table?: TableV2;
  /**
   * Key for the table this construct creates; required when `table` is not given.
   * @default - none
   */
  readonly encryptionKey?: IKey;
  /**
   * How long each digest stays locked (Object Lock, compliance mode: nobody, root included,
   * can shorten it or delete the object before it ends).
   * @default Duration.days(2557) (seven years)
   */
  readonly digestRetention?: Duration;
  /**
   * The digest bucket, when the stateful stack keeps it (built with {@link createDigestBucket}, and
   * imported here by its name so that no stack export pins it).
   * @default - a digest bucket created here with `digestRetention`
   */
  readonly digestBucket?: IBucket;
  /**
   * When digests are written (EventBridge Scheduler, like every Dealreg schedule).
   * @default ScheduleExpression.rate(Duration.hours(24))
   */
  readonly digestSchedule?: ScheduleExpression;
}

/** Actions nobody may perform on the ledger table: entries are inserted once, never changed. */
export const deniedLedgerActions = [
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:PartiQLUpdate',
  'dynamodb:PartiQLDelete',
] as const;

/** What a ledger writer may do: insert (conditional PutItem) and read, nothing else. */
const ledgerWriterActions = [
  'dynamodb:PutItem',
  'dynamodb:GetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:DescribeTable',
] as const;

/**
 * The write-once digest bucket: versioned, encrypted, SSL-only, Object Lock in compliance mode
 * (nobody, root included, can shorten the retention or delete a digest before it ends), retained.
 */
export function createDigestBucket(
  scope: Construct,
  id: string,
  options: { readonly retention?: Duration | undefined; readonly bucketName?: string | undefined } = {},
): Bucket {
  const { retention, bucketName } = options;
  const bucket = new Bucket(scope, id, {
    ...(bucketName === undefined ? {} : { bucketName }),
    objectLockEnabled: true,
    objectLockDefaultRetention: ObjectLockRetention.compliance(retention ?? Duration.days(2557)),
    versioned: true,
    encryption: BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  Validations.of(bucket).acknowledge({
    id: 'AwsSolutions-S1',
    reason:
      'Digests are write-once under compliance-mode Object Lock: no request can alter or delete them before ' +
      'retention ends, which is what access logs would otherwise be needed to reconstruct.',
  });
  return bucket;
}

/**
 * The attribution ledger with its defence in depth (DESIGN §3.4): the insert-only table
 * (PITR, deletion protection, stream of new and old images) with a resource policy that denies
 * every update and delete to every principal; a stream consumer that counts non-INSERT events
 * and an alarm on that count; the digest bucket with Object Lock in compliance mode; and a
 * scheduled function that writes a digest of all chain heads there.
 */
export class AttributionLedger extends Construct {
  public readonly table: TableV2;
  public readonly digestBucket: IBucket;
  /** Counts MODIFY/REMOVE events on the ledger stream. */
  public readonly streamGuard: DealregFunction;
  /** Writes the periodic digest. */
  public readonly digestWriter: DealregFunction;
  /** Runs the digest writer (EventBridge Scheduler, with a role and a dead-letter queue). */
  public readonly digestSchedule: Schedule;
  /** Non-INSERT events on the ledger stream, per minute. */
  public readonly tamperingMetric: Metric;
  /** In alarm as soon as one ledger entry was modified or removed. */
  public readonly tamperingAlarm: Alarm;

  constructor(scope: Construct, id: string, props: AttributionLedgerProps) {
    super(scope, id);
    if (props.table === undefined && props.encryptionKey === undefined) {
      throw new Error(
        'AttributionLedger needs either an existing ledger table or an encryptionKey for a new one',
      );
    }
    this.table =
      props.table ??
      new DealregTable(this, 'Table', {
        definition: ledgerTable,
        encryptionKey: props.encryptionKey as IKey,
      });

    this.table.addToResourcePolicy(
      new PolicyStatement({
        sid: 'LedgerEntriesAreNeverChanged',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: [...deniedLedgerActions],
        resources: ['*'],
      }),
    );

    // TableV2 and Bucket expose `tableId`, `tableStreamArn` and `isWebsite` as getters typed
    // `T | undefined`, which exactOptionalPropertyTypes does not accept for their interfaces'
    // `?: T` (aws/aws-cdk#37996); hence the `as` to the interfaces.
    this.digestBucket =
      props.digestBucket ??
      (createDigestBucket(this, 'DigestBucket', {
        retention: props.digestRetention,
      }) as IBucket);

    this.streamGuard = new DealregFunction(this, 'StreamGuard', {
      entry: handlerEntry('ledger-stream-guard.ts'),
      description: 'Dealreg ledger stream guard: counts modified or removed ledger entries',
      serviceName: 'dealreg-ledger-guard',
      alarmTopic: props.alarmTopic,
    });
    this.streamGuard.addEventSource(
      new DynamoEventSource(this.table as ITable, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        retryAttempts: 3,
        bisectBatchOnError: true,
        onFailure: new SqsDlq(this.streamGuard.deadLetters),
        // Inserts are the ledger working as designed; only the rest is worth a look.
        filters: [FilterCriteria.filter({ eventName: FilterRule.notEquals('INSERT') })],
      }),
    );

    this.tamperingMetric = new Metric({
      namespace: 'Dealreg',
      metricName: 'LedgerNonInsertEvents',
      dimensionsMap: { service: 'dealreg-ledger-guard' },
      statistic: 'Sum',
      period: Duration.minutes(1),
    });
    this.tamperingAlarm = new Alarm(this, 'TamperingAlarm', {
      alarmDescription: 'An attribution ledger entry was modified or removed (the ledger is insert-only)',
      metric: this.tamperingMetric,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.tamperingAlarm.addAlarmAction(new SnsAction(props.alarmTopic));

    this.digestWriter = new DealregFunction(this, 'DigestWriter', {
      entry: handlerEntry('ledger-digest.ts'),
      description: 'Dealreg ledger digest: commits every chain head to the Object Lock bucket',
      serviceName: 'dealreg-ledger-digest',
      alarmTopic: props.alarmTopic,
      timeout: Duration.minutes(5),
      environment: { LEDGER_TABLE: this.table.tableName, DIGEST_BUCKET: this.digestBucket.bucketName },
    });
    this.grantRead(this.digestWriter);
    this.grantDigestWrite(this.digestWriter);
    acknowledgeWildcardResource(
      this.digestWriter.role as IConstruct,
      this.digestBucket.arnForObjects(`${DIGEST_PREFIX}*`),
      'Each digest is a new object named by its creation time, so the writer needs the digest prefix; it gets ' +
        'PutObject and GetObject there and nothing else, and Object Lock forbids overwriting or deleting them.',
    );
    const scheduleRole = createSchedulerRole(
      this,
      'DigestScheduleRole',
      'EventBridge Scheduler: invokes the Dealreg ledger digest writer',
    );
    acknowledgeWildcardResource(
      scheduleRole,
      `${this.digestWriter.functionArn}:*`,
      "The scheduler target's invoke grant names the digest writer and its versions and aliases " +
        '(function ARN:*); the role can invoke this one function and nothing else.',
    );
    this.digestSchedule = new Schedule(this, 'DigestSchedule', {
      description: 'Dealreg: writes the attribution ledger digest',
      schedule: props.digestSchedule ?? ScheduleExpression.rate(Duration.hours(24)),
      target: new LambdaInvoke(this.digestWriter, {
        role: scheduleRole,
        retryAttempts: 2,
        // A digest a day late is still useful; one older than the next run is not.
        maxEventAge: Duration.hours(12),
        deadLetterQueue: this.digestWriter.deadLetters,
      }),
    });
  }

  /** The table and each of its indexes, named one by one (no wildcard). */
  #tableResources(): string[] {
    return [
      this.table.tableArn,
      ...(ledgerTable.globalSecondaryIndexes ?? []).map(
        (index) => `${this.table.tableArn}/index/${index.indexName}`,
      ),
    ];
  }

  /**
   * Lets `grantee` append entries: conditional PutItem and reads, never update or delete, and the
   * table's key through DynamoDB only, as every other table writer holds its table's key.
   */
  public grantAppend(grantee: IGrantable): Grant {
    const key = tableKeysThroughDynamoDb(this, [this.table as ITableV2]);
    if (key !== undefined) grantee.grantPrincipal.addToPrincipalPolicy(key);
    return Grant.addToPrincipal({
      grantee,
      actions: [...ledgerWriterActions],
      resourceArns: this.#tableResources(),
    });
  }

  /** Lets `grantee` read the ledger (queries, reports, verify). */
  public grantRead(grantee: IGrantable): Grant {
    this.table.encryptionKey?.grantDecrypt(grantee);
    return Grant.addToPrincipal({
      grantee,
      actions: ledgerWriterActions.filter((action) => action !== 'dynamodb:PutItem'),
      resourceArns: this.#tableResources(),
    });
  }

  /** Lets `grantee` write new digests and read existing ones; there is no delete to grant. */
  public grantDigestWrite(grantee: IGrantable): Grant {
    Grant.addToPrincipal({
      grantee,
      actions: ['s3:ListBucket'],
      resourceArns: [this.digestBucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${DIGEST_PREFIX}*`] } },
    });
    return Grant.addToPrincipal({
      grantee,
      actions: ['s3:PutObject', 's3:GetObject'],
      resourceArns: [this.digestBucket.arnForObjects(`${DIGEST_PREFIX}*`)],
    });
  }
}
