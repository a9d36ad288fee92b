import { afterAll, describe, expect, it } from 'vitest';
import { PartnerCentralCoSellOpportunities } from '#adapters/partner-central/co-sell-opportunities.ts';
import { partnerCentralClient } from '#adapters/partner-central/partner-central-client.ts';
import { RetryingCalls } from '#adapters/partner-central/retrying-calls.ts';
import { coSellClientToken, coSellOpportunityFor } from '#domain/co-sell/opportunity-from-registration.ts';
import {
  awsFundedCampaign,
  coSellDefaults,
  customerCompany,
  storedRegistration,
} from '#test/support/co-sell.ts';
import { type LocalStackProcess, startLocalStackProcess } from '#test/support/local-stack-process.ts';

let stack: LocalStackProcess | undefined;

afterAll(async () => {
  await stack?.interrupt();
});

/** Creates an ACE opportunity for a registration in the stack's Partner Central stand-in, as the share step does. */
async function createOpportunity(endpoint: string, customerName: string): Promise<string> {
  const client = partnerCentralClient(
    { catalog: 'Sandbox', region: 'us-east-1', endpoint },
    { accessKeyId: 'local', secretAccessKey: 'local' },
  );
  try {
    const registration = storedRegistration({ customer_company_name: customerName });
    const mapping = coSellOpportunityFor({
      registration,
      campaign: awsFundedCampaign,
      defaults: coSellDefaults,
      usdRates: {},
      customer: customerCompany,
    });
    if (!mapping.ok) throw new Error(mapping.problems.join('; '));
    const opportunities = new PartnerCentralCoSellOpportunities(client, 'Sandbox', new RetryingCalls());
    const created = await opportunities.create(
      mapping.draft,
      coSellClientToken(`${registration.registrationId}-${customerName}`, 'create'),
    );
    return created.opportunityId;
  } finally {
    client.destroy();
  }
}

async function admin(endpoint: string, path: string): Promise<Record<string, unknown[]>> {
  const response = await fetch(`${endpoint}${path}`);
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown[]>;
}

// README, "The data directory": a restart carries on where the last run stopped.
describe('the local Partner Central stand-in across a restart of dealreg local', () => {
  it('keeps its opportunities and referrals, and never gives an opportunity id again', async () => {
    stack = await startLocalStackProcess(['--empty']);
    const { dataDir } = stack;
    const first = stack.description.partnerCentral.endpoint;
    const before = await createOpportunity(first, 'Contoso Before Restart');
    const referral = await fetch(`${first}/_admin/referrals`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        catalog: 'Sandbox',
        companyName: 'Northwind Traders',
        websiteUrl: 'https://northwind.example',
        countryCode: 'DE',
        industry: 'Software and Internet',
        projectTitle: 'Data platform migration',
        businessProblem: 'Move the on-premises warehouse to a managed analytics platform.',
        expectedMonthlySpendUsd: '12000',
        targetCompletionDate: '2027-03-31',
      }),
    });
    expect(referral.status).toBe(201);
    const heldBefore = {
      opportunities: (await admin(first, '/_admin/opportunities')).opportunities,
      invitations: (await admin(first, '/_admin/engagement-invitations')).invitations,
    };
    expect(heldBefore.opportunities).toHaveLength(1);
    expect(heldBefore.invitations).toHaveLength(1);

    expect(await stack.interrupt()).toBe(0);
    stack = await startLocalStackProcess(['--empty'], { dataDir });
    const second = stack.description.partnerCentral.endpoint;

    expect((await admin(second, '/_admin/opportunities')).opportunities).toEqual(heldBefore.opportunities);
    expect((await admin(second, '/_admin/engagement-invitations')).invitations).toEqual(
      heldBefore.invitations,
    );
    const after = await createOpportunity(second, 'Fabrikam After Restart');
    expect(after).not.toBe(before);
  }, 240_000);
});
