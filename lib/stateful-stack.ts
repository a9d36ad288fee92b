import { Aws, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { statefulOutputKeys } from '#domain/deployment.ts';
import { createDigestBucket, createLedgerMacKey } from './constructs/attribution-ledger.ts';
import { DealregTable } from './constructs/dealreg-table.ts';
import { createReportsBucket, reportsBucketName } from './constructs/pre-qbr-check.ts';
import {
  allTables,
  approvalsTable,
  ledgerTable,
  registrationsTable,
  sweeperStateTable,
} from './tables/index.ts';

export interface StatefulStackProps extends StackProps {
  /** Deployment stage (`prod`, `staging`, …); part of the secret's name. */
  readonly stage: string;
}

/**
 * The digest bucket's name: `dealreg-{stage}-digest-{account}-{region}` (the account and region
 * resolve in whichever stack uses the name, unless given).
 */
export function ledgerDigestBucketName(
  stage: string,
  account: string = Aws.ACCOUNT_ID,
  region: string = Aws.REGION,
): string {
  return `dealreg-${stage}-digest-${account}-${region}`;
}

/** Raised when a stack asks for a table the definitions do not describe. */
export class UnknownTableError extends Error {
  constructor(logicalName: string) {
    super(`No table named "${logicalName}" is defined in lib/tables/index.ts`);
    this.name = 'UnknownTableError';
  }
}

/**
 * Everything that holds data and must outlive a redeploy of the code: the tables, the keys
 * that encrypt them, and the secrets. Every resource here is retained when the stack is
 * deleted.
 */
export class StatefulStack extends Stack {
  /** Customer-managed key encrypting every table. */
  public readonly dataKey: Key;
  /** Customer-managed key encrypting the alarm topic; CloudWatch alarms may use it to publish. */
  public readonly alarmsKey: Key;
  /** Every table of `lib/tables/index.ts`, by logical name. */
  public readonly tables: ReadonlyMap<string, DealregTable>;
  /** Registrations: the intake inbox and the registration records. */
  public readonly registrationsTable: DealregTable;
  /** SweeperState: where the submission backfill stands per HubSpot form. */
  public readonly sweeperStateTable: DealregTable;
  /** Ledger: the attribution ledger's entries, insert-only (its guards live in `AttributionLedger`). */
  public readonly ledgerTable: DealregTable;
  /** Where the ledger digests are kept, write-once (Object Lock, compliance mode). */
  public readonly ledgerDigestBucket: Bucket;
  /** The ledger key (KMS HMAC): the MAC on every ledger entry and digest. */
  public readonly ledgerMacKey: Key;
  /** Its name, built from the stage, account and region, so other stacks import it without an export. */
  public readonly ledgerDigestBucketName: string;
  /** Pre-QBR reports, frozen quarter snapshots and the working files of large runs (named by `reportsBucketName`). */
  public readonly reportsBucket: Bucket;
  /** Client secret of the HubSpot app; signs the webhooks HubSpot sends. */
  public readonly hubspotClientSecret: Secret;
  /** HubSpot access token (the app's static token or a Service Key); the backfill reads the Forms API with it. */
  public readonly hubspotAccessToken: Secret;
  /** Approvals: approval tasks and their page views. */
  public readonly approvalsTable: DealregTable;
  /** Signs the emailed approval and extension links and the pages' nonces (HMAC-SHA256). */
  public readonly approvalSigningKey: Secret;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);

    this.dataKey = new Key(this, 'DataKey', {
      description: 'Dealreg: encrypts deal registrations and the attribution ledger',
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.alarmsKey = new Key(this, 'AlarmsKey', {
      description: 'Dealreg: encrypts the alarm notification topic',
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CloudWatch cannot publish to a topic encrypted with the AWS-managed SNS key.
    this.alarmsKey.grant(
      new ServicePrincipal('cloudwatch.amazonaws.com'),
      'kms:Decrypt',
      'kms:GenerateDataKey',
    );

    const tables = new Map<string, DealregTable>();
    for (const definition of allTables) {
      tables.set(
        definition.logicalName,
        new DealregTable(this, definition.logicalName, { definition, encryptionKey: this.dataKey }),
      );
    }
    this.tables = tables;
    this.registrationsTable = this.table(registrationsTable.logicalName);
    this.sweeperStateTable = this.table(sweeperStateTable.logicalName);
    this.ledgerTable = this.table(ledgerTable.logicalName);
    this.approvalsTable = this.table(approvalsTable.logicalName);
    this.ledgerDigestBucketName = ledgerDigestBucketName(props.stage);
    this.ledgerDigestBucket = createDigestBucket(this, 'LedgerDigestBucket', {
      bucketName: this.ledgerDigestBucketName,
    });
    this.ledgerMacKey = createLedgerMacKey(this, 'LedgerMacKey', {
      alias: `dealreg/${props.stage}/ledger-mac`,
    });
    new CfnOutput(this, 'LedgerMacKeyArn', {
      description: 'The ledger key: set LEDGER_MAC_KEY to it for dealreg ledger verify',
      value: this.ledgerMacKey.keyArn,
    });
    new CfnOutput(this, 'LedgerTableName', {
      description: 'The attribution ledger: set LEDGER_TABLE to it for dealreg ledger verify',
      value: this.ledgerTable.tableName,
    });
    new CfnOutput(this, 'LedgerDigestBucketName', {
      description: "The ledger's signed digests: set LEDGER_DIGEST_BUCKET to it for dealreg ledger verify",
      value: this.ledgerDigestBucket.bucketName,
    });
    this.reportsBucket = createReportsBucket(this, 'ReportsBucket', {
      bucketName: reportsBucketName(props.stage),
    });

    this.hubspotClientSecret = this.#hubSpotCredential('HubSpotClientSecret', {
      secretName: `dealreg/${props.stage}/hubspot-client-secret`,
      description:
        'Client secret of the Dealreg HubSpot app (HubSpot: Development > Projects > dealreg > Dealreg > Auth); ' +
        'it signs the webhooks. Created with a random placeholder: replace it with put-secret-value before ' +
        'HubSpot sends webhooks.',
      rotation:
        "HubSpot issues this client secret and rotates it on the app's Auth tab; AWS cannot rotate it. " +
        'After a rotation in HubSpot the new value is put here.',
      outputKey: statefulOutputKeys.hubspotClientSecretName,
      outputDescription: 'Put the HubSpot app client secret here (aws secretsmanager put-secret-value)',
    });
    this.hubspotAccessToken = this.#hubSpotCredential('HubSpotAccessToken', {
      secretName: `dealreg/${props.stage}/hubspot-access-token`,
      description:
        "Token of Dealreg's HubSpot REST calls: the Dealreg app's static access token (its Auth tab) or a " +
        'Service Key (Development > Keys > Service keys) with the scopes dealreg hubspot setup prints. Created ' +
        'with a random placeholder: replace it with put-secret-value, or the submission backfill fails (and ' +
        'alarms) on every run.',
      rotation:
        "HubSpot issues the app's static token or the Service Key and rotates it in the portal; Secrets " +
        'Manager has no rotation function for it. After a rotation the new token is put here.',
      outputKey: statefulOutputKeys.hubspotAccessTokenName,
      outputDescription:
        'Put the HubSpot access token (app static token or Service Key) here (aws secretsmanager put-secret-value)',
    });

    this.approvalSigningKey = new Secret(this, 'ApprovalSigningKey', {
      secretName: `dealreg/${props.stage}/approval-signing-key`,
      description:
        'Key of the HMAC-SHA256 signatures on approval and extension links and page nonces, generated at ' +
        'deployment. To rotate, put {"current": "<new key>", "previous": "<old key>"}: links already emailed ' +
        'keep working until they expire; drop "previous" after the longest SLA.',
      // 96 letters and digits: about 570 random bits, well over the 48 bytes asked of the key.
      generateSecretString: { passwordLength: 96, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.approvalSigningKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'An automatic rotation would invalidate links approvers and partners already hold mid-SLA; the key ' +
        'is rotated by putting {"current", "previous"}, which the functions accept, and removing the previous ' +
        'key after the links signed with it expired.',
    });
  }

  /**
   * A credential HubSpot issues: created with a random placeholder that the operator replaces
   * (its name is an output), retained, and rotated in HubSpot rather than by Secrets Manager.
   */
  #hubSpotCredential(
    id: string,
    options: {
      secretName: string;
      description: string;
      rotation: string;
      outputKey: string;
      outputDescription: string;
    },
  ): Secret {
    const secret = new Secret(this, id, {
      secretName: options.secretName,
      description: options.description,
      generateSecretString: { passwordLength: 32, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(secret).acknowledge({ id: 'AwsSolutions-SMG4', reason: options.rotation });
    new CfnOutput(this, options.outputKey, {
      description: options.outputDescription,
      value: options.secretName,
    });
    return secret;
  }

  /** The table with this logical name; throws if `lib/tables` defines none. */
  public table(logicalName: string): DealregTable {
    const table = this.tables.get(logicalName);
    if (!table) throw new UnknownTableError(logicalName);
    return table;
  }
}
