import { Client } from '@hubspot/api-client';
import { HubSpotConfigurationError } from './errors.ts';
import { HubSpotGateway, type RateLimits, type RetryPolicy } from './request-gateway.ts';

export interface HubSpotConnectionSettings {
  readonly accessToken: string;
  /** The sandbox's URL locally; HubSpot's API otherwise. @default 'https://api.hubapi.com' */
  readonly basePath?: string;
  /** The budget of *this process*; with N concurrent processes give each limit ÷ N. */
  readonly limits?: Partial<RateLimits>;
  readonly retry?: Partial<RetryPolicy>;
  readonly sleep?: (ms: number) => Promise<void>;
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
 * limiter off (the gateway does both, see `request-gateway.ts`), and production code uses
 * {@link sharedHubSpotConnection}: one connection per process, so one limiter holds the whole
 * process under the portal's rate limit.
 */
export function createHubSpotConnection(settings: HubSpotConnectionSettings): HubSpotConnection {
  if (settings.accessToken.trim() === '') {
    throw new HubSpotConfigurationError('a HubSpot access token is required (HUBSPOT_ACCESS_TOKEN)');
  }
  const basePath = (settings.basePath ?? 'https://api.hubapi.com').replace(/\/+$/, '');
  const client = new Client({ accessToken: settings.accessToken, basePath, numberOfApiCallRetries: 0 });
  const gateway = new HubSpotGateway({
    ...(settings.limits ? { limits: settings.limits } : {}),
    ...(settings.retry ? { retry: settings.retry } : {}),
    ...(settings.sleep ? { sleep: settings.sleep } : {}),
  });
  return { client, gateway, basePath };
}

let shared: { readonly key: string; readonly connection: HubSpotConnection } | undefined;

/**
 * The process's one connection. Asking again with the same token and base path returns it;
 * asking for another portal is refused rather than silently sharing or splitting the limiter.
 */
export function sharedHubSpotConnection(settings: HubSpotConnectionSettings): HubSpotConnection {
  const key = `${settings.basePath ?? ''}\n${settings.accessToken}`;
  if (shared === undefined) {
    shared = { key, connection: createHubSpotConnection(settings) };
  } else if (shared.key !== key) {
    throw new HubSpotConfigurationError(
      'this process already holds a HubSpot connection to another portal; build one connection per process',
    );
  }
  return shared.connection;
}
