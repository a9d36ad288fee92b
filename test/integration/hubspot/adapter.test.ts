import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deal } from '#ports/hubspot.ts';
import { setupHubSpotPortal } from '#use-cases/setup-hubspot-portal.ts';
import { pollUntil, recordsOf, type SandboxUnderTest, startSandboxUnderTest } from './sandbox.ts';

const formGuid = '6f1c2a7e-8b3d-4e5f-9a0b-1c2d3e4f5a6b';
const day = 24 * 60 * 60_000;
const now = Date.UTC(2026, 10, 20, 12);

const seed = {
  owners: [
    { id: '501', email: 'dana@vendor.example', firstName: 'Dana', lastName: 'Reyes' },
    { id: '502', email: 'priya@vendor.example', firstName: 'Priya', lastName: 'Nair' },
  ],
  companies: [
    { id: '1001', properties: { name: 'Cloudwise Partners', domain: 'cloudwise.io', type: 'PARTNER' } },
    { id: '1002', properties: { name: 'Globex Corporation', domain: 'globex.com', type: 'PROSPECT' } },
    { id: '1003', properties: { name: 'Globex Holdings', domain: 'globex-holdings.com', type: 'PROSPECT' } },
    { id: '1004', properties: { name: 'Cloudwise Reseller Copy', domain: 'cloudwise.io', type: 'OTHER' } },
    // Keyed into HubSpot by hand, with the web host and capitals.
    {
      id: '1005',
      properties: { name: 'Northwind Partners', domain: 'WWW.Northwind.example', type: 'PARTNER' },
    },
    { id: '1006', properties: { name: 'Initrode', domain: 'www.initrode.example', type: 'PROSPECT' } },
    { id: '1007', properties: { name: 'Initrode US', domain: 'us.initrode.example', type: 'PROSPECT' } },
    // A customer keyed under a regional host, and one that only ends the same way.
    { id: '1008', properties: { name: 'Fabrikam US', domain: 'us.fabrikam.com', type: 'PROSPECT' } },
    { id: '1009', properties: { name: 'Not Fabrikam', domain: 'notfabrikam.com', type: 'PROSPECT' } },
    {
      id: '1010',
      properties: {
        name: 'Contoso Partners',
        domain: 'eu.contoso-partners.com',
        type: 'PARTNER',
        hs_additional_domains: 'contoso.co.uk; Contoso-Group.com',
      },
    },
  ],
  contacts: [{ id: '5001', properties: { email: 'pat@cloudwise.io', firstname: 'Pat' } }],
  deals: [
    {
      id: '2001',
      properties: {
        dealname: 'Globex – data platform',
        amount: '120000',
        pipeline: 'default',
        dealstage: 'qualifiedtobuy',
        hubspot_owner_id: '501',
      },
    },
    {
      id: '2002',
      properties: {
        dealname: 'Globex – renewal',
        amount: '30000',
        pipeline: 'default',
        dealstage: 'closedwon',
        hubspot_owner_id: '501',
      },
    },
  ],
  engagements: [
    {
      id: '3001',
      type: 'meetings' as const,
      properties: { hs_timestamp: new Date(now - 10 * day).toISOString(), hubspot_owner_id: '501' },
    },
    {
      id: '3002',
      type: 'calls' as const,
      properties: { hs_timestamp: new Date(now - 90 * day).toISOString(), hubspot_owner_id: '501' },
    },
    {
      id: '3003',
      type: 'emails' as const,
      properties: { hs_timestamp: new Date(now - 5 * day).toISOString(), hubspot_owner_id: '502' },
    },
  ],
  associations: [
    { from: { type: 'companies', id: '1002' }, to: { type: 'deals', id: '2001' } },
    { from: { type: 'companies', id: '1002' }, to: { type: 'deals', id: '2002' } },
    { from: { type: 'companies', id: '1002' }, to: { type: 'meetings', id: '3001' } },
    { from: { type: 'companies', id: '1002' }, to: { type: 'calls', id: '3002' } },
    { from: { type: 'companies', id: '1002' }, to: { type: 'emails', id: '3003' } },
  ],
  forms: [
    { guid: formGuid, name: 'Deal registration', fields: [{ name: 'email' }, { name: 'customer_domain' }] },
  ],
  formSubmissions: Array.from({ length: 120 }, (_, index) => ({
    formGuid,
    conversionId: `conv-${String(index).padStart(3, '0')}`,
    submittedAt: now - (120 - index) * 60_000,
    values: [
      { name: 'email', value: `partner${index}@cloudwise.io` },
      { name: 'customer_domain', value: 'globex.com' },
    ],
  })),
};

