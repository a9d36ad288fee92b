import { describe, expect, it } from 'vitest';
import { createHubSpotConnection, sharedHubSpotConnection } from '#adapters/hubspot/connection.ts';
import { HubSpotConfigurationError } from '#adapters/hubspot/errors.ts';

describe('HubSpot connections', () => {
  it('shares one client and limiter per portal within the process', () => {
    const first = sharedHubSpotConnection({ accessToken: 'pat-one', basePath: 'http://127.0.0.1:1/' });
    const again = sharedHubSpotConnection({ accessToken: 'pat-one', basePath: 'http://127.0.0.1:1' });
    const other = sharedHubSpotConnection({ accessToken: 'pat-two', basePath: 'http://127.0.0.1:1' });

    expect(again).toBe(first);
    expect(again.gateway).toBe(first.gateway);
    expect(other).not.toBe(first);
  });

  it('builds the client with its own retries and limiter off, leaving both to the gateway', () => {
    const connection = createHubSpotConnection({ accessToken: 'pat-x', limits: { requestsPerWindow: 42 } });

    expect(connection.basePath).toBe('https://api.hubapi.com');
    expect(connection.gateway.limits.requestsPerWindow).toBe(42);
    expect(connection.client.config.numberOfApiCallRetries).toBe(0);
    expect(connection.client.config.limiterOptions).toBeUndefined();
  });

  it('refuses an empty token, naming the setting', () => {
    expect(() => createHubSpotConnection({ accessToken: ' ' })).toThrow(HubSpotConfigurationError);
    expect(() => createHubSpotConnection({ accessToken: '' })).toThrow(/HUBSPOT_ACCESS_TOKEN/);
  });
});
