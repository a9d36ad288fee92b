import { Duration, Stack, Token } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Match, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { Role } from 'aws-cdk-lib/aws-iam';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { loadPolicy } from '#domain/policy/load-policy.ts';
import type { AttributionLedger } from './attribution-ledger.ts';
import { bakedPolicy } from './baked-policy.ts';
import { coSellEventsRetryPolicy } from './co-sell-events-retry.ts';
import { grantAwsReferrals, grantCoSell, partnerCentralRegion } from './co-sell-grants.ts';
import { DealregFunction, type DealregLogLevel, handlerEntry } from './dealreg-function.ts';
import { grantSecretValues, grantTableAccess, registrationsByCustomer } from './grants.ts';
import { hubSpotBudget, hubSpotShareEnvironment } from './hubspot-budget.ts';
import { acknowledgeWildcardResource } from './nag-acknowledgements.ts';
import { createSchedulerRole } from './scheduler-role.ts';
import { sendEmailAsStatement } from './ses-sender.ts';

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
  /** The AWS referral review the events function starts for each new referral. */
  readonly awsReferrals: AwsReferralReviewProps;
  /** @default 'INFO' */
  readonly logLevel?: DealregLogLevel;
}

/**
 * What the events function needs to review a new AWS referral: run the conflict check (the
 * policy, HubSpot, the registrations) and email the reviewer once a signed link to the referral
 * page (`Approvals` serves it).
 */
export interface AwsReferralReviewProps {
  /** The validated policy, as JSON text; baked into the events function's bundle. Its `coSell.catalog` is `catalog`. */
  readonly policyText: string;
  /** Approvals table: the record of each review email sent, so a redelivered event sends none. */
  readonly approvalsTable: ITableV2;
  /** The secret the referral links are signed with (the approval links' key). */
  readonly signingKey: ISecret;
  /** The API's base URL the links point into (`Approvals.apiBaseUrl`). */
  readonly apiBaseUrl: string;
  /** Sender address of the review email (an SES-verified identity, the approvals' sender). */
  readonly mailFrom: string;
  /** HubSpot access token (the app's static token or a service key): the conflict check reads the customer's deals and activity. */
  readonly hubspotAccessToken: ISecret;
  /** The HubSpot portal (hub) id. */
  readonly hubspotPortalId: number;
  /**
   * USD per unit of each deal currency other than USD, for the open deals' amounts.
   * @default - none
   */
  readonly usdRates?: Readonly<Record<string, string>> | undefined;
}

/**
 * AWS's answer to shared registrations (DESIGN: co-sell). Partner Central's opportunity and
 * engagement-invitation events on the default bus of us-east-1 go to the events function, which
 * records a change of AWS's review or stage on the deal's chain; a schedule runs the
 * reconciliation, which records what lost events did not tell. Both functions may read the
 * policy's catalog in Partner Central (no other, and no write), find registrations, and append
 * to the ledger; the reconciliation also keeps its watermark item in SweeperState.
 *
 * A new AWS referral (`Engagement Invitation Created`) is put through the conflict check and its
 * reviewer emailed a signed link to the referral page: the events function may also read the
 * catalog's referrals (not answer them), the HubSpot token and the signing key, read registrations
 * by customer, record the email it sent in the approvals table and send as the approvals' sender.
 * It calls HubSpot then, so it runs in one container with its share of the portal's budget.
 *
 * Partner Central delivers its events only in us-east-1 ("Amazon EventBridge events" in the
 * Partner Central Selling API guide), so the construct refuses any other region.
 */
