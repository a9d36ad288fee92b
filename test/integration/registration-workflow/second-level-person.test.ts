import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalDeadlines } from '#domain/policy/approval-deadlines.ts';
import { startWorkflowUnderTest, type WorkflowUnderTest, workflowPeople } from './workflow-harness.ts';

const { channelManager, director, vpSales } = workflowPeople;

/*
 * A second approval level is a second person's approval. Here the first level escalates to VP
 * sales, who is also the second-level approver: when VP sales decided the first level, the second
 * level goes to the second-level escalation approver (the director) instead of asking VP sales to
 * approve the same deal again.
 */

let harness: WorkflowUnderTest;

beforeAll(async () => {
  harness = await startWorkflowUnderTest({
    policy: {
      routing: {
        fallback: {
          firstApprover: 'channel-manager',
          escalationApprover: 'vp-sales',
          secondLevelApprover: 'vp-sales',
          secondLevelEscalationApprover: 'partner-director',
        },
      },
    },
  });
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

describe('a large deal whose first level was escalated to the second-level approver', () => {
  it('is approved at the second level by another person: the second-level escalation approver', async () => {
    const registrationId = await harness.submit({
      customer_domain: 'escalated-big-deal.com',
      estimated_amount: '300000',
    });
    const requestedAt = harness.clock.now();
    expect((await harness.registration(registrationId)).progress?.status).toBe('in-review');
    const { escalationAt } = approvalDeadlines(harness.policy.policy, requestedAt);
    await harness.clock.setTo(new Date(escalationAt.getTime() + 60_000).toISOString());
    expect(await harness.mails({ to: vpSales, template: 'approval-escalation' })).toHaveLength(1);

    expect((await harness.decide(vpSales, 'approve')).status).toBe(200);
    expect((await harness.registration(registrationId)).progress).toMatchObject({
      status: 'in-review',
      firstLevel: { approverName: 'VP Sales' },
    });
    const secondLevelRequests = (await harness.mails({ template: 'approval-request' })).filter((mail) =>
      /second-level/i.test(mail.subject),
    );
    expect(secondLevelRequests.flatMap((mail) => mail.to)).toEqual([director]);

    expect((await harness.decide(director, 'approve')).status).toBe(200);
    expect((await harness.registration(registrationId)).progress).toMatchObject({
      status: 'approved',
      decision: { decidedBy: { email: director } },
    });
    expect(await harness.mails({ to: channelManager, template: 'approval-request' })).toHaveLength(1);
  });
});
