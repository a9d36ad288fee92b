import { Client } from '@hubspot/api-client';
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
  readonly client: Client;
  readonly gateway: HubSpotGateway;
  readonly basePath: string;
}

/**
 * Builds a client and its gateway. `@hubspot/api-client` keeps its retry and Bottleneck limiter
 * settings in a process-wide singleton (`ApiDecoratorService`): each `new Client()` replaces them
 * for every API object created afterwards, so two clients built with different settings silently
 * reconfigure each other. We therefore build every client with the client's own retries and
 * limiter off (the gateway does both, see `request-gateway.ts`) — so clients cannot reconfigure
 * each other — and production code uses {@link sharedHubSpotConnection}: one connection per
 * portal per process, so one limiter holds the whole process under the portal's rate limit.
 */
export function createHubSpotConnection(settings: HubSpotConnectionSettings): HubSpotConnection {
  if (settings.accessToken.trim() === '') {
    throw new HubSpotConfigurationError('a HubSpot access token is required (HUBSPOT_ACCESS_TOKEN)');
  }
  const basePath = (settings.basePath ?? 'https://api.hubapi.com').replace(/\/+$/, '');
  const client = new Client({ accessToken: settings.accessToken, basePath, numberOfApiCallRetries: 0 });
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
