import { CfnOutput, Duration, Stack, Token } from 'aws-cdk-lib';
import { CfnStage, LambdaIntegration, type RestApi } from 'aws-cdk-lib/aws-apigateway';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { loadPolicy } from '#domain/policy/load-policy.ts';
import { bakedPolicy } from './baked-policy.ts';
import { grantAwsReferrals } from './co-sell-grants.ts';
import { DealregFunction, type DealregLogLevel, handlerEntry } from './dealreg-function.ts';
import { grantSecretValues, grantTableAccess, registrationsByCustomer } from './grants.ts';
import { hubSpotBudget, hubSpotShareEnvironment } from './hubspot-budget.ts';
import { acknowledgeNoApiAuthorizer } from './nag-acknowledgements.ts';

/** Raised when the approvals capability is configured with a value it cannot use. */
export class ApprovalsConfigurationError extends Error {
  override readonly name = 'ApprovalsConfigurationError';
}

export interface ApprovalsProps {
  /** The REST API the pages are served on (the intake's). */
  readonly api: RestApi;
  /** Approval tasks and their page views: read, put view items, update decisions. */
  readonly approvalsTable: ITableV2;
  /** Registrations: read, and the conditional update that records an extension request. */
  readonly registrationsTable: ITableV2;
  /** The secret approval and extension links and page nonces are signed with. */
  readonly signingKey: ISecret;
  readonly alarmTopic: ITopic;
  /**
   * The registration workflow whose callback tasks the pages resume (`states:SendTaskSuccess`).
   * When the workflow is built after this construct (it needs `apiBaseUrl` and `signingKey`),
   * leave this out and call `allowResuming` with it; synth fails if neither was done.
   * @default - none: call `allowResuming`
   */
  readonly registrationWorkflow?: IStateMachine | undefined;
  /**
   * IANA time zone the extension page shows dates in (the business calendar's).
   * @default 'UTC'
   */
  readonly calendarTimeZone?: string | undefined;
  /** @default 'INFO' */
  readonly logLevel?: DealregLogLevel;
  /**
   * The approval pages' handler module.
   * @default functions/handlers/approvals.ts
   */
  readonly approvalsEntry?: string;
  /**
   * The extension request page's handler module.
   * @default functions/handlers/extension-requests.ts
   */
  readonly extensionRequestsEntry?: string;
  /**
   * The AWS referral page (co-sell on): `GET|POST /aws-referrals/{invitationId}`.
   * @default - no referral page
   */
  readonly awsReferrals?: AwsReferralPageProps | undefined;
}

/** What the AWS referral page needs: the policy (co-sell on) and the HubSpot portal it checks conflicts in. */
export interface AwsReferralPageProps {
  /** The validated policy, as JSON text, with `coSell.enabled`; baked into the function's bundle. */
  readonly policyText: string;
  /** HubSpot access token (the app's static token or a service key): the conflict check reads the customer's deals and activity. */
  readonly hubspotAccessToken: ISecret;
  /** The HubSpot portal (hub) id. */
  readonly hubspotPortalId: number;
  /**
   * USD per unit of each deal currency other than USD, for the open deals' amounts.
   * @default - none
   */
  readonly usdRates?: Readonly<Record<string, string>> | undefined;
  /**
   * The referral page's handler module.
   * @default functions/handlers/aws-referrals.ts
   */
  readonly entry?: string;
}

/**
 * Approvals (DESIGN §3.3) and the partner's extension request (§3.2 step 7) on the intake's
 * REST API: `GET|POST /approvals/{approvalId}` and
 * `GET|POST /registrations/{registrationId}/extension` with the partner's read-only
 * `GET /registrations/{registrationId}/status`, each kind proxied to its own function. The
 * approvals function may read and write approval items; the partner pages' function may read
 * registrations and update them (conditionally, in code); both may read the signing key and
 * resume the registration workflow's callback tasks — nothing else.
 *
 * With `awsReferrals` (co-sell on), `GET|POST /aws-referrals/{invitationId}` is the channel
 * manager's AWS referral page, on a function of its own that may read the signing key and the
 * HubSpot token, read registrations by customer (the conflict check), and read, accept and reject
 * the policy's catalog's referrals in Partner Central — nothing else, and no workflow.
 */
export class Approvals extends Construct {
  public readonly approvalsFunction: DealregFunction;
  public readonly extensionRequestsFunction: DealregFunction;
  /** The AWS referral page's function; only with `awsReferrals`. */
  public readonly awsReferralsFunction: DealregFunction | undefined;
  /** The signing key, for the workflow functions that sign the emailed links (`APPROVAL_SIGNING_KEY_SECRET_ARN`). */
  public readonly signingKey: ISecret;
  /**
   * The API's base URL with a trailing slash (`APPROVALS_API_URL`), built from the API id and the
   * literal stage name rather than the stage resource, so the workflow's functions can carry it
   * without a dependency cycle through the API deployment.
   */
  public readonly apiBaseUrl: string;
  #resumable: IStateMachine | undefined;

