import { requiredSetting } from './configuration.ts';

/** Environment settings the pre-QBR Lambdas read, each checked at cold start. */
export const qbrSettings = {
  DEALREG_POLICY: requiredSetting,
  REPORTS_BUCKET: requiredSetting,
  LEDGER_TABLE: requiredSetting,
  REGISTRATIONS_TABLE: requiredSetting,
  LEDGER_DIGEST_BUCKET: requiredSetting,
  MAIL_FROM: requiredSetting,
  HUBSPOT_ACCESS_TOKEN_ARN: requiredSetting,
  HUBSPOT_PORTAL_ID: requiredSetting.regex(/^\d+$/, 'must be the numeric portal id').transform(Number),
  HUBSPOT_BASE_URL: requiredSetting.optional(),
  HUBSPOT_REQUESTS_PER_WINDOW: requiredSetting
    .regex(/^[1-9]\d*$/, 'must be a positive whole number')
    .transform(Number)
    .optional(),
} as const;
