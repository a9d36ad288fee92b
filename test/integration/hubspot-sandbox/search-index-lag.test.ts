import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_SEARCH_INDEX_LAG_MS,
  type RunningHubSpotSandbox,
  startHubSpotSandbox,
} from '#local/hubspot-sandbox/index.ts';
import { sandboxAdmin } from '#test/integration/hubspot/sandbox.ts';
import { call } from './sandbox-fixture.ts';

// HubSpot's CRM search reads an index updated asynchronously: a write reaches search a while
// after it is made, while reads by id see it at once. Where a test needs "not yet searchable" it
// uses a lag far longer than the test (a minute), so the answer does not depend on how fast the
// machine is; "searchable" is reached by the admin "index now" or by polling, never by sleeping.
const longLagMs = 60_000;

let sandbox: RunningHubSpotSandbox | undefined;

afterEach(async () => {
  await sandbox?.stop();
  sandbox = undefined;
});

async function start(searchIndexLagMs?: number): Promise<RunningHubSpotSandbox> {
  sandbox = await startHubSpotSandbox({
    rateLimit: false,
    ...(searchIndexLagMs === undefined ? {} : { searchIndexLagMs }),
    seed: {
      companies: [{ id: '501', properties: { name: 'Seeded Co', domain: 'seeded.example' } }],
      properties: {
        companies: [
          {
            name: 'customer_key',
            label: 'Customer key',
            type: 'string',
            fieldType: 'text',
            groupName: 'companyinformation',
            hasUniqueValue: true,
          },
        ],
      },
    },
  });
  return sandbox;
}

async function searchByDomain(
  running: RunningHubSpotSandbox,
  domain: string,
): Promise<{ id: string; properties: Record<string, string | null> }[]> {
  const response = await call(running, 'POST', '/crm/v3/objects/companies/search', {
    filterGroups: [{ filters: [{ propertyName: 'domain', operator: 'EQ', value: domain }] }],
    properties: ['name', 'domain'],
  });
  expect(response.status).toBe(200);
  return (response.body as { results: { id: string; properties: Record<string, string | null> }[] }).results;
}

async function create(running: RunningHubSpotSandbox, properties: Record<string, string>): Promise<string> {
  const response = await call(running, 'POST', '/crm/v3/objects/companies', { properties });
  expect(response.status).toBe(201);
  return (response.body as { id: string }).id;
}

describe('HubSpot sandbox: the CRM search index lags writes', () => {
  it('is on by default, and seeded records are searchable at once', async () => {
    const running = await start();

    const settings = await sandboxAdmin(running.url, '/_sandbox/search-index');

    expect(settings).toEqual({ lagMs: DEFAULT_SEARCH_INDEX_LAG_MS, pending: 0 });
    expect(DEFAULT_SEARCH_INDEX_LAG_MS).toBeGreaterThan(0);
    expect((await searchByDomain(running, 'seeded.example')).map((company) => company.id)).toEqual(['501']);
  });

  it('does not find a new record by search until it is indexed, while reads by id and by unique property find it at once', async () => {
    const running = await start(longLagMs);

    const id = await create(running, { name: 'Fresh Co', domain: 'fresh.example', customer_key: 'fresh' });

    expect(await searchByDomain(running, 'fresh.example')).toEqual([]);
    expect((await call(running, 'GET', `/crm/v3/objects/companies/${id}`)).status).toBe(200);
    const byKey = await call(running, 'GET', '/crm/v3/objects/companies/fresh?idProperty=customer_key');
    expect((byKey.body as { id: string }).id).toBe(id);
    const batch = await call(running, 'POST', '/crm/v3/objects/companies/batch/read', {
      inputs: [{ id }],
      properties: ['name'],
    });
    expect((batch.body as { results: { id: string }[] }).results.map((result) => result.id)).toEqual([id]);
    expect(await sandboxAdmin(running.url, '/_sandbox/search-index')).toEqual({
      lagMs: longLagMs,
      pending: 1,
    });

    const refreshed = await sandboxAdmin(running.url, '/_sandbox/search-index/refresh', { method: 'POST' });

    expect(refreshed).toEqual({ indexed: 1, lagMs: longLagMs, pending: 0 });
    expect((await searchByDomain(running, 'fresh.example')).map((company) => company.id)).toEqual([id]);
  });

  it('finds an updated record by its old values, with its old values, until the update is indexed; an archived one too', async () => {
    const running = await start(longLagMs);
    const id = await create(running, { name: 'Before Co', domain: 'before.example' });
    await sandboxAdmin(running.url, '/_sandbox/search-index/refresh', { method: 'POST' });

    const patched = await call(running, 'PATCH', `/crm/v3/objects/companies/${id}`, {
      properties: { name: 'After Co', domain: 'after.example' },
    });

    expect(patched.status).toBe(200);
    expect(await searchByDomain(running, 'after.example')).toEqual([]);
    const stale = await searchByDomain(running, 'before.example');
    expect(stale.map((company) => [company.id, company.properties.name])).toEqual([[id, 'Before Co']]);
    const read = await call(running, 'GET', `/crm/v3/objects/companies/${id}?properties=name`);
    expect((read.body as { properties: { name: string } }).properties.name).toBe('After Co');

    await sandboxAdmin(running.url, '/_sandbox/search-index/refresh', { method: 'POST' });
    expect(await searchByDomain(running, 'before.example')).toEqual([]);
    expect(
      (await searchByDomain(running, 'after.example')).map((company) => company.properties.name),
    ).toEqual(['After Co']);

    expect((await call(running, 'DELETE', `/crm/v3/objects/companies/${id}`)).status).toBe(204);
    expect((await call(running, 'GET', `/crm/v3/objects/companies/${id}`)).status).toBe(404);
    expect((await searchByDomain(running, 'after.example')).map((company) => company.id)).toEqual([id]);
    await sandboxAdmin(running.url, '/_sandbox/search-index/refresh', { method: 'POST' });
    expect(await searchByDomain(running, 'after.example')).toEqual([]);
  });

  it('indexes a write once the lag has passed, as a polling client sees it', async () => {
    const running = await start(200);
    const id = await create(running, { name: 'Polled Co', domain: 'polled.example' });
    const started = performance.now();

    let found: string[] = [];
    let attempts = 0;
    while (found.length === 0 && performance.now() - started < 30_000) {
      attempts++;
      found = (await searchByDomain(running, 'polled.example')).map((company) => company.id);
      if (found.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    }

    console.log(
      `search found the record ${Math.round(performance.now() - started)} ms after its create (lag 200 ms), on search ${attempts}`,
    );
    expect(found).toEqual([id]);
  });

  it('takes a new lag through the admin route and 0 turns the lag off; a bad one is refused', async () => {
    const running = await start(longLagMs);

    expect(
      await sandboxAdmin(running.url, '/_sandbox/search-index', { method: 'PUT', body: { lagMs: 0 } }),
    ).toEqual({ lagMs: 0, pending: 0 });
    const id = await create(running, { name: 'Instant Co', domain: 'instant.example' });
    expect((await searchByDomain(running, 'instant.example')).map((company) => company.id)).toEqual([id]);

    await expect(
      sandboxAdmin(running.url, '/_sandbox/search-index', { method: 'PUT', body: { lagMs: -5 } }),
    ).rejects.toThrow(/lagMs must be a number of milliseconds ≥ 0; got -5/);
    await expect(startHubSpotSandbox({ searchIndexLagMs: Number.NaN })).rejects.toThrow(
      /searchIndexLagMs must be a number of milliseconds ≥ 0/,
    );
  });
});
