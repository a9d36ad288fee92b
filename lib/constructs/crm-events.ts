import { CfnOutput } from 'aws-cdk-lib';
import { LambdaIntegration, type RestApi } from 'aws-cdk-lib/aws-apigateway';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { AttributionLedger } from './attribution-ledger.ts';
import { DealregFunction, type DealregLogLevel, handlerEntry } from './dealreg-function.ts';
import { grantSecretValues } from './grants.ts';
import { type HubSpotShare, hubSpotBudget, hubSpotShareEnvironment } from './hubspot-budget.ts';
import { acknowledgeNoApiAuthorizer } from './nag-acknowledgements.ts';

/** Raised when the CRM-events capability is configured with a value it cannot use. */
export class CrmEventsConfigurationError extends Error {
  override readonly name = 'CrmEventsConfigurationError';
}

export interface CrmEventsProps {
  /** The ledger the events are appended to (insert and read only). */
  readonly ledger: AttributionLedger;
  /** The REST API HubSpot already calls (the intake's); the route is `POST /hubspot/crm-events`. */
  readonly api: RestApi;
  /** HubSpot app client secret: the key of the v3 signatures. */
  readonly hubspotClientSecret: ISecret;
  /** HubSpot access token (the app's static token or a service key): deals, their companies and association labels are read with it. */
  readonly hubspotAccessToken: ISecret;
  readonly alarmTopic: ITopic;
  /**
   * USD per unit of each deal currency other than USD, as decimal strings (`{EUR: '1.08'}`).
   * @default - none: amounts in other currencies are reported as not recorded
   */
  readonly usdRates?: Readonly<Record<string, string>> | undefined;
  /**
   * Currency of deals without `deal_currency_code` (the portal's company currency).
   * @default 'USD'
   */
  readonly defaultCurrency?: string;
  /**
   * This function's share of the portal's HubSpot budget: its containers (reserved concurrency)
   * and each one's requests per 10 s and searches per second.
   * @default hubSpotBudget.crmEvents
   */
  readonly hubspotShare?: HubSpotShare;
  /** @default 'INFO' */
  readonly logLevel?: DealregLogLevel;
  /**
   * The handler module.
   * @default functions/handlers/crm-events.ts
   */
  readonly entry?: string;
}

/**
 * CRM events (DESIGN §3.5): `POST /hubspot/crm-events` on the intake's API, the target of the
 * HubSpot app's Webhooks API subscriptions, and the function that verifies each batch and appends
 * its deal changes to the attribution ledger. The function may insert ledger entries and read the
 * ledger (never update or delete), read the two HubSpot credentials — nothing else.
 */
export class CrmEvents extends Construct {
  public readonly function: DealregFunction;
  /** The URL to configure as the HubSpot app's webhook target. */
  public readonly webhookUrl: string;

  constructor(scope: Construct, id: string, props: CrmEventsProps) {
    super(scope, id);
    for (const [currency, rate] of Object.entries(props.usdRates ?? {})) {
      if (
        !/^[A-Z]{3}$/.test(currency) ||
        !/^(0|[1-9]\d{0,8})(\.\d{1,12})?$/.test(rate) ||
        Number(rate) <= 0
      ) {
        throw new CrmEventsConfigurationError(
          `usdRates must map ISO 4217 codes to positive decimal strings; got ${currency}: ${JSON.stringify(rate)}`,
        );
      }
    }
    if (props.defaultCurrency !== undefined && !/^[A-Z]{3}$/.test(props.defaultCurrency)) {
      throw new CrmEventsConfigurationError(
        `defaultCurrency must be an ISO 4217 code such as USD; got ${JSON.stringify(props.defaultCurrency)}`,
      );
    }

    const share = props.hubspotShare ?? hubSpotBudget.crmEvents;
    this.function = new DealregFunction(this, 'CrmEvents', {
      // HubSpot redelivers a batch that was refused while every container was busy.
      reservedConcurrentExecutions: share.containers,
      entry: props.entry ?? handlerEntry('crm-events.ts'),
      description: 'Dealreg CRM events: HubSpot deal changes into the attribution ledger',
      serviceName: 'dealreg-crm-events',
      alarmTopic: props.alarmTopic,
      logLevel: props.logLevel ?? 'INFO',
      environment: {
        ...props.ledger.writerEnvironment,
        HUBSPOT_CLIENT_SECRET_ARN: props.hubspotClientSecret.secretArn,
        HUBSPOT_ACCESS_TOKEN_ARN: props.hubspotAccessToken.secretArn,
        ...hubSpotShareEnvironment(share),
        ...(props.defaultCurrency ? { CRM_EVENTS_DEFAULT_CURRENCY: props.defaultCurrency } : {}),
        ...(props.usdRates ? { CRM_EVENTS_USD_RATES: JSON.stringify(props.usdRates) } : {}),
      },
    });
    props.ledger.grantAppend(this.function);
    grantSecretValues(this.function, [props.hubspotClientSecret, props.hubspotAccessToken]);

    const hubspot = props.api.root.getResource('hubspot') ?? props.api.root.addResource('hubspot');
    const crmEvents = hubspot.addResource('crm-events');
    // Proxy integration: the signature covers the raw body and the exact URL.
    const post = crmEvents.addMethod('POST', new LambdaIntegration(this.function));
    acknowledgeNoApiAuthorizer(
      post,
      'HubSpot Webhooks API subscriptions cannot carry IAM, Cognito or API-key credentials; every batch is ' +
        'authenticated by its signature v3 (HMAC-SHA256 with the app client secret, timestamp within 5 minutes), ' +
        'checked in the function before the ledger or HubSpot is touched.',
    );
    this.webhookUrl = props.api.urlForPath(crmEvents.path);

    new CfnOutput(this, 'WebhookUrl', {
      description:
        'Target URL of the HubSpot app webhook subscriptions (deal creation, property and association changes)',
      value: this.webhookUrl,
    });
  }
}
