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
