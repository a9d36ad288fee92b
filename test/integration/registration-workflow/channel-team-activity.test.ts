import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxSeed } from '#local/hubspot-sandbox/index.ts';
import {
  startWorkflowUnderTest,
  type WorkflowUnderTest,
  workflowPeople,
  workflowSeed,
} from './workflow-harness.ts';

/**
 * The workflow's portal with a channel manager who is a HubSpot owner and has called a customer
 * (Contoso), a direct rep who has called another (Tailspin), and a partner keyed into HubSpot
 * under its web host in capitals (Fabrikam).
 */
const seed = {
  ...workflowSeed,
  owners: [
    ...(workflowSeed.owners ?? []),
    { id: '702', email: 'Channel-Manager@example.com', firstName: 'Casey', lastName: 'Channel' },
  ],
  companies: [
    ...(workflowSeed.companies ?? []),
    {
      id: '203',
      properties: { name: 'Fabrikam Partners', domain: 'WWW.Fabrikam-Partners.com', type: 'PARTNER' },
    },
    { id: '304', properties: { name: 'Tailspin Toys', domain: 'tailspin-toys.com', type: 'PROSPECT' } },
  ],
  engagements: [
    ...(workflowSeed.engagements ?? []),
    {
      type: 'calls',
      id: '601',
      properties: { hs_timestamp: '2026-11-16T15:00:00Z', hubspot_owner_id: '702' },
    },
    {
      type: 'emails',
      id: '602',
      properties: { hs_timestamp: '2026-11-17T15:00:00Z', hubspot_owner_id: '702' },
    },
    {
      type: 'calls',
      id: '603',
      properties: { hs_timestamp: '2026-11-16T15:00:00Z', hubspot_owner_id: '701' },
    },
  ],
  associations: [
    ...(workflowSeed.associations ?? []),
    { from: { type: 'calls', id: '601' }, to: { type: 'companies', id: '301' } },
    { from: { type: 'emails', id: '602' }, to: { type: 'companies', id: '301' } },
    { from: { type: 'calls', id: '603' }, to: { type: 'companies', id: '304' } },
  ],
} as SandboxSeed;

let harness: WorkflowUnderTest;

beforeAll(async () => {
  harness = await startWorkflowUnderTest({ seed });
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

describe('activity with the customer in HubSpot', () => {
  it('by a channel manager (an approver of the policy) is not direct-rep activity', async () => {
    expect(workflowPeople.channelManager).toBe('channel-manager@example.com');
    const registrationId = await harness.submit({
      customer_company_name: 'Contoso Ltd',
      customer_domain: 'contoso.com',
      estimated_amount: '12000',
    });

    const { progress } = await harness.registration(registrationId);
    expect(progress).toMatchObject({
      status: 'approved',
      verdict: { outcome: 'clear', ruleId: 'no-conflict' },
      decision: { outcome: 'approve', relationshipType: 'sourced', channel: 'auto' },
    });
  });

  it('by a direct rep still is', async () => {
    const registrationId = await harness.submit({
      customer_company_name: 'Tailspin Toys',
      customer_domain: 'tailspin-toys.com',
      estimated_amount: '12000',
    });

    const { progress } = await harness.registration(registrationId);
    expect(progress?.verdict).toMatchObject({ outcome: 'needs-review', ruleId: 'direct-activity' });
    expect(progress?.verdict?.evidence.map((item) => item.kind)).toEqual(['engagement']);
  });
});

describe('a partner keyed into HubSpot under its www. host', () => {
  it('is found by the bare domain it registers with, not declined as unknown', async () => {
    const registrationId = await harness.submit({
      email: 'sam@fabrikam-partners.com',
      partner_company_domain: 'fabrikam-partners.com',
      customer_company_name: 'Woodgrove Bank',
      customer_domain: 'woodgrove-bank.com',
      estimated_amount: '9000',
    });

    const { progress } = await harness.registration(registrationId);
    expect(progress?.decision?.reason ?? '').not.toContain('is not a partner company');
    expect(progress).toMatchObject({ status: 'approved', partnerId: '203' });
  });
});
