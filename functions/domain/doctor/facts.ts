/**
 * What `dealreg doctor` learns about a deployed stage, as plain data: the port
 * (`#ports/deployed-stage.ts`) gathers it from AWS and HubSpot, the checks judge it.
 */

/** A CloudFormation stack, or its absence. */
export type StackFacts =
  | { readonly found: false; readonly name: string }
  | {
      readonly found: true;
      readonly name: string;
      /** CloudFormation's stack status, such as `UPDATE_COMPLETE` or `UPDATE_ROLLBACK_COMPLETE`. */
      readonly status: string;
      readonly statusReason?: string | undefined;
      readonly createdAt: Date;
      /** Output key → value. */
      readonly outputs: Readonly<Record<string, string>>;
    };

/** A Secrets Manager secret's current value and how many versions carry a staging label. */
export type SecretFacts =
  | { readonly state: 'missing'; readonly name: string }
  | { readonly state: 'unreadable'; readonly name: string; readonly reason: string }
  | {
      readonly state: 'read';
      readonly name: string;
      readonly value: string;
      /**
       * Versions with a staging label: 1 while the secret still holds the value generated at
       * deployment (a `put-secret-value` adds AWSCURRENT and keeps the old one as AWSPREVIOUS).
       */
      readonly labelledVersions: number;
    };

/** One SES identity (an address or a domain) as SES v2 describes it. */
export type EmailIdentityFacts =
  | { readonly identity: string; readonly found: false }
  | {
      readonly identity: string;
      readonly found: true;
      readonly verifiedForSending: boolean;
      /** `PENDING`, `SUCCESS`, `FAILED`, `TEMPORARY_FAILURE` or `NOT_STARTED`. */
      readonly verificationStatus?: string | undefined;
    };

/**
 * The sender address and the identities that can make it sendable: the address itself, or its
 * domain or a parent domain (a verified domain covers its subdomains,
 * https://docs.aws.amazon.com/ses/latest/dg/creating-identities.html).
 */
export interface SenderFacts {
  readonly address: string;
  readonly byAddress: EmailIdentityFacts;
  /** The address's domain first, then each parent domain. */
  readonly byDomain: readonly EmailIdentityFacts[];
}

/** The account's SES sending status in the region. */
export interface SesAccountFacts {
  /** False while the account is in the SES sandbox. */
  readonly productionAccessEnabled: boolean;
  readonly sendingEnabled: boolean;
}

/** The region's API Gateway account settings. */
export interface ApiGatewayAccountFacts {
  readonly cloudwatchRoleArn?: string | undefined;
}

/** The subscriptions of the alarm topic. */
export interface AlarmSubscriptionFacts {
  readonly topicArn: string;
  readonly subscriptions: readonly {
    readonly protocol: string;
    readonly endpoint: string;
    /** `PendingConfirmation` until the recipient confirms. */
    readonly subscriptionArn: string;
  }[];
}

/** One minute of a function's invocations and errors (CloudWatch `AWS/Lambda` metrics). */
export interface FunctionMinute {
  readonly at: Date;
  readonly invocations: number;
  readonly errors: number;
}

/** A function's activity over a look-back window, minute by minute (minutes without calls left out). */
export interface FunctionActivityFacts {
  readonly functionName: string;
  readonly since: Date;
  readonly until: Date;
  readonly minutes: readonly FunctionMinute[];
}

/** What HubSpot says of an access token. */
export type HubSpotTokenFacts =
  | { readonly kind: 'valid'; readonly hubId: number; readonly scopes: readonly string[] }
  | { readonly kind: 'refused'; readonly status: number; readonly message: string }
  | { readonly kind: 'unreachable'; readonly message: string };
