import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultFormFieldMapping } from '#domain/form-field-mapping.ts';
import { evaluateSubmission } from '#domain/registration.ts';
import { registrationIdFor } from '#domain/registration-id.ts';
import { approvalsTable, ledgerTable, registrationsTable } from '#lib/tables/index.ts';
import { createTestTables, type TestTables } from '#test/support/dynamodb.ts';
import { formSubmission } from '#test/support/submissions.ts';
import { startWorkflowUnderTest, type WorkflowUnderTest } from './workflow-harness.ts';

const day = 86_400_000;
/** Riley of Rival Partners, the other partner of the test portal. */
const rival = { email: 'riley@rival-partners.io', partner_company_domain: 'rival-partners.io' };

let tables: TestTables;
let harness: WorkflowUnderTest;

beforeAll(async () => {
  tables = await createTestTables([registrationsTable, approvalsTable, ledgerTable]);
  harness = await startWorkflowUnderTest({ tables });
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

const daysAgo = (days: number) => new Date(harness.clock.now().getTime() - days * day);

describe('the conflict check places a registration at its receipt, whatever time its submission claims', () => {
  it.each([0, 30, 60, 90])(
    'after a rival partner’s pending registration, a registration claiming to be %i days older still goes to review as influenced',
    async (days) => {
      // prepare: the rival registers the customer first; large enough to wait for an approver
      const customer = `umbrella-${days}.com`;
      await harness.submit({ ...rival, customer_domain: customer, estimated_amount: '120000' });
      await harness.clock.advance('PT2H');
      const claimedAt = days === 0 ? undefined : daysAgo(days);
      // act: small enough to be approved at once, were it clear
      const registrationId = await harness.submit(
        { customer_domain: customer, estimated_amount: '12000' },
        { claimedAt },
      );
      // assess: the verdict an honest submission gets; the claim is only recorded
      const record = await harness.registration(registrationId);
      expect(record.progress).toMatchObject({
        status: 'in-review',
        verdict: { outcome: 'needs-review', ruleId: 'competing-partner', relationshipType: 'influenced' },
      });
      expect(record.progress?.verdictUnderClaim).toEqual(
        claimedAt === undefined
          ? undefined
          : {
              claimedAt: claimedAt.toISOString(),
              outcome: 'clear',
              ruleId: 'no-conflict',
              relationshipType: 'sourced',
              reason: expect.stringContaining('counts as sourced'),
            },
      );
      expect(harness.statesVisited(registrationId)).not.toContain('Approve automatically');
    },
  );

  it('counts the direct rep’s meeting of 20 days ago for a registration claiming to be 90 days old', async () => {
    const registrationId = await harness.submit(
      {
        customer_company_name: 'Globex Corporation',
        customer_domain: 'globex.com',
        estimated_amount: '12000',
      },
      { claimedAt: daysAgo(90) },
    );

    const { progress } = await harness.registration(registrationId);
    expect(progress?.verdict).toMatchObject({
      outcome: 'needs-review',
      ruleId: 'direct-activity',
      relationshipType: 'influenced',
    });
    expect(progress?.verdict?.evidence.map((item) => item.kind).sort()).toEqual(['engagement', 'open-deal']);
    // Under the claim the open deal still fires: the same decision, nothing recorded.
    expect(progress?.verdictUnderClaim).toBeUndefined();
  });

  it('applies the expansion rule to a registration claiming a time before the customer’s closed-won deal', async () => {
    // Initech closed won on 2026-06-28; the claim is before that, the receipt months after.
    const claimedAt = daysAgo(180);
    const registrationId = await harness.submit(
      { customer_company_name: 'Initech', customer_domain: 'initech.com', estimated_amount: '12000' },
      { claimedAt },
    );

    const { progress } = await harness.registration(registrationId);
    expect(progress?.verdict).toMatchObject({ outcome: 'needs-review', ruleId: 'existing-customer' });
    expect(progress?.verdictUnderClaim).toMatchObject({
      claimedAt: claimedAt.toISOString(),
      outcome: 'clear',
      ruleId: 'no-conflict',
    });
  });

  it('checks a later registration of a customer whose earlier one, stored before claims were checked, claims the year 10000', async () => {
    // prepare: the record as intake stored such a claim before it checked claims
    const submission = formSubmission({
      submittedAt: Date.UTC(10000, 0, 1),
      fields: { ...rival, customer_domain: 'stark.com', customer_company_name: 'Stark Industries' },
    });
    const evaluation = evaluateSubmission(submission, defaultFormFieldMapping, harness.clock.now());
    if (!evaluation.valid) throw new Error('the legacy registration should be valid');
    await tables.documentClient.send(
      new PutCommand({
        TableName: tables.tableName(registrationsTable.logicalName),
        Item: {
          registrationId: registrationIdFor(submission.conversionId),
          conversionId: submission.conversionId,
          submittedAt: '+010000-01-01T00:00:00.000Z',
          receivedAt: daysAgo(1).toISOString(),
          receivedVia: 'webhook',
          status: 'received',
          submission,
          details: evaluation.details,
          customerDomain: 'stark.com',
          partnerDomain: 'rival-partners.io',
          customerCompanyKey: evaluation.details.customerCompanyKey,
        },
      }),
    );
    // act
    const registrationId = await harness.submit({
      customer_company_name: 'Stark Industries',
      customer_domain: 'stark.com',
      estimated_amount: '12000',
    });
    // assess: the check ran; the rival's registration came first by its receipt
    expect(harness.runner.describeExecution(registrationId).status).not.toBe('FAILED');
    const { progress } = await harness.registration(registrationId);
    expect(progress?.verdict).toMatchObject({ outcome: 'needs-review', ruleId: 'competing-partner' });
    expect(progress?.verdict?.evidence).toEqual([
      expect.objectContaining({
        registrationId: registrationIdFor(submission.conversionId),
        receivedAt: daysAgo(1).toISOString(),
      }),
    ]);
  });
});
