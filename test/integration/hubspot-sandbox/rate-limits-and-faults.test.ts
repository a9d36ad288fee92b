import { afterEach, describe, expect, it } from 'vitest';
import { type RunningHubSpotSandbox, startHubSpotSandbox } from '#local/hubspot-sandbox/index.ts';
import { call, clientFor } from './sandbox-fixture.ts';

let sandbox: RunningHubSpotSandbox | undefined;

afterEach(async () => {
  await sandbox?.stop();
  sandbox = undefined;
});

async function start(
  rateLimit: { requestsPerWindow: number; windowMs: number; searchPerSecond: number } | false,
) {
  sandbox = await startHubSpotSandbox({ rateLimit });
  return sandbox;
}

describe('HubSpot sandbox: rate limits', () => {
  it('sends X-HubSpot-RateLimit headers on every response, counting down', async () => {
    const running = await start({ requestsPerWindow: 190, windowMs: 10_000, searchPerSecond: 5 });
    const first = await call(running, 'GET', '/crm/v3/objects/deals');
    const second = await call(running, 'GET', '/crm/v3/objects/deals/1');
    expect(first.headers.get('x-hubspot-ratelimit-max')).toBe('190');
    expect(first.headers.get('x-hubspot-ratelimit-interval-milliseconds')).toBe('10000');
    expect(first.headers.get('x-hubspot-ratelimit-remaining')).toBe('189');
    expect(second.status).toBe(404);
    expect(second.headers.get('x-hubspot-ratelimit-remaining')).toBe('188');
    expect(Number(second.headers.get('x-hubspot-ratelimit-daily'))).toBeGreaterThan(0);
    expect(Number(second.headers.get('x-hubspot-ratelimit-daily-remaining'))).toBe(
      Number(second.headers.get('x-hubspot-ratelimit-daily')) - 2,
    );
  });

  it('answers 429 with policyName TEN_SECONDLY_ROLLING once the rolling window is full, then recovers', async () => {
    const running = await start({ requestsPerWindow: 5, windowMs: 600, searchPerSecond: 5 });
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++)
      statuses.push((await call(running, 'GET', '/crm/v3/objects/companies')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    const limited = await call(running, 'GET', '/crm/v3/objects/companies');
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({
      status: 'error',
      errorType: 'RATE_LIMIT',
      policyName: 'TEN_SECONDLY_ROLLING',
    });
    expect(limited.headers.get('x-hubspot-ratelimit-remaining')).toBe('0');
    await new Promise((resolve) => setTimeout(resolve, 650));
    expect((await call(running, 'GET', '/crm/v3/objects/companies')).status).toBe(200);
    const stats = await call(running, 'GET', '/_sandbox/stats');
    expect(stats.body).toMatchObject({
      rateLimited: 3,
      tooManyRequests: 3,
      rateLimitedByPolicy: { TEN_SECONDLY_ROLLING: 3 },
    });
  });

  it('limits search to its own per-second budget with policyName SECONDLY', async () => {
    const running = await start({ requestsPerWindow: 190, windowMs: 10_000, searchPerSecond: 2 });
    const search = () => call(running, 'POST', '/crm/v3/objects/deals/search', { filterGroups: [] });
    expect((await search()).status).toBe(200);
    expect((await search()).status).toBe(200);
    const limited = await search();
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({
      policyName: 'SECONDLY',
      message: 'You have reached your secondly limit.',
    });
    // Other calls still pass: the search budget is separate.
    expect((await call(running, 'GET', '/crm/v3/objects/deals')).status).toBe(200);
  });

  it('surfaces the DAILY policy when the daily budget is spent', async () => {
    const running = await start({ requestsPerWindow: 190, windowMs: 10_000, searchPerSecond: 5 });
    await call(running, 'PUT', '/_sandbox/rate-limit', { daily: 2 });
    await call(running, 'GET', '/crm/v3/owners');
    await call(running, 'GET', '/crm/v3/owners');
    const limited = await call(running, 'GET', '/crm/v3/owners');
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ policyName: 'DAILY' });
    expect(limited.headers.get('x-hubspot-ratelimit-daily-remaining')).toBe('0');
  });

  it('lets a client pacing itself under the limit through without a single 429', async () => {
    const running = await start({ requestsPerWindow: 10, windowMs: 500, searchPerSecond: 5 });
    const client = clientFor(running);
    for (let i = 0; i < 20; i++) {
      await client.crm.deals.basicApi.getPage(1);
      await new Promise((resolve) => setTimeout(resolve, 70));
    }
    const stats = await call(running, 'GET', '/_sandbox/stats');
    expect(stats.body).toMatchObject({ apiRequests: 20, rateLimited: 0 });
  });
});

