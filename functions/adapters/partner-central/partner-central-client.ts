import { PartnerCentralSellingClient } from '@aws-sdk/client-partnercentral-selling';
import * as z from 'zod';

/**
 * Where co-sell opportunities go. `Sandbox` is Partner Central's test catalog (nothing reaches
 * AWS sellers); `AWS` is production. The Selling API is served from us-east-1 only ("AWS Partner
 * Central API endpoints" in the Partner Central API reference).
 */
export const partnerCentralSettingsSchema = z.strictObject({
  catalog: z.enum(['AWS', 'Sandbox']),
  /** @default 'us-east-1' */
  region: z.string().min(1).default('us-east-1'),
  /** An endpoint override: the local Partner Central stand-in. Unset in AWS. */
  endpoint: z.url().optional(),
});
export type PartnerCentralSettings = z.infer<typeof partnerCentralSettingsSchema>;

/**
 * The SDK client for the Selling API. Retries are off here: `RetryingCalls` retries instead, so
 * it can keep a retry from sleeping past the invocation's deadline. Against the local stand-in
 * any credentials do (it does not check signatures).
 */
export function partnerCentralClient(
  settings: PartnerCentralSettings,
  credentials?: { accessKeyId: string; secretAccessKey: string },
): PartnerCentralSellingClient {
  return new PartnerCentralSellingClient({
    region: settings.region,
    maxAttempts: 1,
    ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
    ...(credentials === undefined ? {} : { credentials }),
  });
}
