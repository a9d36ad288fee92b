import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable, ITableV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import {
  AccountRootPrincipal,
  AnyPrincipal,
  Effect,
  Grant,
  type IGrantable,
  PolicyStatement,
  Role,
} from 'aws-cdk-lib/aws-iam';
import { type IKey, Key, KeySpec, KeyUsage } from 'aws-cdk-lib/aws-kms';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
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
import { ledgerGuardMetrics } from '#domain/ledger/guard-metrics.ts';
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
   * How often digests are written (EventBridge Scheduler, like every Dealreg schedule). Each
   * digest records it: verify fails when an entry older than twice this is in no digest.
   * @default Duration.hours(24)
   */
  readonly digestInterval?: Duration;
  /**
   * The ledger key, a KMS HMAC key (KeySpec HMAC_256, KeyUsage GENERATE_VERIFY_MAC), when the
   * stateful stack keeps it (built with {@link createLedgerMacKey}).
   * @default - a ledger key created here
   */
  readonly macKey?: IKey;
}

/**
 * The ledger key: a KMS HMAC key whose material never leaves KMS. Every entry and digest carries
 * its MAC; only principals granted `kms:GenerateMac` (the ledger's writers) can make one.
 * HMAC keys have no automatic rotation in KMS; the key is retained with the ledger.
 */
