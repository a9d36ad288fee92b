import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkflowUnderTest, type WorkflowUnderTest } from './workflow-harness.ts';

let harness: WorkflowUnderTest;

beforeAll(async () => {
  harness = await startWorkflowUnderTest();
  // Customers as direct reps keyed them into HubSpot: a regional site's host as the domain, a
  // legal suffix in the name.
  await harness.sandbox.control('/_sandbox/seed', {
    body: {
      companies: [
        {
          id: '901',
          properties: { name: 'Wingtip Toys, Inc.', domain: 'us.wingtiptoys.com', type: 'PROSPECT' },
        },
      ],
      deals: [
        {
          id: '911',
          createdAt: '2026-11-02T14:00:00Z',
          properties: {
            dealname: 'Wingtip – retail analytics',
            amount: '60000',
            deal_currency_code: 'USD',
            pipeline: 'default',
            dealstage: 'qualifiedtobuy',
            hubspot_owner_id: '701',
          },
        },
      ],
      associations: [{ from: { type: 'deals', id: '911' }, to: { type: 'companies', id: '901' } }],
    },
  });
  // Many customers share a legal form in their names; Fabrikam is one HubSpot has had for long.
  await harness.sandbox.control('/_sandbox/seed', {
    body: {
      companies: [
        {
          id: '850',
          properties: { name: 'Fabrikam Corporation', domain: 'www.fabrikam.de', type: 'PROSPECT' },
        },
        ...[
          'Alpha',
          'Bravo',
          'Charlie',
          'Delta',
          'Echo',
          'Foxtrot',
          'Golf',
          'Hotel',
          'India',
          'Juliett',
          'Kilo',
        ].map((name, index) => ({
          id: String(801 + index),
          properties: {
            name: `${name} Corporation`,
            domain: `${name.toLowerCase()}.example`,
            type: 'PROSPECT',
          },
        })),
      ],
    },
  });
  // A customer HubSpot holds under one company with several domains (`hs_additional_domains`,
  // semicolon-separated, as HubSpot "Companies" in the CRM API guide describes), and another whose
  // regional domain is the additional one, with a direct rep's open deal.
  await harness.sandbox.control('/_sandbox/seed', {
    body: {
      companies: [
        {
          id: '950',
          properties: {
            name: 'Contoso Ltd',
            domain: 'contoso.com',
            hs_additional_domains: 'contoso-retail.eu; contoso.co.jp',
            type: 'OTHER',
          },
        },
        {
          id: '951',
          properties: {
            name: 'Litware Inc.',
            domain: 'litware.com',
            hs_additional_domains: 'litware-labs.de',
            type: 'PROSPECT',
          },
        },
      ],
      deals: [
        {
          id: '961',
          createdAt: '2026-11-03T09:00:00Z',
          properties: {
            dealname: 'Litware – lab automation',
            amount: '40000',
            deal_currency_code: 'USD',
            pipeline: 'default',
            dealstage: 'qualifiedtobuy',
            hubspot_owner_id: '701',
          },
        },
      ],
      associations: [{ from: { type: 'deals', id: '961' }, to: { type: 'companies', id: '951' } }],
    },
  });
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

describe('the customer as HubSpot knows it', () => {
  it('finds a direct rep’s open deal at a customer company HubSpot holds under a host of the registered domain', async () => {
    const registrationId = await harness.submit({
      customer_company_name: 'Wingtip Toys',
      customer_domain: 'wingtiptoys.com',
      estimated_amount: '9000',
    });
    const registration = await harness.registration(registrationId);
    expect(registration.progress?.verdict).toMatchObject({
      outcome: 'needs-review',
      ruleId: 'direct-activity',
      relationshipType: 'influenced',
      evidence: [expect.objectContaining({ kind: 'open-deal', dealId: '911' })],
    });
    expect(registration.progress?.status).not.toBe('approved');
  });

  it('finds another partner’s registration of a customer of the same name at another domain, whatever legal form the names share', async () => {
    const rival = await harness.submit({
      email: 'rita@rival-partners.io',
      partner_company_domain: 'rival-partners.io',
      customer_company_name: 'Fabrikam Corporation',
      customer_domain: 'fabrikam.de',
      estimated_amount: '8000',
    });
    expect((await harness.registration(rival)).progress?.status).toBe('approved');
    const registrationId = await harness.submit({
      customer_company_name: 'Fabrikam Corporation',
      customer_domain: 'fabrikam-group.com',
      estimated_amount: '8000',
    });
    expect((await harness.registration(registrationId)).progress?.verdict).toMatchObject({
      ruleId: 'competing-partner',
      evidence: [expect.objectContaining({ registrationId: rival, matchedBy: 'company-name' })],
    });
  });

  it('finds another partner’s registration of another domain the customer’s HubSpot company holds, whatever name it was given', async () => {
    const rival = await harness.submit({
      email: 'rita@rival-partners.io',
      partner_company_domain: 'rival-partners.io',
      customer_company_name: 'CRE Holdings',
      customer_domain: 'contoso-retail.eu',
      estimated_amount: '8000',
    });
    expect((await harness.registration(rival)).progress?.status).toBe('approved');
    const registrationId = await harness.submit({
      customer_company_name: 'Contoso',
      customer_domain: 'contoso.com',
      estimated_amount: '8000',
    });
    const verdict = (await harness.registration(registrationId)).progress?.verdict;
    expect(verdict).toMatchObject({
      ruleId: 'competing-partner',
      evidence: [expect.objectContaining({ registrationId: rival, matchedBy: 'domain' })],
    });
    expect(verdict?.evidence[0]?.detail).toContain(
      "contoso-retail.eu, another domain of the customer's company in HubSpot",
    );
  });

  it('finds a direct rep’s open deal at the company that holds the registered domain as an additional one', async () => {
    const registrationId = await harness.submit({
      customer_company_name: 'Litware Labs',
      customer_domain: 'litware-labs.de',
      estimated_amount: '9000',
    });
    const registration = await harness.registration(registrationId);
    expect(registration.progress?.verdict).toMatchObject({
      ruleId: 'direct-activity',
      evidence: [expect.objectContaining({ kind: 'open-deal', dealId: '961' })],
    });
    expect(registration.progress?.status).not.toBe('approved');
  });

  it('refuses at intake a customer name with nothing to match on, rather than failing the check', async () => {
    const registrationId = await harness.submit({
      customer_company_name: '—',
      customer_domain: 'nameless-customer.com',
      estimated_amount: '9000',
    });
    const registration = await harness.registration(registrationId);
    expect(registration.status).toBe('rejected');
    expect(registration.problems?.map((problem) => problem.message)).toEqual([
      '"—" has no letters or digits: enter the customer\'s company name',
    ]);
  });
});