/** Why co-sell cannot be deployed in `region` (undefined: not set). */
export function coSellRegionProblem(region: string | undefined): string {
  return (
    `co-sell is on (policy coSell.enabled) but the stack's region is ${region ?? 'not set'}: ` +
    `Partner Central delivers its opportunity events to EventBridge in ${partnerCentralRegion} only. ` +
    `Deploy Dealreg in ${partnerCentralRegion}, or set coSell.enabled to false in the policy.`
  );
}

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
        coSellRegionProblem(Token.isUnresolved(region) ? undefined : region),
      );
    }
    const referrals = props.awsReferrals;
    const policyCatalog = loadPolicy(referrals.policyText).policy.coSell.catalog;
    if (policyCatalog !== props.catalog) {
      throw new CoSellConfigurationError(
        `co-sell: the catalog (${props.catalog}) is not the policy's coSell.catalog (${policyCatalog})`,
      );
    }
    const environment = {
      REGISTRATIONS_TABLE: props.registrationsTable.tableName,
      ...props.ledger.writerEnvironment,
    };

    const policyInCode = bakedPolicy(referrals.policyText);
    const share = hubSpotBudget.awsReferralEvents;
    this.eventsFunction = new DealregFunction(this, 'Events', {
      entry: handlerEntry('co-sell-events.ts'),
      description:
        "Dealreg co-sell: records AWS's answer from Partner Central's events, sends AWS referrals for review",
      serviceName: 'dealreg-co-sell-events',
      alarmTopic: props.alarmTopic,
      // A referral's conflict check may wait one 10-second window for its HubSpot share, then
      // one attempt may take the gateway's 30 s before it is retried.
      timeout: Duration.seconds(60),
      // The portal's HubSpot budget is shared by capping the containers (hubspot-budget.ts);
      // Lambda keeps throttled events and retries them.
      reservedConcurrentExecutions: share.containers,
      logLevel: props.logLevel ?? 'INFO',
      environment: {
        ...environment,
        ...policyInCode.environment,
        ...hubSpotShareEnvironment(share),
        APPROVALS_TABLE: referrals.approvalsTable.tableName,
        HUBSPOT_ACCESS_TOKEN_ARN: referrals.hubspotAccessToken.secretArn,
        HUBSPOT_PORTAL_ID: String(referrals.hubspotPortalId),
        APPROVAL_SIGNING_KEY_SECRET_ARN: referrals.signingKey.secretArn,
        APPROVALS_API_URL: referrals.apiBaseUrl,
        MAIL_FROM: referrals.mailFrom,
        ...(referrals.usdRates ? { USD_RATES: JSON.stringify(referrals.usdRates) } : {}),
      },
      define: policyInCode.define,
    });
    // A referral's conflict check also reads registrations of the customer's domain (the index),
    // the progress items of those the index shows alone in batches (BatchGetItem), and older ones whole.
    this.#grant(this.eventsFunction, props, {
      actions: registrationsByCustomer,
      indexes: ['byCustomerReceipt'],
    });
    this.#grantReferralReview(this.eventsFunction, props);

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
          retryAttempts: coSellEventsRetryPolicy.retryAttempts,
          maxEventAge: Duration.seconds(coSellEventsRetryPolicy.maxEventAgeMs / 1000),
          deadLetterQueue: this.eventsFunction.deadLetters,
        }),
      ],
    });

    // It also shares what the workflow's step could not (a throttling spell past the step's
    // retries), reading each customer company from HubSpot by id within its own share.
    const reconciliationShare = hubSpotBudget.coSellReconciliation;
    this.reconciliationFunction = new DealregFunction(this, 'Reconciliation', {
      entry: handlerEntry('co-sell-reconciliation.ts'),
      description:
        "Dealreg co-sell: records the Partner Central changes events missed, shares what the workflow's step could not",
      serviceName: 'dealreg-co-sell-reconciliation',
      alarmTopic: props.alarmTopic,
      timeout: Duration.minutes(5),
      reservedConcurrentExecutions: reconciliationShare.containers,
      logLevel: props.logLevel ?? 'INFO',
      environment: {
        ...environment,
        ...policyInCode.environment,
        ...hubSpotShareEnvironment(reconciliationShare),
        SWEEPER_STATE_TABLE: props.sweeperStateTable.tableName,
        CO_SELL_CATALOG: props.catalog,
        HUBSPOT_ACCESS_TOKEN_ARN: referrals.hubspotAccessToken.secretArn,
        ...(referrals.usdRates ? { USD_RATES: JSON.stringify(referrals.usdRates) } : {}),
      },
      define: policyInCode.define,
    });
    // A changed opportunity's registration, and one its catch-up shares: its items, read by key
    // (getRegistrationItems). Sharing creates and submits ACE opportunities as the registration
    // steps do.
    this.#grant(this.reconciliationFunction, props, { actions: ['dynamodb:GetItem'] }, 'share');
    grantSecretValues(this.reconciliationFunction, [referrals.hubspotAccessToken]);
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

  #grantReferralReview(fn: DealregFunction, props: CoSellProps): void {
    const referrals = props.awsReferrals;
    // The once-only mailer: looks for the review email's record, writes it after sending.
    grantTableAccess(fn, [
      { table: referrals.approvalsTable, actions: ['dynamodb:GetItem', 'dynamodb:PutItem'] },
    ]);
    grantSecretValues(fn, [referrals.hubspotAccessToken, referrals.signingKey]);
    grantAwsReferrals(fn, props.catalog, 'review');
    fn.addToRolePolicy(
      sendEmailAsStatement(
        this,
        referrals.mailFrom,
        (message) => new CoSellConfigurationError(`co-sell: ${message}`),
      ),
    );
  }

  #grant(
    fn: DealregFunction,
    props: CoSellProps,
    registrations: { readonly actions: readonly string[]; readonly indexes?: readonly string[] },
    coSell: 'read' | 'share' = 'read',
  ): void {
    grantTableAccess(fn, [{ table: props.registrationsTable, ...registrations }]);
    props.ledger.grantAppend(fn);
    grantCoSell(fn, props.catalog, coSell);
  }
}
