import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalsTable, ledgerTable, registrationsTable } from '#lib/tables/index.ts';
import { createTestTables, type TestTables } from '#test/support/dynamodb.ts';
import { startWorkflowUnderTest, type WorkflowUnderTest } from './workflow-harness.ts';

/**
 * One registrations table under two policies in turn, as a deployment sees it across a policy
 * change: last year's protected a registration for 300 days, today's protects one for 30.
 */
// No questions to the partner: with them, 300 days and the approvals would outlive the workflow's year.
const longValidity = { sla: { maxQuestions: 0 }, validity: { days: 300, maxExtensions: 0 } };
const shortValidity = { validity: { days: 30, maxExtensions: 0 } };

let tables: TestTables;
let before: WorkflowUnderTest | undefined;
let after: WorkflowUnderTest | undefined;

beforeAll(async () => {
  tables = await createTestTables([registrationsTable, approvalsTable, ledgerTable]);
}, 60_000);

afterAll(async () => {
  await before?.close();
  await after?.close();
});

describe('a registration approved under an earlier policy with a longer validity', () => {
  it('still holds its customer against another partner after the policy shortens the validity', async () => {
    before = await startWorkflowUnderTest({ tables, policy: longValidity });
    const first = await before.submit({
      customer_company_name: 'Contoso Ltd',
      customer_domain: 'contoso.com',
      estimated_amount: '12000',
    });
    const approved = await before.registration(first);
    expect(approved.progress).toMatchObject({
      status: 'approved',
      decision: { relationshipType: 'sourced' },
    });
    const expiresAt = approved.progress?.expiresAt ?? '';
    await before.close();
    before = undefined;

    // 200 days on, under the new policy: the first registration has 100 days to run.
    after = await startWorkflowUnderTest({ tables, policy: shortValidity });
    await after.clock.advance('P200D');
    expect(Date.parse(expiresAt)).toBeGreaterThan(after.clock.now().getTime());
    const second = await after.submit({
      email: 'rita@rival-partners.io',
      partner_company_domain: 'rival-partners.io',
      customer_company_name: 'Contoso Ltd',
      customer_domain: 'contoso.com',
      estimated_amount: '12000',
    });

    const { progress } = await after.registration(second);
    expect(progress).toMatchObject({
      status: 'in-review',
      verdict: {
        outcome: 'needs-review',
        ruleId: 'competing-partner',
        relationshipType: 'influenced',
        evidence: [expect.objectContaining({ registrationId: first, status: 'approved' })],
      },
    });
  });
});
