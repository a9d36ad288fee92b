import { type HubSpotConnection, sharedHubSpotConnection } from '#adapters/hubspot/connection.ts';
import { positiveWholeNumberSetting, requiredSetting, wholeNumberSetting } from './configuration.ts';
import { secretText } from './secrets.ts';

/** The settings a function connects to HubSpot with, for `readEnvironment`. */
export const hubSpotConnectionSettings = {
  HUBSPOT_ACCESS_TOKEN_ARN: requiredSetting,
  /** Another API base (a sandbox); HubSpot's API when absent. */
  HUBSPOT_BASE_URL: requiredSetting.optional(),
  /** This process's share of the portal's rate limit; the gateway's default when absent. */
  HUBSPOT_REQUESTS_PER_WINDOW: positiveWholeNumberSetting.optional(),
  /** This process's share of the portal's search limit, in whole searches per second (0: it never searches). */
  HUBSPOT_SEARCHES_PER_SECOND: wholeNumberSetting.optional(),
};

/** {@link hubSpotConnectionSettings} and the portal (hub) id, which the CRM adapter needs. */
export const hubSpotPortalSettings = {
  ...hubSpotConnectionSettings,
  HUBSPOT_PORTAL_ID: positiveWholeNumberSetting,
};

/**
 * The process's connection to the HubSpot portal, its access token read from Secrets Manager.
 * Entry files await it at cold start: a failed read fails the start, and Lambda starts the
 * function afresh on its next invocation.
 */
export async function connectToHubSpot(settings: {
  readonly HUBSPOT_ACCESS_TOKEN_ARN: string;
  readonly HUBSPOT_BASE_URL?: string | undefined;
  readonly HUBSPOT_REQUESTS_PER_WINDOW?: number | undefined;
  readonly HUBSPOT_SEARCHES_PER_SECOND?: number | undefined;
}): Promise<HubSpotConnection> {
  return sharedHubSpotConnection({
    accessToken: await secretText(settings.HUBSPOT_ACCESS_TOKEN_ARN, 'HubSpot access token'),
    basePath: settings.HUBSPOT_BASE_URL,
    limits: {
      ...(settings.HUBSPOT_REQUESTS_PER_WINDOW === undefined
        ? {}
        : { requestsPerWindow: settings.HUBSPOT_REQUESTS_PER_WINDOW }),
      ...(settings.HUBSPOT_SEARCHES_PER_SECOND === undefined
        ? {}
        : { searchPerSecond: settings.HUBSPOT_SEARCHES_PER_SECOND }),
    },
  });
}
