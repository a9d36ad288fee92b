import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningHubSpotSandbox, startHubSpotSandbox } from '#local/hubspot-sandbox/index.ts';
import { call, clientFor } from './sandbox-fixture.ts';

let sandbox: RunningHubSpotSandbox;
const ids: Record<string, string> = {};

interface SearchBody {
  total: number;
  results: { id: string; properties: Record<string, string | null> }[];
  paging?: { next: { after: string } };
}

async function names(
  filters: Record<string, unknown>[],
  extra: Record<string, unknown> = {},
): Promise<string[]> {
  const response = await call(sandbox, 'POST', '/crm/v3/objects/deals/search', {
    filterGroups: [{ filters }],
    properties: ['dealname'],
    limit: 200,
    ...extra,
  });
  expect(response.status).toBe(200);
  return (response.body as SearchBody).results.map((deal) => deal.properties.dealname ?? '').sort();
}

beforeAll(async () => {
  sandbox = await startHubSpotSandbox({
    rateLimit: false,
    seed: {
      companies: [
        { id: '500', properties: { name: 'Partner Co', domain: 'partner.example', type: 'PARTNER' } },
        { id: '501', properties: { name: 'Customer Co', domain: 'customer.example' } },
      ],
      deals: [
        {
          id: '601',
          properties: {
            dealname: 'Alpha Cloud Migration',
            amount: '100',
            closedate: '2026-01-15',
            dealstage: 'closedwon',
          },
        },
        {
          id: '602',
          properties: {
            dealname: 'Beta Data Platform',
            amount: '250',
            closedate: '2026-03-01',
            dealstage: 'qualifiedtobuy',
          },
        },
        {
          id: '603',
          properties: {
            dealname: 'Gamma cloud analytics',
            amount: '1000',
            closedate: '2026-06-30',
            dealstage: 'closedlost',
          },
        },
        { id: '604', properties: { dealname: 'Delta without amount', dealstage: 'appointmentscheduled' } },
      ],
      associations: [
        { from: { type: 'deals', id: '601' }, to: { type: 'companies', id: '500' } },
        { from: { type: 'deals', id: '603' }, to: { type: 'companies', id: '500' } },
        { from: { type: 'deals', id: '602' }, to: { type: 'companies', id: '501' } },
      ],
    },
  });
  Object.assign(ids, { partner: '500', customer: '501' });
});

afterAll(async () => {
  await sandbox.stop();
});

