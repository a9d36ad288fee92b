import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkflowUnderTest, type WorkflowUnderTest, workflowPeople } from './workflow-harness.ts';

let harness: WorkflowUnderTest;

/** The assessment segment's path for a registration approved automatically. */
const assessedAndApproved = [
  'Assess or register?',
  'Normalise registration',
  'Check for channel conflict',
  'Route by verdict',
  'Approve automatically',
  'Register deal in HubSpot',
  'Share with AWS co-sell',
  'Tell partner it is approved',
];

beforeAll(async () => {
  harness = await startWorkflowUnderTest();
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

describe('the assessment run again (a step after the decision failed, and the segment starts over)', () => {
  it('answers the decision already made, keeps its time, and does nothing twice', async () => {
    const registrationId = await harness.submit({
      customer_domain: 'assessed-twice.com',
      estimated_amount: '9000',
    });
    const first = (await harness.registration(registrationId)).progress;
    expect(first?.status).toBe('approved');
    const mailsBefore = (await harness.mails()).length;
    const dealsBefore = (await harness.hubspotRecords('deals')).length;
    // Later, as a segment started again after a pause would be: a new decision would carry this time.
    await harness.clock.advance('PT10M');

    const { executionArn } = await harness.runner.startExecution(harness.definition.segments, {
      name: `${registrationId}-again`,
      input: { segment: 'assess', registrationId },
      stateMachineName: 'assessment-again',
    });
    await harness.settle();

    expect(harness.runner.describeExecution(executionArn).status).toBe('SUCCEEDED');
    expect(harness.runner.statesVisited(executionArn)).toEqual(assessedAndApproved);
    const again = (await harness.registration(registrationId)).progress;
    expect(again?.approvedAt).toBe(first?.approvedAt);
    expect(again?.decision).toEqual(first?.decision);
    expect(again?.verdict).toEqual(first?.verdict);
    expect(again?.dealId).toBe(first?.dealId);
    expect((await harness.hubspotRecords('deals')).length).toBe(dealsBefore);
    expect((await harness.mails()).length).toBe(mailsBefore);
    const chain = await harness.ledgerChain(first?.dealId ?? '');
    expect(chain.filter((entry) => entry.type === 'RegistrationApproved')).toHaveLength(1);
  });
});

describe('a clean registration under the auto-approve limit', () => {
  it('is approved at once as sourced, registered in HubSpot, recorded in the ledger and the partner is told', async () => {
    const registrationId = await harness.submit({
      customer_company_name: 'Contoso Ltd',
      customer_domain: 'contoso.com',
      estimated_amount: '12000',
    });

    const record = await harness.registration(registrationId);
    expect(record.progress).toMatchObject({
      status: 'approved',
      partnerId: '201',
      verdict: { outcome: 'clear', ruleId: 'no-conflict' },
      decision: { outcome: 'approve', relationshipType: 'sourced', channel: 'auto', exception: false },
    });
    // The assessment and the decision run as one Express segment; the registration waits on.
    expect(harness.statesVisited(registrationId)).toEqual([
      'Assess registration',
      ...assessedAndApproved,
      'What did the assessment decide?',
      'Wait until expiry warning',
    ]);
    expect(harness.runner.stateTransitions(registrationId)).toBe(3);
    expect(harness.runner.expressExecutions(registrationId)).toEqual([
      expect.objectContaining({ status: 'SUCCEEDED', statesEntered: 8 }),
    ]);
    const dealId = record.progress?.dealId ?? '';
    const deals = await harness.hubspotRecords('deals');
    // In the pipeline and stage the policy names for new deals (the defaults here).
    expect(deals.find((deal) => deal.id === dealId)?.properties).toMatchObject({
      amount: '12000',
      pipeline: 'default',
      dealstage: 'appointmentscheduled',
    });
    // The deal belongs to the customer company HubSpot already had.
    expect(await harness.companiesOfDeal(dealId)).toContain('301');
    const chain = await harness.ledgerChain(dealId);
    expect(chain.map((entry) => entry.type)).toEqual([
      'OpportunityCreated',
      'RegistrationApproved',
      'PartnerAttached',
    ]);
    expect(chain[1]).toMatchObject({ registrationId, partnerId: '201', relationshipType: 'sourced' });
    const [decision] = await harness.mails({
      to: workflowPeople.partner,
      template: 'registration-decision',
    });
    expect(decision?.subject).toMatch(/approved/i);
  });

  it('declines a second registration of the same customer by the same partner as a duplicate', async () => {
    const first = await harness.submit({
      customer_company_name: 'Fabrikam',
      customer_domain: 'fabrikam.com',
      estimated_amount: '5000',
    });
    const second = await harness.submit({
      customer_company_name: 'Fabrikam',
      customer_domain: 'fabrikam.com',
      estimated_amount: '7000',
    });

    const approved = await harness.registration(first);
    expect(approved.progress?.status).toBe('approved');
    // HubSpot had no Fabrikam: the customer company is created once, and the deal belongs to it.
    const customers = (await harness.hubspotRecords('companies')).filter(
      (company) => company.properties.domain === 'fabrikam.com',
    );
    expect(customers.map((company) => company.properties.name)).toEqual(['Fabrikam']);
    expect(await harness.companiesOfDeal(approved.progress?.dealId ?? '')).toContain(customers[0]?.id);
    const declined = await harness.registration(second);
    expect(declined.progress).toMatchObject({
      status: 'declined',
      verdict: { outcome: 'reject', ruleId: 'duplicate' },
      decision: { outcome: 'reject', channel: 'auto' },
    });
    expect(harness.statesVisited(second)).toEqual([
      'Assess registration',
      'Assess or register?',
      'Normalise registration',
      'Check for channel conflict',
      'Route by verdict',
      'Reject automatically',
      'Tell partner it is declined',
      'What did the assessment decide?',
      'Declined by a policy rule',
    ]);
    expect(harness.runner.describeExecution(second).status).toBe('SUCCEEDED');
  });

  it('declines a registration from a domain that is not a partner company in HubSpot, saying why', async () => {
    const registrationId = await harness.submit({
      email: 'someone@unknown-reseller.net',
      partner_company_domain: 'unknown-reseller.net',
      customer_domain: 'contoso-two.com',
    });

    const record = await harness.registration(registrationId);
    expect(record.progress?.decision).toMatchObject({ outcome: 'reject', channel: 'auto' });
    expect(record.progress?.decision?.reason).toContain(
      'unknown-reseller.net is not a partner company in HubSpot',
    );
    const [mail] = await harness.mails({
      to: 'someone@unknown-reseller.net',
      template: 'registration-decision',
    });
    expect(mail?.text).toContain('unknown-reseller.net is not a partner company');
  });

  it('declines a registration in a currency the portal has not enabled for deals, before any approval, saying which it has', async () => {
    const registrationId = await harness.submit({ currency: 'CHF', customer_domain: 'contoso-chf.com' });

    const execution = harness.runner.describeExecution(registrationId);
    expect(execution.status).not.toBe('FAILED');
    const record = await harness.registration(registrationId);
    expect(record.progress?.decision).toMatchObject({ outcome: 'reject', channel: 'auto' });
    expect(record.progress?.decision?.reason).toContain(
      'The amount is in CHF, but deals in HubSpot can only be in AUD, CAD, EUR, GBP, JPY, USD',
    );
    expect(record.progress?.dealId).toBeUndefined();
    const mails = await harness.mails({ template: 'registration-decision' });
    expect(mails.some((mail) => mail.text.includes('The amount is in CHF'))).toBe(true);
  });
});
