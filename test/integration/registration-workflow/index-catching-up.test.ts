import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalsTable, ledgerTable, registrationsTable } from '#lib/tables/index.ts';
import { createTestTables, type TestTables } from '#test/support/dynamodb.ts';
import { startWorkflowUnderTest, type WorkflowUnderTest } from './workflow-harness.ts';

/**
 * The customer-domain index as DynamoDB may show it just after a write. "Read consistency for
 * global secondary indexes" (Amazon DynamoDB Developer Guide): a global secondary index supports
 * eventually consistent reads only, and an item written a moment ago may not be in it yet. Here it
 * shows none of the registrations: each conflict check runs before the index has caught up.
 */
function indexNotCaughtUp(tables: TestTables): void {
  tables.client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { IndexName?: string };
      if (context.commandName === 'QueryCommand' && input.IndexName === 'byCustomerReceipt') {
        return { output: { Items: [], Count: 0, ScannedCount: 0, $metadata: {} }, response: {} };
      }
      return next(args);
    },
    { step: 'initialize', name: 'customerDomainIndexNotCaughtUp' },
  );
}

let tables: TestTables;
let harness: WorkflowUnderTest;

beforeAll(async () => {
  tables = await createTestTables([registrationsTable, approvalsTable, ledgerTable]);
  indexNotCaughtUp(tables);
  harness = await startWorkflowUnderTest({ tables });
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

const rival = { email: 'rita@rival-partners.io', partner_company_domain: 'rival-partners.io' };

describe('registrations of one customer checked before the index shows them', () => {
  it('finds the partner whose registration was approved a moment ago', async () => {
    const customer = {
      customer_company_name: 'Proseware',
      customer_domain: 'proseware.com',
      estimated_amount: '9000',
    };
    const first = await harness.submit(customer);
    await harness.settle();
    expect((await harness.registration(first)).progress).toMatchObject({
      status: 'approved',
      verdict: { ruleId: 'no-conflict', relationshipType: 'sourced' },
    });
    const second = await harness.submit({ ...customer, ...rival });
    await harness.settle();
    expect((await harness.registration(second)).progress).toMatchObject({
      status: 'in-review',
      verdict: {
        ruleId: 'competing-partner',
        relationshipType: 'influenced',
        evidence: [expect.objectContaining({ registrationId: first })],
      },
    });
  });

  it('lets only one of two partners registering at the same moment be approved as sourced', async () => {
    const customer = {
      customer_company_name: 'Adventure Works',
      customer_domain: 'adventure-works.com',
      estimated_amount: '9000',
    };
    const ids = await Promise.all([harness.submit(customer), harness.submit({ ...customer, ...rival })]);
    await harness.settle();
    const outcomes = await Promise.all(ids.map(async (id) => (await harness.registration(id)).progress));
    const approved = outcomes.filter((progress) => progress?.status === 'approved');
    const inReview = outcomes.filter((progress) => progress?.status === 'in-review');
    expect(approved).toHaveLength(1);
    expect(approved[0]?.verdict).toMatchObject({ ruleId: 'no-conflict', relationshipType: 'sourced' });
    expect(inReview).toHaveLength(1);
    expect(inReview[0]?.verdict).toMatchObject({
      ruleId: 'competing-partner',
      relationshipType: 'influenced',
    });
  });

  it('declines the second of a partner’s double submission as a duplicate', async () => {
    const fields = {
      customer_company_name: 'Woodgrove Bank',
      customer_domain: 'woodgrovebank.com',
      estimated_amount: '9000',
    };
    const ids = await Promise.all([harness.submit(fields), harness.submit(fields)]);
    await harness.settle();
    const statuses = await Promise.all(ids.map(async (id) => (await harness.registration(id)).progress));
    expect(statuses.map((progress) => progress?.status).sort()).toEqual(['approved', 'declined']);
    expect(statuses.find((progress) => progress?.status === 'declined')?.verdict).toMatchObject({
      ruleId: 'duplicate',
    });
  });
});
