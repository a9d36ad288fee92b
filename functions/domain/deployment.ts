/**
 * What a deployed stage is called and what its stacks publish: the CDK app names its stacks and
 * outputs with these, and `dealreg doctor` finds a stage's resources by them.
 */

/** The two stacks of a stage. */
export function dealregStackNames(stage: string): { readonly stateful: string; readonly stateless: string } {
  return { stateful: `Dealreg-${stage}-Stateful`, stateless: `Dealreg-${stage}-Stateless` };
}

/** Outputs of the stateful stack (tables, keys, secrets) that name what the operator sets by hand. */
export const statefulOutputKeys = {
  /** Secrets Manager name of the HubSpot app client secret. */
  hubspotClientSecretName: 'HubSpotClientSecretName',
  /** Secrets Manager name of the HubSpot access token. */
  hubspotAccessTokenName: 'HubSpotAccessTokenName',
} as const;

/** Outputs of the stateless stack (functions, API, workflows) that a health check needs. */
export const statelessOutputKeys = {
  /** The topic every alarm notifies. */
  alarmTopicArn: 'AlarmTopicArn',
  /** The sender address of Dealreg's emails (an SES identity, or an address of one). */
  mailFrom: 'MailFrom',
  /** The HubSpot portal (hub) id the stage was deployed for. */
  hubspotPortalId: 'HubSpotPortalId',
  /** The function the backfill schedule invokes. */
  backfillFunctionName: 'BackfillFunctionName',
  /** The function the daily ledger digest rule invokes. */
  ledgerDigestFunctionName: 'LedgerDigestFunctionName',
} as const;

/**
 * Output of the stateless stack holding the API's base URL, which the HubSpot app's webhook
 * target and permitted fetch URL start with (`dealreg hubspot project`). Not a health check's:
 * a stack deployed before it existed still works, and the command falls back to another output.
 */
export const apiUrlOutputKey = 'ApiUrl';

/** A stage name as `-c dealreg:stage=…` accepts it: lower-case letters, digits and dashes. */
export const stageNamePattern = /^[a-z][a-z0-9-]{0,19}$/;
