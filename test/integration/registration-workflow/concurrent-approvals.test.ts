import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crmNames } from '#ports/hubspot.ts';
import { startWorkflowUnderTest, type WorkflowUnderTest, workflowPeople } from './workflow-harness.ts';

/**
 * Twenty partners register one customer HubSpot does not know, and the channel manager approves
 * all twenty at once, so twenty "Register deal in HubSpot" steps look for the customer's company
 * together. HubSpot's search lags writes (the sandbox's does too, by default), so a company one
 * step created is invisible to the others' searches: the company is found or created through its
 * unique customer key, which reads and refuses at once.
 */
const partners = Array.from(
  { length: 20 },
  (_, index) => `burst-partner-${String(index + 1).padStart(2, '0')}.io`,
);
const customerDomain = 'tailspin-toys.com';

let harness: WorkflowUnderTest;

beforeAll(async () => {
  harness = await startWorkflowUnderTest();
  // Partners HubSpot has had for long: seeded, so searchable at once.
  await harness.sandbox.control('/_sandbox/seed', {
    body: {
      companies: partners.map((domain) => ({
        properties: { name: domain.split('.')[0], domain, type: 'PARTNER' },
      })),
    },
  });
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

describe('approvals of one new customer at once', () => {
  it('create exactly one HubSpot company for the customer, with search lagging writes', async () => {
    const lag = (await harness.sandbox.control('/_sandbox/search-index')) as { lagMs: number };
    expect(lag.lagMs).toBeGreaterThan(0);
    const submitting = performance.now();
    const registrationIds: string[] = [];
    for (const domain of partners) {
      registrationIds.push(
        await harness.submit({
          email: `pat@${domain}`,
          partner_company_domain: domain,
          customer_domain: customerDomain,
          estimated_amount: '60000',
        }),
      );
    }
    const links = (await harness.mails({ to: workflowPeople.channelManager, template: 'approval-request' }))
      .map((mail) => mail.links.find((link) => link.includes('/approvals/')))
      .filter((link): link is string => link !== undefined);
    console.log(
      `${partners.length} registrations submitted and waiting: ${Math.round(performance.now() - submitting)} ms`,
    );
    expect(links).toHaveLength(partners.length);
    await harness.sandbox.control('/_sandbox/stats', { method: 'DELETE' });
    // Each company create takes three seconds, as a busy portal's may: the steps that looked the key up
    // and found nothing are all creating at once, and all but one meet the taken key.
    await harness.sandbox.control('/_sandbox/faults', {
      body: { path: '^/crm/v3/objects/companies$', method: 'POST', latencyMs: 3_000, times: partners.length },
    });

    const started = performance.now();
    const decisions = await Promise.all(links.map((link) => harness.decideLink(link, 'approve')));
    await harness.settle();

    const stats = (await harness.sandbox.control('/_sandbox/stats')) as {
      apiRequests: number;
      searchRequests: number;
      faultsInjected: number;
    };
    await harness.sandbox.control('/_sandbox/faults', { method: 'DELETE' });
    console.log(
      `${links.length} approvals at once: ${Math.round(performance.now() - started)} ms, ` +
        `${stats.apiRequests} HubSpot requests (${stats.searchRequests} searches, ` +
        `${stats.faultsInjected} customer company creates attempted)`,
    );
    expect(decisions.map((decision) => decision.status)).toEqual(links.map(() => 200));
    const companies = (await harness.hubspotRecords('companies')).filter(
      (company) => company.properties.domain === customerDomain,
    );
    expect(companies).toHaveLength(1);
    const [company] = companies;
    expect(company?.properties[crmNames.company.customerKey]).toBe(customerDomain);
    for (const registrationId of registrationIds) {
      const registration = await harness.registration(registrationId);
      expect(registration.progress?.status).toBe('approved');
      const dealId = registration.progress?.dealId ?? '';
      expect(await harness.companiesOfDeal(dealId)).toContain(company?.id);
    }
    // Twenty workflows run end to end on a machine that may be busy: time is printed, not limited.
  }, 600_000);
});
