/**
 * What the pre-QBR Lambdas share: the policy baked in at deploy time, AWS clients built once per
 * container, and the HubSpot connection on first use (its token read from Secrets Manager).
 */
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { S3Client } from '@aws-sdk/client-s3';
import { sharedHubSpotConnection } from '#adapters/hubspot/connection.ts';
import { HubSpotAdapter } from '#adapters/hubspot/hubspot-adapter.ts';
import { type LoadedPolicy, loadPolicy } from '#domain/policy/load-policy.ts';
import type { DealDirectory } from '#ports/hubspot.ts';
import { ConfigurationError } from './configuration.ts';

export const s3 = new S3Client({});

/** The policy of this deployment (`DEALREG_POLICY`, validated when the stack was synthesised). */
export function policyFrom(text: string): LoadedPolicy {
  try {
    return loadPolicy(text);
  } catch (cause) {
    throw new ConfigurationError(`DEALREG_POLICY: ${(cause as Error).message}`, { cause });
  }
}

export interface HubSpotSettings {
  readonly HUBSPOT_ACCESS_TOKEN_ARN: string;
  readonly HUBSPOT_PORTAL_ID: number;
  readonly HUBSPOT_BASE_URL?: string | undefined;
  readonly HUBSPOT_REQUESTS_PER_WINDOW?: number | undefined;
}

/** HubSpot's deals, connecting on the first read (a failed connection is tried again next time). */
export function hubSpotDeals(settings: HubSpotSettings): Pick<DealDirectory, 'batchReadDeals'> {
  let adapter: Promise<HubSpotAdapter> | undefined;
  const connect = (): Promise<HubSpotAdapter> => {
    adapter ??= getSecret<string>(settings.HUBSPOT_ACCESS_TOKEN_ARN, { maxAge: 300 })
      .then((token) => {
        if (typeof token !== 'string' || token.trim() === '') {
          throw new ConfigurationError(
            `the HubSpot access token ${settings.HUBSPOT_ACCESS_TOKEN_ARN} is empty`,
          );
        }
        return new HubSpotAdapter(
          sharedHubSpotConnection({
            accessToken: token,
            ...(settings.HUBSPOT_BASE_URL === undefined ? {} : { basePath: settings.HUBSPOT_BASE_URL }),
            ...(settings.HUBSPOT_REQUESTS_PER_WINDOW === undefined
              ? {}
              : { limits: { requestsPerWindow: settings.HUBSPOT_REQUESTS_PER_WINDOW } }),
          }),
          { portalId: settings.HUBSPOT_PORTAL_ID },
        );
      })
      .catch((error: unknown) => {
        adapter = undefined;
        throw error;
      });
    return adapter;
  };
  return { batchReadDeals: async (ids, properties) => (await connect()).batchReadDeals(ids, properties) };
}
