import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxSeed } from '#local/hubspot-sandbox/index.ts';
import { startWorkflowUnderTest, type WorkflowUnderTest, workflowSeed } from './workflow-harness.ts';

/**
 * Direct sales' deals and activity as the approver reads them in the verdict: a direct rep's
 * open deal in yen (no minor units) at Fabrikam, a credit deal with a negative amount at
 * Litware, and a call logged by a named rep at Proseware.
 */
const seed = {
  ...workflowSeed,
  owners: [
    ...(workflowSeed.owners ?? []),
    // A rep who has left: HubSpot keeps the owner of a deactivated user, archived.
    { id: '704', email: 'sam.former@vendor.example', firstName: 'Sam', lastName: 'Former', archived: true },
  ],
  companies: [
    ...(workflowSeed.companies ?? []),
    { id: '311', properties: { name: 'Fabrikam KK', domain: 'fabrikam.co.jp', type: 'PROSPECT' } },
    { id: '312', properties: { name: 'Litware', domain: 'litware.com', type: 'PROSPECT' } },
    { id: '313', properties: { name: 'Proseware', domain: 'proseware.com', type: 'PROSPECT' } },
    { id: '314', properties: { name: 'Trey Research', domain: 'treyresearch.net', type: 'PROSPECT' } },
  ],
  deals: [
    ...(workflowSeed.deals ?? []),
    {
      id: '421',
      createdAt: '2026-11-02T14:00:00Z',
      properties: {
        dealname: 'Fabrikam – factory analytics',
        amount: '3000000',
        deal_currency_code: 'JPY',
        pipeline: 'default',
        dealstage: 'qualifiedtobuy',
        hubspot_owner_id: '701',
      },
    },
    {
      id: '422',
      createdAt: '2026-11-02T14:00:00Z',
      properties: {
        dealname: 'Litware – service credit',
        amount: '-1500',
        deal_currency_code: 'USD',
        pipeline: 'default',
        dealstage: 'qualifiedtobuy',
        hubspot_owner_id: '701',
      },
    },
  ],
  engagements: [
    ...(workflowSeed.engagements ?? []),
    {
      type: 'calls',
      id: '621',
      properties: { hs_timestamp: '2026-11-16T15:00:00Z', hubspot_owner_id: '701' },
    },
    {
      type: 'meetings',
      id: '622',
      properties: { hs_timestamp: '2026-11-10T15:00:00Z', hubspot_owner_id: '704' },
    },
  ],
  associations: [
    ...(workflowSeed.associations ?? []),
    { from: { type: 'deals', id: '421' }, to: { type: 'companies', id: '311' } },
    { from: { type: 'deals', id: '422' }, to: { type: 'companies', id: '312' } },
    { from: { type: 'calls', id: '621' }, to: { type: 'companies', id: '313' } },
    { from: { type: 'meetings', id: '622' }, to: { type: 'companies', id: '314' } },
  ],
} as SandboxSeed;

let harness: WorkflowUnderTest;

beforeAll(async () => {
  harness = await startWorkflowUnderTest({ seed, usdRates: { EUR: '1.08', JPY: '0.0067' } });
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

describe('a direct rep’s open deal in the verdict', () => {
  it('gives a yen amount in US dollars at the configured rate (a yen has no minor units)', async () => {
    const registrationId = await harness.submit({
      customer_company_name: 'Fabrikam KK',
      customer_domain: 'fabrikam.co.jp',
      estimated_amount: '12000',
    });

    const { progress } = await harness.registration(registrationId);
    expect(progress?.verdict).toMatchObject({ outcome: 'needs-review', ruleId: 'direct-activity' });
    // ¥3,000,000 at 0.0067 USD per yen: USD 20,100.00.
    expect(progress?.verdict?.evidence).toEqual([
      expect.objectContaining({ kind: 'open-deal', dealId: '421', amountUsdMinor: 2_010_000 }),
    ]);
  });

  it('with a negative amount (a credit) still sends the registration to review, without an amount', async () => {
    const registrationId = await harness.submit({
      customer_company_name: 'Litware',
      customer_domain: 'litware.com',
      estimated_amount: '12000',
    });

    const { progress } = await harness.registration(registrationId);
    expect(progress).toMatchObject({
      status: 'in-review',
      verdict: { outcome: 'needs-review', ruleId: 'direct-activity' },
    });
    const [deal] = progress?.verdict?.evidence ?? [];
    expect(deal).toMatchObject({ kind: 'open-deal', dealId: '422', ownerName: 'Dana Reyes' });
    expect(deal).not.toHaveProperty('amountUsdMinor');
  });
});

describe('a direct rep’s engagement in the verdict', () => {
  it('names the rep as HubSpot knows them, as an open deal does', async () => {
    const registrationId = await harness.submit({
      customer_company_name: 'Proseware',
      customer_domain: 'proseware.com',
      estimated_amount: '12000',
    });

    const { progress } = await harness.registration(registrationId);
    expect(progress?.verdict?.evidence).toEqual([
      expect.objectContaining({
        kind: 'engagement',
        engagementId: '621',
        ownerId: '701',
        ownerName: 'Dana Reyes',
        detail: 'Direct rep Dana Reyes logged a call on 2026-11-16, 6 days before this registration.',
      }),
    ]);
    const mail = (
      await harness.mails({ to: 'channel-manager@example.com', template: 'approval-request' })
    ).find((candidate) => candidate.text.includes('proseware.com'));
    expect(mail?.text).toContain('call 621 · by Dana Reyes');
  });
});

describe('an engagement of a rep who has left (a deactivated HubSpot user)', () => {
  it('still names the rep, from the owner HubSpot keeps archived', async () => {
    const registrationId = await harness.submit({
      customer_company_name: 'Trey Research',
      customer_domain: 'treyresearch.net',
      estimated_amount: '12000',
    });

    const { progress } = await harness.registration(registrationId);
    expect(progress?.verdict).toMatchObject({ ruleId: 'direct-activity' });
    expect(progress?.verdict?.evidence).toEqual([
      expect.objectContaining({ kind: 'engagement', engagementId: '622', ownerName: 'Sam Former' }),
    ]);
  });
});
