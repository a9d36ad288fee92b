import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPolicyFile } from '#bin/commands/policy.ts';
import type { SandboxSeed } from '#local/hubspot-sandbox/index.ts';
import { startWorkflowUnderTest, type WorkflowUnderTest, workflowSeed } from './workflow-harness.ts';

/**
 * A partner manager who is a HubSpot owner but approves nothing: they called Adventure Works and
 * own an open deal at Coho Winery, as partner managers do when they work a deal with a partner.
 */
const seed = {
  ...workflowSeed,
  owners: [
    ...(workflowSeed.owners ?? []),
    { id: '703', email: 'Pat.Manager@example.com', firstName: 'Pat', lastName: 'Manager' },
  ],
  companies: [
    ...(workflowSeed.companies ?? []),
    { id: '321', properties: { name: 'Adventure Works', domain: 'adventure-works.com', type: 'PROSPECT' } },
    { id: '322', properties: { name: 'Coho Winery', domain: 'cohowinery.com', type: 'PROSPECT' } },
  ],
  deals: [
    ...(workflowSeed.deals ?? []),
    {
      id: '431',
      createdAt: '2026-11-02T14:00:00Z',
      properties: {
        dealname: 'Coho – joint pursuit',
        amount: '40000',
        deal_currency_code: 'USD',
        pipeline: 'default',
        dealstage: 'qualifiedtobuy',
        hubspot_owner_id: '703',
      },
    },
  ],
  engagements: [
    ...(workflowSeed.engagements ?? []),
    {
      type: 'calls',
      id: '631',
      properties: { hs_timestamp: '2026-11-16T15:00:00Z', hubspot_owner_id: '703' },
    },
  ],
  associations: [
    ...(workflowSeed.associations ?? []),
    { from: { type: 'calls', id: '631' }, to: { type: 'companies', id: '321' } },
    { from: { type: 'deals', id: '431' }, to: { type: 'companies', id: '322' } },
  ],
} as SandboxSeed;

let unnamed: WorkflowUnderTest;
let named: WorkflowUnderTest;

beforeAll(async () => {
  const policy = JSON.parse(await readFile(defaultPolicyFile, 'utf8')) as {
    conflicts?: { directActivity?: Record<string, unknown> };
  };
  unnamed = await startWorkflowUnderTest({ seed, policy });
  named = await startWorkflowUnderTest({
    seed,
    policy: {
      ...policy,
      conflicts: {
        ...policy.conflicts,
        directActivity: { ...policy.conflicts?.directActivity, channelTeam: ['pat.manager@example.com'] },
      },
    },
  });
}, 60_000);

afterAll(async () => {
  await unnamed?.close();
  await named?.close();
});

const adventureWorks = {
  customer_company_name: 'Adventure Works',
  customer_domain: 'adventure-works.com',
  estimated_amount: '12000',
};
const cohoWinery = {
  customer_company_name: 'Coho Winery',
  customer_domain: 'cohowinery.com',
  estimated_amount: '12000',
};

describe('a partner manager the policy names as channel team', () => {
  it('calling the customer is not direct-rep activity: the registration is approved as sourced', async () => {
    const registrationId = await named.submit(adventureWorks);

    const { progress } = await named.registration(registrationId);
    expect(progress).toMatchObject({
      status: 'approved',
      verdict: { outcome: 'clear', ruleId: 'no-conflict' },
      decision: { relationshipType: 'sourced', channel: 'auto' },
    });
  });

  it('owning an open deal with the customer is not direct-rep activity either', async () => {
    const registrationId = await named.submit(cohoWinery);

    const { progress } = await named.registration(registrationId);
    expect(progress).toMatchObject({ status: 'approved', verdict: { ruleId: 'no-conflict' } });
  });
});

describe('the same partner manager under a policy that does not name them', () => {
  it('is taken for a direct rep, as everyone but the approvers is', async () => {
    const called = await unnamed.submit(adventureWorks);
    const owned = await unnamed.submit(cohoWinery);

    expect((await unnamed.registration(called)).progress?.verdict).toMatchObject({
      outcome: 'needs-review',
      ruleId: 'direct-activity',
      evidence: [expect.objectContaining({ kind: 'engagement', ownerName: 'Pat Manager' })],
    });
    expect((await unnamed.registration(owned)).progress?.verdict).toMatchObject({
      ruleId: 'direct-activity',
      evidence: [expect.objectContaining({ kind: 'open-deal', dealId: '431' })],
    });
  });
});
