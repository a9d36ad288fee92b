import type {
  AlarmSubscriptionFacts,
  ApiGatewayAccountFacts,
  EmailIdentityFacts,
  FunctionActivityFacts,
  HubSpotTokenFacts,
  SecretFacts,
  SesAccountFacts,
  StackFacts,
} from '#domain/doctor/facts.ts';

/**
 * The facts `dealreg doctor` gathers about a deployed stage, from the account and region the
 * caller's AWS credentials point at. "Not there" is a fact (a stack or identity not found); a
 * refusal or an unreachable service is thrown, and the doctor reports the check as not checkable.
 */
export interface DeployedStage {
  /** The stack by name; `found: false` when it does not exist. */
  stack(name: string): Promise<StackFacts>;
  /** The secret's current value and how often it was replaced; `unreadable` when access is denied. */
  secret(name: string): Promise<SecretFacts>;
  /** An SES identity (an address or a domain); `found: false` when SES does not know it. */
  emailIdentity(identity: string): Promise<EmailIdentityFacts>;
  sesAccount(): Promise<SesAccountFacts>;
  apiGatewayAccount(): Promise<ApiGatewayAccountFacts>;
  alarmSubscriptions(topicArn: string): Promise<AlarmSubscriptionFacts>;
  /** Invocations and errors of a function per minute, between `since` and `until`. */
  functionActivity(
    functionName: string,
    window: { since: Date; until: Date },
  ): Promise<FunctionActivityFacts>;
}

/** Asks HubSpot what an access token is: valid, for which portal, with which scopes. */
export interface HubSpotTokenInspector {
  inspect(accessToken: string): Promise<HubSpotTokenFacts>;
}
