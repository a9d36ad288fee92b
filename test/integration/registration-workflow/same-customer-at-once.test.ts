import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkflowUnderTest, type WorkflowUnderTest } from './workflow-harness.ts';

let harness: WorkflowUnderTest;

beforeAll(async () => {
  harness = await startWorkflowUnderTest();
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

describe('one customer registered twice at the same moment', () => {
  it('keeps the first of a partner’s double submission and declines only the second as a duplicate', async () => {
    const fields = {
      customer_company_name: 'Tailspin Toys',
      customer_domain: 'tailspintoys.com',
      estimated_amount: '9000',
    };
    // Both are received before either is checked: each check sees the other one waiting.
    const [first, second] = await Promise.all([harness.submit(fields), harness.submit(fields)]);
    await harness.settle();
    const a = await harness.registration(first);
    const b = await harness.registration(second);
    const [earlier, later] =
      a.receivedAt < b.receivedAt || (a.receivedAt === b.receivedAt && first < second) ? [a, b] : [b, a];
    expect(earlier.progress).toMatchObject({ status: 'approved', verdict: { ruleId: 'no-conflict' } });
    expect(later.progress).toMatchObject({
      status: 'declined',
      verdict: { outcome: 'reject', ruleId: 'duplicate' },
    });
  });

  it('lets the first of two partners keep the customer and sends the second to review as influenced', async () => {
    const customer = {
      customer_company_name: 'Lamna Healthcare',
      customer_domain: 'lamna.com',
      estimated_amount: '9000',
    };
    const [northwind, rival] = await Promise.all([
      harness.submit(customer),
      harness.submit({
        ...customer,
        email: 'rita@rival-partners.io',
        partner_company_domain: 'rival-partners.io',
      }),
    ]);
    await harness.settle();
    const a = await harness.registration(northwind);
    const b = await harness.registration(rival);
    const [earlier, later] =
      a.receivedAt < b.receivedAt || (a.receivedAt === b.receivedAt && northwind < rival) ? [a, b] : [b, a];
    expect(earlier.progress).toMatchObject({
      status: 'approved',
      verdict: { ruleId: 'no-conflict', relationshipType: 'sourced' },
    });
    expect(later.progress).toMatchObject({
      status: 'in-review',
      verdict: {
        outcome: 'needs-review',
        ruleId: 'competing-partner',
        relationshipType: 'influenced',
        evidence: [expect.objectContaining({ registrationId: earlier.registrationId })],
      },
    });
  });
});
