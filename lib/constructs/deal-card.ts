import { Stack } from 'aws-cdk-lib';
import { LambdaIntegration, type RestApi } from 'aws-cdk-lib/aws-apigateway';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct, type IConstruct } from 'constructs';
import { DIGEST_PREFIX } from '#domain/ledger/digest-location.ts';
import type { AttributionLedger } from './attribution-ledger.ts';
import { DealregFunction, type DealregLogLevel, handlerEntry } from './dealreg-function.ts';
import { grantSecretValues } from './grants.ts';
import { acknowledgeNoApiAuthorizer, acknowledgeWildcardResource } from './nag-acknowledgements.ts';

export interface DealCardProps {
  /** The ledger the card reads and verifies (the deal's chain, the digests, the ledger key). */
  readonly ledger: AttributionLedger;
  /** Registrations table: each registration's partner name, status, rule and SLA. */
  readonly registrationsTable: ITableV2;
  /** The REST API HubSpot already calls (the intake's); the route is `GET /hubspot/deal-card`. */
  readonly api: RestApi;
  /** HubSpot app client secret: `hubspot.fetch` signs each request with it (signature v3). */
  readonly hubspotClientSecret: ISecret;
  readonly alarmTopic: ITopic;
  /** @default 'INFO' */
  readonly logLevel?: DealregLogLevel;
  /**
   * The handler module.
   * @default functions/handlers/deal-card.ts
   */
  readonly entry?: string;
}

/**
 * The deal record's app card backend: `GET /hubspot/deal-card?dealId=…` on the intake's API, which
 * the HubSpot app card calls with `hubspot.fetch`, and the function that answers it. It reads
 * and nothing else: the deal's ledger chain (Query on the table), the digests (list and get
 * under the digest prefix), MAC checks with the ledger key (VerifyMac only), one registration at
 * a time (GetItem), and the app's client secret.
 */
export class DealCard extends Construct {
  public readonly function: DealregFunction;
  /** The URL to list in the app's `permittedUrls.fetch` (the card appends `?dealId=`). */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: DealCardProps) {
    super(scope, id);
    const { ledger } = props;
    this.function = new DealregFunction(this, 'DealCard', {
      entry: props.entry ?? handlerEntry('deal-card.ts'),
      description: "Dealreg deal card: a deal's partner attributions and ledger verification for HubSpot",
      serviceName: 'dealreg-deal-card',
      alarmTopic: props.alarmTopic,
      logLevel: props.logLevel ?? 'INFO',
      environment: {
        LEDGER_TABLE: ledger.table.tableName,
        LEDGER_MAC_KEY: ledger.macKey.keyArn,
        DIGEST_BUCKET: ledger.digestBucket.bucketName,
        REGISTRATIONS_TABLE: props.registrationsTable.tableName,
        HUBSPOT_CLIENT_SECRET_ARN: props.hubspotClientSecret.secretArn,
      },
    });
    const principal = this.function.grantPrincipal;
    // One chain is one partition: a Query on the table, never a scan or an index.
    principal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['dynamodb:Query'], resources: [ledger.table.tableArn] }),
    );
    principal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['dynamodb:GetItem'], resources: [props.registrationsTable.tableArn] }),
    );
    const keyArns = [
      ...new Set(
        [ledger.table, props.registrationsTable].flatMap((table) => table.encryptionKey?.keyArn ?? []),
      ),
    ];
    if (keyArns.length > 0) {
      const stack = Stack.of(this);
      principal.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: keyArns,
          conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${stack.region}.${stack.urlSuffix}` } },
        }),
      );
    }
    ledger.grantVerifyMacs(this.function);
    Grant.addToPrincipal({
      grantee: this.function,
      actions: ['s3:ListBucket'],
      resourceArns: [ledger.digestBucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${DIGEST_PREFIX}*`] } },
    });
    Grant.addToPrincipal({
      grantee: this.function,
      actions: ['s3:GetObject'],
      resourceArns: [ledger.digestBucket.arnForObjects(`${DIGEST_PREFIX}*`)],
    });
    acknowledgeWildcardResource(
      this.function.role as IConstruct,
      ledger.digestBucket.arnForObjects(`${DIGEST_PREFIX}*`),
      'The badge verifies the deal’s chain against every digest, each a new object named by its creation ' +
        'time, so the function needs the digest prefix; it gets GetObject there and nothing else.',
    );
    grantSecretValues(this.function, [props.hubspotClientSecret]);

    const hubspot = props.api.root.getResource('hubspot') ?? props.api.root.addResource('hubspot');
    const dealCard = hubspot.addResource('deal-card');
    // Proxy integration: the signature covers the exact URL HubSpot's proxy called.
    const get = dealCard.addMethod('GET', new LambdaIntegration(this.function));
    acknowledgeNoApiAuthorizer(
      get,
      'HubSpot app cards call this with hubspot.fetch, which can carry no IAM, Cognito or API-key credentials ' +
        '(nor any header of the card’s own); HubSpot signs each request with the app client secret (signature v3, ' +
        'timestamp within 5 minutes), checked in the function before anything is read.',
    );
    this.url = props.api.urlForPath(dealCard.path);
  }
}