describe('HubSpot sandbox: start-up settings', () => {
  it('refuses a rate limit that is not a positive number, naming it', async () => {
    await expect(
      startHubSpotSandbox({ rateLimit: { requestsPerWindow: 0, windowMs: 10_000, searchPerSecond: 5 } }),
    ).rejects.toThrow(/rateLimit\.requestsPerWindow/);
    await expect(
      startHubSpotSandbox({
        workflowWebhook: { url: 'http://127.0.0.1:9/hooks', clientSecret: 's', dropRate: 1.5 },
      }),
    ).rejects.toThrow(/dropRate/);
  });
});

describe('HubSpot sandbox: injected faults', () => {
  it('injects N × 429 with the requested policy, then serves normally', async () => {
    const running = await start(false);
    const added = await call(running, 'POST', '/_sandbox/faults', {
      path: '^/crm/v3/objects/deals/batch/read$',
      status: 429,
      times: 2,
    });
    expect(added.status).toBe(201);
    const read = () =>
      call(running, 'POST', '/crm/v3/objects/deals/batch/read', { inputs: [], properties: [] });
    const first = await read();
    expect(first.status).toBe(429);
    expect(first.body).toMatchObject({ errorType: 'RATE_LIMIT', policyName: 'TEN_SECONDLY_ROLLING' });
    expect((await read()).status).toBe(429);
    expect((await read()).status).toBe(200);
  });

  it('does not charge injected 429s to the rolling budget', async () => {
    const running = await start({ requestsPerWindow: 3, windowMs: 10_000, searchPerSecond: 5 });
    await call(running, 'POST', '/_sandbox/faults', { path: '/crm/v3/owners', status: 429, times: 2 });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await call(running, 'GET', '/crm/v3/owners')).status);
    expect(statuses).toEqual([429, 429, 200, 200, 200, 429]);
    const stats = await call(running, 'GET', '/_sandbox/stats');
    expect(stats.body).toMatchObject({ faultsInjected: 2, rateLimited: 1, tooManyRequests: 3 });
  });

  it('injects 5xx that the official client sees as a failed call', async () => {
    const running = await start(false);
    await call(running, 'POST', '/_sandbox/faults', {
      path: '/crm/v3/objects/companies',
      method: 'GET',
      status: 503,
    });
    const client = clientFor(running);
    await expect(client.crm.companies.basicApi.getPage()).rejects.toMatchObject({ code: 503 });
    await expect(client.crm.companies.basicApi.getPage()).resolves.toMatchObject({ results: [] });
    const stats = await call(running, 'GET', '/_sandbox/stats');
    expect(stats.body).toMatchObject({ faultsInjected: 1 });
  });

  it('injects latency before answering', async () => {
    const running = await start(false);
    await call(running, 'POST', '/_sandbox/faults', { path: '/crm/v3/pipelines', latencyMs: 300 });
    const started = performance.now();
    const response = await call(running, 'GET', '/crm/v3/pipelines/deals');
    expect(response.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('refuses a fault without a usable path or effect with 400', async () => {
    const running = await start(false);
    expect((await call(running, 'POST', '/_sandbox/faults', { path: '(', status: 500 })).status).toBe(400);
    expect((await call(running, 'POST', '/_sandbox/faults', { path: '/crm', status: 404 })).status).toBe(400);
    expect((await call(running, 'POST', '/_sandbox/faults', { path: '/crm' })).status).toBe(400);
    expect((await call(running, 'GET', '/_sandbox/faults')).body).toEqual({ results: [] });
  });
});