  constructor(scope: Construct, id: string, props: ApprovalsProps) {
    super(scope, id);
    const timeZone = props.calendarTimeZone ?? 'UTC';
    if (!Token.isUnresolved(timeZone) && !isTimeZone(timeZone)) {
      throw new ApprovalsConfigurationError(
        `calendarTimeZone must be an IANA time zone such as Europe/Berlin; got ${JSON.stringify(timeZone)}`,
      );
    }
    this.signingKey = props.signingKey;
    this.apiBaseUrl = baseUrlOf(props.api);

    this.approvalsFunction = new DealregFunction(this, 'ApprovalPages', {
      entry: props.approvalsEntry ?? handlerEntry('approvals.ts'),
      description: 'Dealreg approvals: confirmation pages and decisions',
      serviceName: 'dealreg-approvals',
      alarmTopic: props.alarmTopic,
      logLevel: props.logLevel ?? 'INFO',
      environment: {
        APPROVALS_TABLE: props.approvalsTable.tableName,
        APPROVAL_SIGNING_KEY_SECRET_ARN: props.signingKey.secretArn,
      },
    });
    this.extensionRequestsFunction = new DealregFunction(this, 'ExtensionRequests', {
      entry: props.extensionRequestsEntry ?? handlerEntry('extension-requests.ts'),
      description: 'Dealreg extension requests: the partner asks for the one extension',
      serviceName: 'dealreg-extension-requests',
      alarmTopic: props.alarmTopic,
      logLevel: props.logLevel ?? 'INFO',
      environment: {
        REGISTRATIONS_TABLE: props.registrationsTable.tableName,
        APPROVAL_SIGNING_KEY_SECRET_ARN: props.signingKey.secretArn,
        CALENDAR_TIME_ZONE: timeZone,
      },
    });

    // Item reads and writes only: no query, scan, batch or delete.
    grantTableAccess(this.approvalsFunction, [
      {
        table: props.approvalsTable,
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      },
    ]);
    grantTableAccess(this.extensionRequestsFunction, [
      { table: props.registrationsTable, actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'] },
    ]);
    for (const fn of this.functions()) grantSecretValues(fn, [props.signingKey]);
    this.awsReferralsFunction =
      props.awsReferrals === undefined ? undefined : this.createAwsReferralPage(props, props.awsReferrals);
    if (props.registrationWorkflow !== undefined) this.allowResuming(props.registrationWorkflow);
    this.node.addValidation({
      validate: () =>
        this.#resumable === undefined
          ? [
              'Approvals: no registration workflow to resume; pass registrationWorkflow or call allowResuming()',
            ]
          : [],
    });

    this.addRoutes(props.api);
    new CfnOutput(this, 'ApiBaseUrl', {
      description: 'Base URL of the approval and extension request pages (APPROVALS_API_URL)',
      value: this.apiBaseUrl,
    });
  }

  /**
   * Lets both functions end the registration workflow's callback tasks with
   * `states:SendTaskSuccess` — on that state machine only, and no other task action.
   */
  public allowResuming(stateMachine: IStateMachine): void {
    if (this.#resumable !== undefined) {
      throw new ApprovalsConfigurationError('Approvals: the registration workflow to resume was already set');
    }
    this.#resumable = stateMachine;
    for (const fn of this.functions()) {
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: ['states:SendTaskSuccess'],
          resources: [stateMachine.stateMachineArn],
        }),
      );
    }
  }

  private createAwsReferralPage(props: ApprovalsProps, referrals: AwsReferralPageProps): DealregFunction {
    const { coSell } = loadPolicy(referrals.policyText).policy;
    if (!coSell.enabled) {
      throw new ApprovalsConfigurationError(
        'Approvals: the AWS referral page needs co-sell on (policy coSell.enabled); leave awsReferrals out otherwise',
      );
    }
    const policyInCode = bakedPolicy(referrals.policyText);
    const share = hubSpotBudget.awsReferralPages;
    const fn = new DealregFunction(this, 'AwsReferralPages', {
      entry: referrals.entry ?? handlerEntry('aws-referrals.ts'),
      description: 'Dealreg AWS referrals: the review page, accept or reject in Partner Central',
      serviceName: 'dealreg-aws-referrals',
      alarmTopic: props.alarmTopic,
      logLevel: props.logLevel ?? 'INFO',
      // Within API Gateway's 29-second integration limit; the conflict check waits for its HubSpot share.
      timeout: Duration.seconds(25),
      // The portal's HubSpot budget is shared by capping the containers (hubspot-budget.ts).
      reservedConcurrentExecutions: share.containers,
      environment: {
        ...policyInCode.environment,
        ...hubSpotShareEnvironment(share),
        REGISTRATIONS_TABLE: props.registrationsTable.tableName,
        HUBSPOT_ACCESS_TOKEN_ARN: referrals.hubspotAccessToken.secretArn,
        HUBSPOT_PORTAL_ID: String(referrals.hubspotPortalId),
        APPROVAL_SIGNING_KEY_SECRET_ARN: props.signingKey.secretArn,
        ...(referrals.usdRates ? { USD_RATES: JSON.stringify(referrals.usdRates) } : {}),
      },
      define: policyInCode.define,
    });
    // The conflict check: registrations of the customer's domain (the index), the progress items of
    // those the index shows alone in batches, older ones read whole.
    grantTableAccess(fn, [
      {
        table: props.registrationsTable,
        actions: registrationsByCustomer,
        indexes: ['byCustomerReceipt'],
      },
    ]);
    grantSecretValues(fn, [props.signingKey, referrals.hubspotAccessToken]);
    grantAwsReferrals(fn, coSell.catalog, 'answer');
    return fn;
  }

  private functions(): DealregFunction[] {
    return [this.approvalsFunction, this.extensionRequestsFunction];
  }

  private addRoutes(api: RestApi): void {
    const approvals = (api.root.getResource('approvals') ?? api.root.addResource('approvals')).addResource(
      '{approvalId}',
    );
    const registrations = api.root.getResource('registrations') ?? api.root.addResource('registrations');
    const registration =
      registrations.getResource('{registrationId}') ?? registrations.addResource('{registrationId}');
    const extension = registration.addResource('extension');
    const status = registration.addResource('status');
    // Proxy integrations: the functions render every answer, errors included, as a page.
    const approvalsIntegration = new LambdaIntegration(this.approvalsFunction);
    const extensionIntegration = new LambdaIntegration(this.extensionRequestsFunction);
    approvals.addMethod('GET', approvalsIntegration);
    approvals.addMethod('POST', approvalsIntegration);
    extension.addMethod('GET', extensionIntegration);
    extension.addMethod('POST', extensionIntegration);
    // The partner's read-only status page is served by the same function: same items, same key.
    status.addMethod('GET', extensionIntegration);
    // The GET and POST of each page are one decision, acknowledged on the page's resource.
    acknowledgeNoApiAuthorizer(
      approvals,
      'Approvers open these pages from links in email, without AWS credentials; each request is authorised ' +
        'by the HMAC-signed link token bound to the approval id, the approver, the step and an expiry, and a ' +
        'decision (POST) also needs the signed per-page nonce, all checked in the function before any read.',
    );
    acknowledgeNoApiAuthorizer(
      extension,
      'Partners open this page from the expiry warning email, without AWS credentials; each request is ' +
        'authorised by the HMAC-signed token bound to the registration, the partner email and the offer expiry, ' +
        'and a request (POST) also needs the signed per-page nonce, all checked in the function first.',
    );
    if (this.awsReferralsFunction !== undefined) {
      const referral = (
        api.root.getResource('aws-referrals') ?? api.root.addResource('aws-referrals')
      ).addResource('{invitationId}');
      const referralIntegration = new LambdaIntegration(this.awsReferralsFunction);
      referral.addMethod('GET', referralIntegration);
      referral.addMethod('POST', referralIntegration);
      acknowledgeNoApiAuthorizer(
        referral,
        'Channel managers open this page from the referral review email, without AWS credentials; each request is ' +
          'authorised by the HMAC-signed link token bound to the invitation id, the reviewer and an expiry, and an ' +
          'answer (POST) also needs the signed per-page nonce, all checked in the function before Partner Central is called.',
      );
    }
    acknowledgeNoApiAuthorizer(
      status,
      'Partners open this read-only page from the emails about their registration, without AWS credentials; ' +
        'each request is authorised by the HMAC-signed token bound to the registration, the partner email and ' +
        'an expiry, checked in the function before the registration is shown.',
    );
  }
}

/** The API's stage URL from its id and the stage's literal name (no reference to the stage resource). */
function baseUrlOf(api: RestApi): string {
  const stage = api.deploymentStage.node.defaultChild;
  const stageName = stage instanceof CfnStage ? stage.stageName : undefined;
  if (stageName === undefined || Token.isUnresolved(stageName)) {
    throw new ApprovalsConfigurationError('Approvals: the API stage needs a literal stage name');
  }
  const stack = Stack.of(api);
  return `https://${api.restApiId}.execute-api.${stack.region}.${stack.urlSuffix}/${stageName}/`;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
