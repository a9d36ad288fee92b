import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessTokenInfoPath, HubSpotAccessTokenInfo } from '#adapters/hubspot/access-token-info.ts';
import { requiredHubSpotScopes } from '#domain/hubspot-scopes.ts';
import { type RunningHubSpotSandbox, startHubSpotSandbox } from '#local/hubspot-sandbox/index.ts';

const portalId = 7654321;
let complete: RunningHubSpotSandbox;
let withoutForms: RunningHubSpotSandbox;

beforeAll(async () => {
  [complete, withoutForms] = await Promise.all([
    startHubSpotSandbox({ portalId, rateLimit: false }),
    startHubSpotSandbox({
      portalId,
      rateLimit: false,
      tokenScopes: requiredHubSpotScopes.filter((scope) => scope !== 'forms'),
    }),
  ]);
});

afterAll(async () => {
  await Promise.all([complete?.stop(), withoutForms?.stop()]);
});

describe('the access token information HubSpot gives', () => {
  it('names the portal and every scope of a valid token', async () => {
    const inspector = new HubSpotAccessTokenInfo({ basePath: complete.url });

    const facts = await inspector.inspect(complete.accessToken);

    expect(facts).toEqual({ kind: 'valid', hubId: portalId, scopes: [...requiredHubSpotScopes] });
  });

  it('lists only the scopes the token holds', async () => {
    const inspector = new HubSpotAccessTokenInfo({ basePath: withoutForms.url });

    const facts = await inspector.inspect(withoutForms.accessToken);

    expect(facts.kind).toBe('valid');
    expect(facts.kind === 'valid' && facts.scopes).not.toContain('forms');
  });

  it('reports a token HubSpot does not know as refused, with its status and message', async () => {
    const inspector = new HubSpotAccessTokenInfo({ basePath: complete.url });

    const facts = await inspector.inspect('pat-na1-00000000-0000-0000-0000-000000000000');

    expect(facts).toMatchObject({
      kind: 'refused',
      status: 401,
      message: expect.stringContaining('not valid'),
    });
  });

  it('reports a service it cannot reach as unreachable', async () => {
    const inspector = new HubSpotAccessTokenInfo({ basePath: 'http://127.0.0.1:9' });

    const facts = await inspector.inspect(complete.accessToken);

    expect(facts.kind).toBe('unreachable');
  });
});

describe('the sandbox token information endpoint', () => {
  it('answers 400 without a tokenKey', async () => {
    const response = await fetch(`${complete.url}${accessTokenInfoPath}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR' });
  });
});
