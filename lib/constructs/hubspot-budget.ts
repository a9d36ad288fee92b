/**
 * One HubSpot budget for the whole portal. HubSpot limits a privately distributed app such as
 * Dealreg's (or a service key) to 190 requests per rolling 10 seconds on Professional and Enterprise, and its CRM search
 * endpoints to 5 requests per second ("API usage guidelines and limits", HubSpot developer
 * documentation). Each Lambda container keeps its own limiter, so the portal's budget is shared by
 * capping each function's containers (reserved concurrency) and giving every container a fixed
 * share: containers × share, summed over every function that calls HubSpot, stays within the
 * portal's limits. A burst then queues in Step Functions retries and Lambda's throttling instead
 * of spending attempts on HubSpot 429s.
 */
export const hubSpotPortalLimits = {
  requestsPerWindow: 190,
  windowSeconds: 10,
  searchesPerSecond: 5,
} as const;

/** One function's share of the portal's budget. */
export interface HubSpotShare {
  /** Containers the function may run at once (its reserved concurrency). */
  readonly containers: number;
  /** Requests per rolling 10 s for each container. */
  readonly requestsPerWindow: number;
  /**
   * CRM search requests per second for each container, whole: HubSpot counts searches per
   * second, so two containers allowed one search every two seconds can still meet in the same
   * second. 0 for a function that never searches (a search there fails, naming the setting).
   */
  readonly searchesPerSecond: number;
}

/**
 * The portal's budget by function. The registration steps get most of it (a burst of
 * registrations is the busiest time); the pre-QBR check runs once a quarter and can take longer.
 * With co-sell off: 190 requests per 10 s and 5 searches per second; with co-sell on the AWS
 * referral review takes two of the steps' containers and the co-sell reconciliation 10 requests:
 * 190 requests and 5 searches.
 */
export const hubSpotBudget = {
  /** 4 × 25 = 100 requests per 10 s, 4 × 1 = 4 searches per second (customers and partners by domain). */
  registrationSteps: { containers: 4, requestsPerWindow: 25, searchesPerSecond: 1 },
  /**
   * With co-sell on, the AWS referral review runs the same conflict check and needs two searches
   * per second of its own: the registration steps keep 2 × 30 = 60 requests, 2 searches per second.
   */
  registrationStepsBesideAwsReferrals: { containers: 2, requestsPerWindow: 30, searchesPerSecond: 1 },
  /** Co-sell on: 1 × 10 = 10, 1 search per second; the co-sell events function checks each new AWS referral. */
  awsReferralEvents: { containers: 1, requestsPerWindow: 10, searchesPerSecond: 1 },
  /** Co-sell on: 1 × 20 = 20, 1 search per second; the referral page checks the referral again on each opening. */
  awsReferralPages: { containers: 1, requestsPerWindow: 20, searchesPerSecond: 1 },
  /** 2 × 10 = 20; reads deals and associations in batches, never searches. */
  crmEvents: { containers: 2, requestsPerWindow: 10, searchesPerSecond: 0 },
  /** 1 × 20 = 20; lists form submissions, never searches. */
  submissionBackfill: { containers: 1, requestsPerWindow: 20, searchesPerSecond: 0 },
  /** 3 × 10 = 30: the Distributed Map's batch workers read deals in batches. */
  preQbrBatches: { containers: 3, requestsPerWindow: 10, searchesPerSecond: 0 },
  /** 1 × 20 = 20, 1 search per second: the report builder. */
  preQbrReport: { containers: 1, requestsPerWindow: 20, searchesPerSecond: 1 },
  /**
   * Co-sell on: 1 × 10 = 10, never searches; the hourly co-sell reconciliation reads the customer
   * companies of registrations it shares after the workflow's step could not, by id.
   */
  coSellReconciliation: { containers: 1, requestsPerWindow: 10, searchesPerSecond: 0 },
} as const satisfies Record<string, HubSpotShare>;

/** The settings that give a function's containers their share (read by `functions/handlers/wiring/hubspot.ts`). */
export function hubSpotShareEnvironment(share: HubSpotShare): Record<string, string> {
  return {
    HUBSPOT_REQUESTS_PER_WINDOW: String(share.requestsPerWindow),
    HUBSPOT_SEARCHES_PER_SECOND: String(share.searchesPerSecond),
  };
}

/** The registration steps' share: smaller when the AWS referral review (co-sell on) shares the portal. */
export function registrationStepsShare(coSellEnabled: boolean): HubSpotShare {
  return coSellEnabled ? hubSpotBudget.registrationStepsBesideAwsReferrals : hubSpotBudget.registrationSteps;
}