describe('HubSpot sandbox: search', () => {
  it('filters with EQ (case-insensitive), NEQ, IN and NOT_IN', async () => {
    expect(await names([{ propertyName: 'dealstage', operator: 'EQ', value: 'CLOSEDWON' }])).toEqual([
      'Alpha Cloud Migration',
    ]);
    expect(await names([{ propertyName: 'dealstage', operator: 'NEQ', value: 'closedwon' }])).toEqual([
      'Beta Data Platform',
      'Delta without amount',
      'Gamma cloud analytics',
    ]);
    expect(
      await names([{ propertyName: 'dealstage', operator: 'IN', values: ['closedwon', 'closedlost'] }]),
    ).toEqual(['Alpha Cloud Migration', 'Gamma cloud analytics']);
    expect(
      await names([{ propertyName: 'dealstage', operator: 'NOT_IN', values: ['closedwon', 'closedlost'] }]),
    ).toEqual(['Beta Data Platform', 'Delta without amount']);
  });

  it('compares numbers numerically and dates as instants with GT, GTE, LT, LTE and BETWEEN', async () => {
    expect(await names([{ propertyName: 'amount', operator: 'GT', value: '250' }])).toEqual([
      'Gamma cloud analytics',
    ]);
    expect(await names([{ propertyName: 'amount', operator: 'GTE', value: '250' }])).toEqual([
      'Beta Data Platform',
      'Gamma cloud analytics',
    ]);
    expect(await names([{ propertyName: 'amount', operator: 'LT', value: '250' }])).toEqual([
      'Alpha Cloud Migration',
    ]);
    expect(await names([{ propertyName: 'amount', operator: 'LTE', value: '250' }])).toEqual([
      'Alpha Cloud Migration',
      'Beta Data Platform',
    ]);
    const from = String(Date.parse('2026-02-01T00:00:00Z'));
    expect(
      await names([
        { propertyName: 'closedate', operator: 'BETWEEN', value: from, highValue: '2026-06-30T00:00:00Z' },
      ]),
    ).toEqual(['Beta Data Platform', 'Gamma cloud analytics']);
  });

  it('filters with HAS_PROPERTY, NOT_HAS_PROPERTY and CONTAINS_TOKEN (with wildcards)', async () => {
    expect(await names([{ propertyName: 'amount', operator: 'NOT_HAS_PROPERTY' }])).toEqual([
      'Delta without amount',
    ]);
    expect(await names([{ propertyName: 'amount', operator: 'HAS_PROPERTY' }])).toHaveLength(3);
    expect(await names([{ propertyName: 'dealname', operator: 'CONTAINS_TOKEN', value: 'cloud' }])).toEqual([
      'Alpha Cloud Migration',
      'Gamma cloud analytics',
    ]);
    expect(await names([{ propertyName: 'dealname', operator: 'CONTAINS_TOKEN', value: 'analy*' }])).toEqual([
      'Gamma cloud analytics',
    ]);
  });

  it('finds every host of a domain with a leading CONTAINS_TOKEN wildcard, as HubSpot documents for emails', async () => {
    const created = await Promise.all(
      ['us.northwind.com', 'northwind.com', 'snorthwind.com', 'northwind.com.example'].map((domain) =>
        call(sandbox, 'POST', '/crm/v3/objects/companies', { properties: { name: domain, domain } }),
      ),
    );
    expect(created.map((response) => response.status)).toEqual([201, 201, 201, 201]);
    const search = async (operator: string, value: string) => {
      let found: string[] = [];
      // Search lags writes, as HubSpot's does: ask until the new companies are indexed.
      for (let attempt = 0; attempt < 40; attempt += 1) {
        const response = await call(sandbox, 'POST', '/crm/v3/objects/companies/search', {
          filterGroups: [{ filters: [{ propertyName: 'domain', operator, value }] }],
          properties: ['domain'],
          limit: 200,
        });
        expect(response.status).toBe(200);
        found = (response.body as SearchBody).results
          .map((company) => company.properties.domain ?? '')
          .sort();
        if (found.length > 0) return found;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return found;
    };

    expect(await search('CONTAINS_TOKEN', '*.northwind.com')).toEqual(['us.northwind.com']);
    expect(await search('EQ', 'NorthWind.com')).toEqual(['northwind.com']);
  });

  it('ANDs filters in a group, ORs groups, and filters on associated company ids', async () => {
    const response = await call(sandbox, 'POST', '/crm/v3/objects/deals/search', {
      filterGroups: [
        {
          filters: [
            { propertyName: 'associations.company', operator: 'EQ', value: ids.partner },
            { propertyName: 'amount', operator: 'GT', value: '500' },
          ],
        },
        { filters: [{ propertyName: 'dealstage', operator: 'EQ', value: 'qualifiedtobuy' }] },
      ],
      properties: ['dealname'],
    });
    const body = response.body as SearchBody;
    expect(body.total).toBe(2);
    expect(body.results.map((deal) => deal.properties.dealname).sort()).toEqual([
      'Beta Data Platform',
      'Gamma cloud analytics',
    ]);
  });

  it('sorts ascending and descending, records without a value last', async () => {
    const client = clientFor(sandbox);
    const descending = await client.crm.deals.searchApi.doSearch({
      filterGroups: [],
      // The generated client types sorts as strings; HubSpot takes {propertyName, direction} objects.
      sorts: [{ propertyName: 'amount', direction: 'DESCENDING' }] as never,
      properties: ['amount'],
      limit: 10,
      after: '0',
    });
    expect(descending.results.map((deal) => deal.properties.amount)).toEqual(['1000', '250', '100', null]);
    expect(await names([], { sorts: [{ propertyName: 'closedate', direction: 'ASCENDING' }] })).toHaveLength(
      4,
    );
  });

  it('refuses more than 5 filter groups, more than 200 per page and unknown properties with 400', async () => {
    const groups = Array.from({ length: 6 }, () => ({
      filters: [{ propertyName: 'amount', operator: 'HAS_PROPERTY' }],
    }));
    const tooManyGroups = await call(sandbox, 'POST', '/crm/v3/objects/deals/search', {
      filterGroups: groups,
    });
    expect(tooManyGroups.status).toBe(400);
    expect(tooManyGroups.body).toMatchObject({ category: 'VALIDATION_ERROR' });
    expect((await call(sandbox, 'POST', '/crm/v3/objects/deals/search', { limit: 201 })).status).toBe(400);
    const unknown = await call(sandbox, 'POST', '/crm/v3/objects/deals/search', {
      filterGroups: [{ filters: [{ propertyName: 'no_such_property', operator: 'EQ', value: 'x' }] }],
    });
    expect(unknown.status).toBe(400);
  });

  it('reports the full total, pages 200 at a time and answers 400 past 10,000 results', async () => {
    const generated = await call(sandbox, 'POST', '/_sandbox/generate', {
      objectType: 'deals',
      count: 10_050,
      properties: { dealname: 'bulk {i}', amount: 7, dealstage: 'contractsent' },
    });
    expect(generated.status).toBe(200);
    const filter = {
      filterGroups: [{ filters: [{ propertyName: 'dealname', operator: 'CONTAINS_TOKEN', value: 'bulk' }] }],
    };
    const first = await call(sandbox, 'POST', '/crm/v3/objects/deals/search', { ...filter, limit: 200 });
    const firstBody = first.body as SearchBody;
    expect(firstBody.total).toBe(10_050);
    expect(firstBody.results).toHaveLength(200);
    expect(firstBody.paging?.next.after).toBe('200');

    const last = await call(sandbox, 'POST', '/crm/v3/objects/deals/search', {
      ...filter,
      limit: 200,
      after: '9800',
    });
    expect((last.body as SearchBody).results).toHaveLength(200);
    const beyond = await call(sandbox, 'POST', '/crm/v3/objects/deals/search', {
      ...filter,
      limit: 200,
      after: '10000',
    });
    expect(beyond.status).toBe(400);
    expect((beyond.body as { message: string }).message).toContain('10000');

    const client = clientFor(sandbox);
    await expect(
      client.crm.deals.searchApi.doSearch({
        ...filter,
        sorts: [],
        properties: [],
        limit: 100,
        after: '10000',
      } as never),
    ).rejects.toMatchObject({ code: 400 });
  });
});
