import { createHubSpotCrmClient, type HubSpotCrmClient } from './crm-client.ts';
import { HubSpotConfigurationError } from './errors.ts';
import { HubSpotGateway, type RateLimits, type RetryPolicy } from './request-gateway.ts';

export interface HubSpotConnectionSettings {
  readonly accessToken: string;
  /** The sandbox's URL locally; HubSpot's API otherwise. @default 'https://api.hubapi.com' */
  readonly basePath?: string | undefined;
  /** The budget of *this process*; with N concurrent processes give each limit ÷ N. */
  readonly limits?: Partial<RateLimits> | undefined;
  readonly retry?: Partial<RetryPolicy> | undefined;
  readonly sleep?: ((ms: number) => Promise<void>) | undefined;
}

/** A HubSpot client and the gateway every call through it must pass. */
export interface HubSpotConnection {
  readonly client: HubSpotCrmClient;
  readonly gateway: HubSpotGateway;
  readonly basePath: string;
}

/**
 * Builds a client and its gateway. The client carries neither retries nor a limiter: the gateway
 * does both (see `request-gateway.ts`). It is our CRM client over the library's generated APIs
 * (`crm-client.ts`), which never touches the library's process-wide `ApiDecoratorService`, where
 * each `new Client()` replaces the retry and Bottleneck settings of every API object created
 * afterwards. Production code uses {@link sharedHubSpotConnection}: one connection per portal per
 * process, so one limiter holds the whole process under the portal's rate limit.
 */
export function createHubSpotConnection(settings: HubSpotConnectionSettings): HubSpotConnection {
  if (settings.accessToken.trim() === '') {
    throw new HubSpotConfigurationError('a HubSpot access token is required (HUBSPOT_ACCESS_TOKEN)');
  }
  const basePath = (settings.basePath ?? 'https://api.hubapi.com').replace(/\/+$/, '');
  const client = createHubSpotCrmClient({
    accessToken: settings.accessToken,
    basePath,
    numberOfApiCallRetries: 0,
  });
  const gateway = new HubSpotGateway({
    limits: settings.limits,
    retry: settings.retry,
    sleep: settings.sleep,
  });
  return { client, gateway, basePath };
}

const shared = new Map<string, HubSpotConnection>();

/**
 * The process's connection to a portal: asking again with the same token and base path returns
 * the same client and limiter (the first caller's limits apply), so every part of the process
 * shares one budget per portal. Another portal (another token or base path) gets its own.
 */
export function sharedHubSpotConnection(settings: HubSpotConnectionSettings): HubSpotConnection {
  const key = `${(settings.basePath ?? '').replace(/\/+$/, '')}\n${settings.accessToken}`;
  let connection = shared.get(key);
  if (connection === undefined) {
    connection = createHubSpotConnection(settings);
    shared.set(key, connection);
  }
  return connection;
}
