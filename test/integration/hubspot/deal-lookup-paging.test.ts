import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubSpotDealLookup } from '#adapters/hubspot/hubspot-deal-lookup.ts';
import { type SandboxUnderTest, sandboxAdmin, startSandboxUnderTest } from './sandbox.ts';

// HubSpot's v4 batch read answers at most a page of associations per object (500), each object
// with its own cursor. The sandbox's page is set to 3 here, so a deal with 8 companies takes three
// pages and one with 2 takes one, in the same batch.
const pageSize = 3;
const partnerIds = ['1001', '1002', '1003', '1004', '1005', '1006', '1007'];
const customerId = '1100';
const smallCustomerId = '1101';

let hubspot: SandboxUnderTest;

beforeAll(async () => {
  hubspot = await startSandboxUnderTest({
    associationPageSize: pageSize,
    seed: {
      companies: [
        ...partnerIds.map((id) => ({
          id,
          properties: { name: `Partner ${id}`, domain: `partner-${id}.example`, type: 'PARTNER' },
        })),
        { id: customerId, properties: { name: 'Globex Corp', domain: 'globex.com', type: 'PROSPECT' } },
        { id: smallCustomerId, properties: { name: 'Initech', domain: 'initech.com', type: 'PROSPECT' } },
      ],
      deals: [
        { id: '2001', properties: { dealname: 'Globex – data platform', amount: '55000' } },
        { id: '2002', properties: { dealname: 'Initech – renewal', amount: '9000' } },
      ],
      // The customer is associated last, so it is on the deal's last page.
      associations: [
        ...[...partnerIds, customerId].map((id) => ({
          from: { type: 'deals', id: '2001' },
          to: { type: 'companies', id },
        })),
        { from: { type: 'deals', id: '2002' }, to: { type: 'companies', id: '1001' } },
        { from: { type: 'deals', id: '2002' }, to: { type: 'companies', id: smallCustomerId } },
      ],
    },
  });
});

afterAll(async () => {
  await hubspot.stop();
});

describe('HubSpot deal lookup: company associations read page after page', () => {
  it('reads every company of a deal with more associations than a page, beside a deal with fewer', async () => {
    expect(await sandboxAdmin(hubspot.sandbox.url, '/_sandbox/associations')).toEqual({ pageSize });
    await sandboxAdmin(hubspot.sandbox.url, '/_sandbox/stats', { method: 'DELETE' });
    const lookup = new HubSpotDealLookup(hubspot.connection);

    const facts = await lookup.describeDeals(['2001', '2002']);

    const big = facts.get('2001');
    expect([...(big?.companyLabels?.keys() ?? [])].sort()).toEqual([...partnerIds, customerId].sort());
    expect(big?.customer).toEqual({ domain: 'globex.com', name: 'Globex Corp' });
    const small = facts.get('2002');
    expect([...(small?.companyLabels?.keys() ?? [])].sort()).toEqual(['1001', smallCustomerId]);
    expect(small?.customer).toEqual({ domain: 'initech.com', name: 'Initech' });
    const stats = (await sandboxAdmin(hubspot.sandbox.url, '/_sandbox/stats')) as { apiRequests: number };
    console.log(
      `describeDeals for 2 deals (8 and 2 companies, ${pageSize} a page): ${stats.apiRequests} requests`,
    );
  });
});