export function createLedgerMacKey(scope: Construct, id: string, options: { alias?: string } = {}): Key {
  return new Key(scope, id, {
    description: 'Dealreg: authenticates attribution ledger entries and digests (HMAC-SHA256)',
    keySpec: KeySpec.HMAC_256,
    keyUsage: KeyUsage.GENERATE_VERIFY_MAC,
    pendingWindow: Duration.days(30),
    removalPolicy: RemovalPolicy.RETAIN,
    ...(options.alias === undefined ? {} : { alias: options.alias }),
  });
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
 * every update and delete to every principal; the ledger key (KMS HMAC), whose MAC every entry
 * carries; a stream consumer that counts non-INSERT events and inserted entries without a valid
 * MAC, and an alarm on those counts; the digest bucket with Object Lock in compliance mode; a
 * scheduled function that writes a signed digest of every chain's length and head there; and a
 * role for `dealreg ledger verify` that can read and verify, nothing else.
 */
export class AttributionLedger extends Construct {
  public readonly table: TableV2;
  public readonly digestBucket: IBucket;
  /** The ledger key (KMS HMAC_256): writers generate MACs with it, verifiers verify them. */
  public readonly macKey: IKey;
  /** Counts MODIFY/REMOVE events and unauthenticated inserts on the ledger stream. */
  public readonly streamGuard: DealregFunction;
  /** Writes the periodic digest. */
  public readonly digestWriter: DealregFunction;
  /** Runs the digest writer (EventBridge Scheduler, with a role and a dead-letter queue). */
  public readonly digestSchedule: Schedule;
  /** Non-INSERT events on the ledger stream, plus entries without a valid MAC, per minute. */
  public readonly tamperingMetric: MathExpression;
  /** In alarm as soon as one ledger entry was modified, removed or forged. */
  public readonly tamperingAlarm: Alarm;
  /** What `dealreg ledger verify` runs as in AWS: reads the ledger and digests, verifies MACs. */
  public readonly verifierRole: Role;

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

    this.macKey = props.macKey ?? createLedgerMacKey(this, 'MacKey');

    this.streamGuard = new DealregFunction(this, 'StreamGuard', {
      entry: handlerEntry('ledger-stream-guard.ts'),
      description: 'Dealreg ledger stream guard: counts modified, removed and forged ledger entries',
      serviceName: 'dealreg-ledger-guard',
      alarmTopic: props.alarmTopic,
      environment: { LEDGER_MAC_KEY: this.macKey.keyArn },
    });
    this.grantVerifyMacs(this.streamGuard);
    this.streamGuard.addEventSource(
      new DynamoEventSource(this.table as ITable, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        retryAttempts: 3,
        bisectBatchOnError: true,
        onFailure: new SqsDlq(this.streamGuard.deadLetters),
        // Every event: a change or removal is tampering, and every insert's MAC is checked.
      }),
    );

    const guardMetric = (metricName: string, service: string) =>
      new Metric({
        namespace: ledgerGuardMetrics.namespace,
        metricName,
        dimensionsMap: { service },
        statistic: 'Sum',
        period: Duration.minutes(1),
      });
    this.tamperingMetric = new MathExpression({
      label: 'Ledger entries modified, removed or forged',
      expression: 'FILL(changed, 0) + FILL(forged, 0) + FILL(undigested, 0)',
      usingMetrics: {
        changed: guardMetric(ledgerGuardMetrics.nonInsertEvents, 'dealreg-ledger-guard'),
        forged: guardMetric(ledgerGuardMetrics.unauthenticatedEntries, 'dealreg-ledger-guard'),
        undigested: guardMetric(ledgerGuardMetrics.unauthenticatedEntries, 'dealreg-ledger-digest'),
      },
      period: Duration.minutes(1),
    });
    this.tamperingAlarm = new Alarm(this, 'TamperingAlarm', {
      alarmDescription:
        'An attribution ledger entry was modified or removed, or an entry without a valid MAC was inserted (forged, copied or fabricated)',
      metric: this.tamperingMetric,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.tamperingAlarm.addAlarmAction(new SnsAction(props.alarmTopic));

    const digestInterval = props.digestInterval ?? Duration.hours(24);
    this.digestWriter = new DealregFunction(this, 'DigestWriter', {
      entry: handlerEntry('ledger-digest.ts'),
      description: 'Dealreg ledger digest: commits every chain head to the Object Lock bucket, signed',
      serviceName: 'dealreg-ledger-digest',
      alarmTopic: props.alarmTopic,
      timeout: Duration.minutes(5),
      environment: {
        LEDGER_TABLE: this.table.tableName,
        DIGEST_BUCKET: this.digestBucket.bucketName,
        LEDGER_MAC_KEY: this.macKey.keyArn,
        DIGEST_EVERY_SECONDS: String(digestInterval.toSeconds()),
      },
    });
    this.grantRead(this.digestWriter);
    this.grantDigestWrite(this.digestWriter);
    // It checks the MACs of the entries since the last digest, and signs the new digest.
    this.grantVerifyMacs(this.digestWriter);
    this.grantGenerateMacs(this.digestWriter);
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
      schedule: ScheduleExpression.rate(digestInterval),
      target: new LambdaInvoke(this.digestWriter, {
        role: scheduleRole,
        retryAttempts: 2,
        // A digest a day late is still useful; one older than the next run is not.
        maxEventAge: Duration.hours(12),
        deadLetterQueue: this.digestWriter.deadLetters,
      }),
    });

    this.verifierRole = new Role(this, 'VerifierRole', {
      assumedBy: new AccountRootPrincipal(),
      description:
        'Dealreg: runs `dealreg ledger verify` against the deployed ledger (reads it and its digests, verifies MACs)',
    });
    this.grantRead(this.verifierRole);
    this.grantVerifyMacs(this.verifierRole);
    Grant.addToPrincipal({
      grantee: this.verifierRole,
      actions: ['s3:ListBucket'],
      resourceArns: [this.digestBucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${DIGEST_PREFIX}*`] } },
    });
    Grant.addToPrincipal({
      grantee: this.verifierRole,
      actions: ['s3:GetObject'],
      resourceArns: [this.digestBucket.arnForObjects(`${DIGEST_PREFIX}*`)],
    });
    acknowledgeWildcardResource(
      this.verifierRole,
      this.digestBucket.arnForObjects(`${DIGEST_PREFIX}*`),
      'Verify reads every digest, each a new object named by its creation time, so the role needs the digest ' +
        'prefix; it gets GetObject there and nothing else.',
    );
  }

  /**
   * What a function that appends entries needs in its environment: the table and the ledger key.
   * Pair with {@link grantAppend}.
   */
  public get writerEnvironment(): { LEDGER_TABLE: string; LEDGER_MAC_KEY: string } {
    return { LEDGER_TABLE: this.table.tableName, LEDGER_MAC_KEY: this.macKey.keyArn };
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
   * Lets `grantee` append entries: conditional PutItem and reads, never update or delete, the
   * table's key through DynamoDB only, as every other table writer holds its table's key, and
   * `kms:GenerateMac` on the ledger key (and no other use of it).
   */
  public grantAppend(grantee: IGrantable): Grant {
    const key = tableKeysThroughDynamoDb(this, [this.table as ITableV2]);
    if (key !== undefined) grantee.grantPrincipal.addToPrincipalPolicy(key);
    this.grantGenerateMacs(grantee);
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

  /** Lets `grantee` make MACs with the ledger key: what only the ledger's writers may do. */
  public grantGenerateMacs(grantee: IGrantable): Grant {
    return Grant.addToPrincipal({
      grantee,
      actions: ['kms:GenerateMac'],
      resourceArns: [this.macKey.keyArn],
    });
  }

  /** Lets `grantee` check MACs with the ledger key, and nothing else with it. */
  public grantVerifyMacs(grantee: IGrantable): Grant {
    return Grant.addToPrincipal({
      grantee,
      actions: ['kms:VerifyMac'],
      resourceArns: [this.macKey.keyArn],
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