let under: SandboxUnderTest;

beforeAll(async () => {
  under = await startSandboxUnderTest({ seed });
  await setupHubSpotPortal(under.admin, { dryRun: false });
});

afterAll(async () => {
  await under?.stop();
});

describe('HubSpot adapter against the sandbox, through @hubspot/api-client', () => {
  it('finds the partner by domain only among companies of type PARTNER', async () => {
    const partner = await under.adapter.findPartnerByDomain('Cloudwise.io');
    const customer = await under.adapter.findPartnerByDomain('globex.com');
    const unknown = await under.adapter.findPartnerByDomain('nobody.example');

    expect(partner).toEqual({
      id: '1001',
      name: 'Cloudwise Partners',
      domain: 'cloudwise.io',
      type: 'PARTNER',
    });
    expect(customer).toBeNull();
    expect(unknown).toBeNull();
  });

  it('finds a partner keyed into HubSpot under its www. host by the bare domain, and the other way round', async () => {
    const byBare = await under.adapter.findPartnerByDomain('northwind.example');
    const byHost = await under.adapter.findPartnerByDomain('www.northwind.example');
    const byCloudwiseHost = await under.adapter.findPartnerByDomain('www.cloudwise.io');

    expect(byBare).toEqual({
      id: '1005',
      name: 'Northwind Partners',
      domain: 'WWW.Northwind.example',
      type: 'PARTNER',
    });
    expect(byHost?.id).toBe('1005');
    expect(byCloudwiseHost?.id).toBe('1001');
  });

  it('finds customer companies keyed under the www. host of their domain, not those of other hosts', async () => {
    const companies = await under.adapter.findCompaniesByDomain('initrode.example');

    expect(companies.map((company) => company.id)).toEqual(['1006']);
  });

  it('finds a company keyed under another host of the domain by the registrable domain, and the other way round', async () => {
    const byDomain = await under.adapter.findCompaniesByDomain('fabrikam.com');
    const byOtherHost = await under.adapter.findCompaniesByDomain('www.fabrikam.com');
    const partner = await under.adapter.findPartnerByDomain('contoso-partners.com');
    const partnerByOtherHost = await under.adapter.findPartnerByDomain('us.contoso-partners.com');

    expect(byDomain.map((company) => company.id)).toEqual(['1008']);
    expect(byOtherHost.map((company) => company.id)).toEqual(['1008']);
    expect(partner).toEqual({
      id: '1010',
      name: 'Contoso Partners',
      domain: 'eu.contoso-partners.com',
      type: 'PARTNER',
      additionalDomains: ['contoso.co.uk', 'Contoso-Group.com'],
    });
    expect(partnerByOtherHost?.id).toBe('1010');
  });

  it('finds customer companies by domain and by a word of their name', async () => {
    const byDomain = await under.adapter.findCompaniesByDomain('globex.com');
    const byName = await under.adapter.findCompaniesByName('Globex Corp.');

    expect(byDomain.map((company) => company.id)).toEqual(['1002']);
    expect(byName.map((company) => company.id).sort()).toEqual(['1002', '1003']);
  });

  it('lists the open deals of a company with their owners, leaving closed ones out', async () => {
    const deals = await under.adapter.openDealsOfCompany('1002');

    expect(deals.map((deal) => deal.id)).toEqual(['2001']);
    expect(deals[0]?.amount).toBe(120000);
    expect(deals[0]?.owner).toEqual({
      id: '501',
      email: 'dana@vendor.example',
      firstName: 'Dana',
      lastName: 'Reyes',
    });
  });

  it('lists engagements with a company inside the window, optionally only those of given owners', async () => {
    const window = { from: now - 60 * day, to: now };

    const all = await under.adapter.engagementsWithCompany('1002', window);
    const directRep = await under.adapter.engagementsWithCompany('1002', window, ['501']);

    expect(all.map((engagement) => [engagement.id, engagement.type])).toEqual([
      ['3001', 'meetings'],
      ['3003', 'emails'],
    ]);
    expect(directRep.map((engagement) => engagement.id)).toEqual(['3001']);
  });

  it('reads the deal pipelines with stages in order and closed stages marked', async () => {
    const pipelines = await under.adapter.pipelines();

    const stages = pipelines.find((pipeline) => pipeline.id === 'default')?.stages ?? [];
    expect(stages.length).toBeGreaterThan(2);
    expect(
      stages
        .filter((stage) => stage.isClosed)
        .map((stage) => stage.id)
        .sort(),
    ).toEqual(['closedlost', 'closedwon']);
    expect(stages.map((stage) => stage.displayOrder)).toEqual(
      [...stages.map((stage) => stage.displayOrder)].sort((a, b) => a - b),
    );
  });

  it('batch-reads deals in chunks of 100 and names the ids it did not find', async () => {
    const generated = (await under.control('/_sandbox/generate', {
      body: { objectType: 'deals', count: 250, properties: { dealname: 'Bulk {i}', amount: '{i}' } },
    })) as { firstId: string; lastId: string };
    const first = Number(generated.firstId);
    const ids = Array.from({ length: 250 }, (_, index) => String(first + index));
    const before = (await under.control('/_sandbox/state')) as { stats: { apiRequests: number } };

    const { deals, missing } = await under.adapter.batchReadDeals([...ids, '999999999']);

    const after = (await under.control('/_sandbox/state')) as { stats: { apiRequests: number } };
    expect(deals).toHaveLength(250);
    expect(new Set(deals.map((deal) => deal.id))).toEqual(new Set(ids));
    expect(missing).toEqual(['999999999']);
    expect(after.stats.apiRequests - before.stats.apiRequests).toBe(3);
  });

  it('keeps the Deal Registration record one per registration: created once, then updated', async () => {
    const first = await under.adapter.upsertRegistrationRecord({
      registrationId: 'reg-0001',
      name: 'Cloudwise → Globex',
      status: 'submitted',
      partnerCompanyId: '1001',
      customerCompanyId: '1002',
    });
    const second = await under.adapter.upsertRegistrationRecord({
      registrationId: 'reg-0001',
      name: 'Cloudwise → Globex',
      status: 'approved',
      relationship: 'sourced',
      estimatedAmount: 120000,
    });

    const records = await recordsOf(under.sandbox.url, 'deal_registration');
    expect(first.created).toBe(true);
    expect(second).toEqual({ recordId: first.recordId, created: false });
    expect(records).toHaveLength(1);
    expect(records[0]?.properties).toMatchObject({
      dealreg_registration_id: 'reg-0001',
      dealreg_status: 'approved',
      dealreg_relationship: 'sourced',
    });
  });

  it('associates the Deal Registration record with the partner, customer, submitter and deal', async () => {
    const { recordId } = await under.adapter.upsertRegistrationRecord({
      registrationId: 'reg-0010',
      name: 'Cloudwise → Globex (linked)',
      status: 'approved',
      partnerCompanyId: '1001',
      customerCompanyId: '1002',
      submitterContactId: '5001',
      dealId: '2001',
    });
    const schemas = await under.admin.listSchemas();
    const objectType = schemas.find((schema) => schema.name === 'deal_registration')?.objectTypeId ?? '';
    const associated = async (toType: string) => {
      const response = await fetch(
        `${under.sandbox.url}/crm/v4/objects/${objectType}/${recordId}/associations/${toType}`,
        { headers: { authorization: `Bearer ${under.sandbox.accessToken}` } },
      );
      const body = (await response.json()) as { results: { toObjectId: string | number }[] };
      return body.results.map((result) => String(result.toObjectId)).sort();
    };

    expect(await associated('companies')).toEqual(['1001', '1002']);
    expect(await associated('contacts')).toEqual(['5001']);
    expect(await associated('deals')).toEqual(['2001']);
  });

  it('finds the customer company by domain, never a partner, and creates it once when HubSpot has none', async () => {
    const known = await under.adapter.findOrCreateCustomerCompany({ domain: 'globex.com', name: 'Globex' });
    const made = await under.adapter.findOrCreateCustomerCompany({
      domain: 'Umbrella-Health.com',
      name: 'Umbrella Health',
      country: 'GB',
    });
    const again = await under.adapter.findOrCreateCustomerCompany({
      domain: 'umbrella-health.com',
      name: 'Umbrella Health Ltd',
    });

    expect(known).toEqual({ companyId: '1002', created: false });
    expect(made.created).toBe(true);
    expect(again).toEqual({ companyId: made.companyId, created: false });
    const umbrella = (await recordsOf(under.sandbox.url, 'companies')).filter(
      (company) => company.properties.domain === 'umbrella-health.com',
    );
    expect(umbrella.map((company) => company.properties)).toEqual([
      expect.objectContaining({ name: 'Umbrella Health', country: 'GB' }),
    ]);
  });

  it('creates the deal of a registration once, however often asked, and links an existing deal', async () => {
    const draft = {
      registrationId: 'reg-0002',
      name: 'Globex – analytics',
      amount: 50000,
      customerCompanyId: '1002',
    };

    const made = await under.adapter.createOrLinkDeal(draft);
    const again = await under.adapter.createOrLinkDeal(draft);
    const linked = await under.adapter.createOrLinkDeal({ registrationId: 'reg-0003', name: 'x' }, '2001');

    const deals = await recordsOf(under.sandbox.url, 'deals');
    expect(made.created).toBe(true);
    expect(again).toEqual({ dealId: made.dealId, created: false });
    expect(linked).toEqual({ dealId: '2001', created: false });
    expect(deals.filter((deal) => deal.properties.dealreg_registration_id === 'reg-0002')).toHaveLength(1);
    expect(deals.find((deal) => deal.id === '2001')?.properties.dealreg_registration_id).toBe('reg-0003');
    const open = await under.adapter.openDealsOfCompany('1002');
    expect(open.map((deal) => deal.id)).toContain(made.dealId);
  });

  it('labels the partner association, relabels it without leaving two partner labels, and mirrors it on the deal', async () => {
    const { dealId } = await under.adapter.createOrLinkDeal({
      registrationId: 'reg-0004',
      name: 'Globex – AI',
    });

    await under.adapter.associatePartner('1001', dealId, 'sourced');
    await under.adapter.associatePartner('1001', dealId, 'influenced');

    const labels = await fetch(`${under.sandbox.url}/crm/v4/objects/deals/${dealId}/associations/companies`, {
      headers: { authorization: `Bearer ${under.sandbox.accessToken}` },
    }).then(
      (response) =>
        response.json() as Promise<{
          results: { toObjectId: string | number; associationTypes: { label?: string | null }[] }[];
        }>,
    );
    const partnerLabels = labels.results
      .find((result) => String(result.toObjectId) === '1001')
      ?.associationTypes.map((type) => type.label)
      .filter((label) => typeof label === 'string' && label.endsWith('partner'));
    expect(partnerLabels).toEqual(['Influenced partner']);
    const [deal] = (await under.adapter.batchReadDeals([dealId])).deals;
    expect(deal?.partnerCompanyId).toBe('1001');
    expect(deal?.partnerRelationship).toBe('influenced');
  });

  it('searches deals by partner and relationship in a date range', async () => {
    const { dealId } = await under.adapter.createOrLinkDeal({
      registrationId: 'reg-0005',
      name: 'Globex – edge',
    });
    await under.adapter.associatePartner('1001', dealId, 'resell');

    const search = async (): Promise<Deal[]> => {
      const found: Deal[] = [];
      for await (const deal of under.adapter.searchDeals({
        partnerCompanyId: '1001',
        relationship: 'resell',
        from: Date.now() - day,
        to: Date.now() + day,
      })) {
        found.push(deal);
      }
      return found;
    };

    // Search sees the new deal once HubSpot's index has taken it in: searched again until then.
    const found = await pollUntil(search, (deals) => deals.length > 0);

    expect(found.map((deal) => deal.id)).toEqual([dealId]);
  });

  it('pages through form submissions newest first, 50 at a time, with the portal id stamped on', async () => {
    const first = await under.adapter.listFormSubmissions(formGuid);
    const seen = [...first.submissions];
    let after = first.after;
    while (after !== undefined) {
      const page = await under.adapter.listFormSubmissions(formGuid, { after });
      seen.push(...page.submissions);
      after = page.after;
    }

    expect(first.submissions).toHaveLength(50);
    expect(seen).toHaveLength(120);
    expect(seen[0]?.conversionId).toBe('conv-119');
    expect(seen.at(-1)?.conversionId).toBe('conv-000');
    expect(
      seen.every(
        (submission, index) => index === 0 || (seen[index - 1]?.submittedAt ?? 0) >= submission.submittedAt,
      ),
    ).toBe(true);
    expect(first.submissions[0]).toMatchObject({ formGuid, portalId: under.sandbox.portalId });
  });
});

describe('searching past the 10,000-result cap', () => {
  it('splits the date range until every part fits, and returns every deal exactly once', async () => {
    await under.control('/_sandbox/generate', {
      body: {
        objectType: 'deals',
        count: 12_000,
        properties: { dealname: 'Partnered {i}', closedate: '{i}000', dealreg_partner_company_id: '1001' },
      },
    });

    const ids = new Set<string>();
    let count = 0;
    for await (const deal of under.adapter.searchDeals({
      partnerCompanyId: '1001',
      dateProperty: 'closedate',
      from: 0,
      to: 12_000_000,
    })) {
      ids.add(deal.id);
      count += 1;
    }

    expect(count).toBe(12_000);
    expect(ids.size).toBe(12_000);
  }, 120_000);
});
