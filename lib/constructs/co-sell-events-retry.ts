/**
 * The events rule's retry policy for the co-sell events function ("Event retry policy and using
 * dead-letter queues", Amazon EventBridge user guide: by default 24 hours and 185 retries, then
 * the dead-letter queue): 8 retries within 6 hours, then its dead-letter queue. `dealreg local`
 * retries the stand-in's events the same way.
 */
export const coSellEventsRetryPolicy = { retryAttempts: 8, maxEventAgeMs: 6 * 60 * 60 * 1000 } as const;
