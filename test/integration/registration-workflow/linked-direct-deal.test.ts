import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkflowUnderTest, type WorkflowUnderTest, workflowPeople } from './workflow-harness.ts';

let harness: WorkflowUnderTest;

beforeAll(async () => {
  harness = await startWorkflowUnderTest();
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

const day = 86_400_000;

describe('a direct rep’s open deal an approval linked to a registration', () => {
  it('is still direct-rep activity for the next partner once that registration has expired', async () => {
    // Northwind registers Globex, where Dana Reyes owns open deal 401: approved as influenced,
    // and the registration is linked to deal 401.
    const first = await harness.submit({
      customer_company_name: 'Globex Corporation',
      customer_domain: 'globex.com',
      estimated_amount: '15000',
    });
    await harness.decide(workflowPeople.channelManager, 'approve');
    const approved = await harness.registration(first);
    expect(approved.progress).toMatchObject({ status: 'approved', dealId: '401' });
    const expiresAt = Date.parse(approved.progress?.expiresAt ?? '');

    // Nobody asks for an extension: the registration expires; the deal stays open with Dana.
    await harness.clock.setTo(new Date(expiresAt + day).toISOString());
    expect((await harness.registration(first)).progress?.status).toBe('expired');

    const second = await harness.submit({
      email: 'rita@rival-partners.io',
      partner_company_domain: 'rival-partners.io',
      customer_company_name: 'Globex Corporation',
      customer_domain: 'globex.com',
      estimated_amount: '15000',
    });

    const { progress } = await harness.registration(second);
    expect(progress).toMatchObject({
      status: 'in-review',
      verdict: {
        outcome: 'needs-review',
        ruleId: 'direct-activity',
        relationshipType: 'influenced',
        evidence: [expect.objectContaining({ kind: 'open-deal', dealId: '401', ownerName: 'Dana Reyes' })],
      },
    });
  });
});
