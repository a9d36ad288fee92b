import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalDeadlines } from '#domain/policy/approval-deadlines.ts';
import { startWorkflowUnderTest, type WorkflowUnderTest, workflowPeople } from './workflow-harness.ts';

const { partner, channelManager, director, vpSales } = workflowPeople;

/**
 * Every path of the approval loop, on the definition the synthesised stack deploys, against DynamoDB Local and the
 * HubSpot sandbox, decided over HTTP from the emailed links. Default policy: auto-approve below
 * USD 25,000, second level from USD 250,000; reminder after 24, escalation after 48, the default
 * (approve) after 72 business hours of the New York calendar; channel manager, then the director
 * of partnerships; VP sales for the second level.
 */

let harness: WorkflowUnderTest;

beforeAll(async () => {
  harness = await startWorkflowUnderTest();
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

async function waitingFor(registrationId: string) {
  const record = await harness.registration(registrationId);
  expect(record.progress?.status).toBe('in-review');
  return record;
}

describe('registrations an approver decides', () => {
  it('direct-rep activity → needs review → the approver approves it as influenced, linked to the open deal', async () => {
    const registrationId = await harness.submit({
      customer_company_name: 'Globex Corporation',
      customer_domain: 'globex.com',
      estimated_amount: '15000',
    });
    const record = await waitingFor(registrationId);
    expect(record.progress?.verdict).toMatchObject({
      outcome: 'needs-review',
      ruleId: 'direct-activity',
      relationshipType: 'influenced',
    });
    const [request] = await harness.mails({ to: channelManager, template: 'approval-request' });
    expect(request?.text).toContain('Globex');

    const decided = await harness.decide(channelManager, 'approve');
    expect(decided.status).toBe(200);

    const approved = await harness.registration(registrationId);
    expect(approved.progress).toMatchObject({
      status: 'approved',
      decision: { outcome: 'approve', relationshipType: 'influenced', channel: 'page', exception: false },
      dealId: '401',
    });
    const chain = await harness.ledgerChain('401');
    // HubSpot had deal 401 before the ledger did: its chain opens with the deal as HubSpot has it.
    expect(chain.map((entry) => entry.type)).toEqual([
      'OpportunityCreated',
      'RegistrationApproved',
      'PartnerAttached',
    ]);
    expect(chain[0]).toMatchObject({
      dealName: 'Globex – data platform',
      stage: 'presentationscheduled',
      amount: { amountMinor: 18_000_000, currency: 'USD', usdMinor: 18_000_000 },
    });
    expect(chain[2]).toMatchObject({ partnerId: '201', relationshipType: 'influenced', registrationId });
    expect(harness.statesVisited(registrationId)).toEqual([
      'Assess registration',
      'Assess or register?',
      'Normalise registration',
      'Check for channel conflict',
      'Route by verdict',
      'Hand over to an approver',
      'What did the assessment decide?',
      'Ask approver',
      'Wait for approver decision',
      'Record approver decision',
      'What was decided?',
      'Register the approved deal',
      'Assess or register?',
      'Register deal in HubSpot',
      'Share with AWS co-sell',
      'Tell partner it is approved',
      'Wait until expiry warning',
    ]);
  });

  it('the approver rejects with a reason; the partner is told why', async () => {
    const registrationId = await harness.submit({
      customer_domain: 'reject-me.com',
      estimated_amount: '40000',
    });
    await waitingFor(registrationId);

    await harness.decide(channelManager, 'reject', {
      reason: 'The customer is in a territory we do not serve.',
    });

    const record = await harness.registration(registrationId);
    expect(record.progress).toMatchObject({
      status: 'declined',
      decision: {
        outcome: 'reject',
        channel: 'page',
        reason: 'The customer is in a territory we do not serve.',
      },
    });
    const [mail] = await harness
      .mails({ to: partner, template: 'registration-decision' })
      .then((mails) => mails.filter((candidate) => candidate.text.includes('reject-me.com')));
    expect(mail?.text).toContain('territory we do not serve');
    expect(harness.runner.describeExecution(registrationId).status).toBe('SUCCEEDED');

    // The confirmation and the decision both link to the partner's status page, which says where it stands.
    const [received] = (await harness.mails({ to: partner, template: 'registration-received' })).filter(
      (candidate) => candidate.text.includes('reject-me.com'),
    );
    const statusLinks = [received, mail].map((sent) =>
      sent?.links.find((link) => link.includes(`/registrations/${registrationId}/status?t=`)),
    );
    expect(statusLinks.every((link) => link !== undefined)).toBe(true);
    const page = await fetch(statusLinks[1] ?? '');
    const body = await page.text();
    expect(page.status).toBe(200);
    expect(body).toContain('Declined: the deal is not registered and no protection applies.');
    expect(body).toContain('The customer is in a territory we do not serve.');
    expect(body).toContain('Decided by an approver');
  });

  it('request for information → the partner resubmits → the same approver decides with the clock resumed', async () => {
    const registrationId = await harness.submit({
      customer_domain: 'question.com',
      estimated_amount: '40000',
    });
    await waitingFor(registrationId);

    await harness.decide(channelManager, 'request-info', {
      question: 'Which products does the customer evaluate?',
    });
    expect((await harness.registration(registrationId)).progress?.status).toBe('awaiting-information');
    const [asked] = await harness.mails({ to: partner, template: 'information-request' });
    expect(asked?.text).toContain('Which products does the customer evaluate?');

    const resubmission = await harness.submit({
      customer_domain: 'question.com',
      estimated_amount: '45000',
      deal_description: 'Evaluating Platform and Analytics',
    });
    expect((await harness.registration(resubmission)).progress).toMatchObject({
      status: 'merged',
      answers: registrationId,
    });
    expect(harness.statesVisited(resubmission).at(-1)).toBe('Answer handed to the earlier registration');
    expect((await harness.registration(registrationId)).progress?.status).toBe('in-review');
    const requests = await harness.mails({ to: channelManager, template: 'approval-request' });
    const toDecide = requests.filter((mail) => mail.text.includes('question.com'));
    expect(toDecide).toHaveLength(2);
    // The second request says it holds the partner's answer to the question.
    expect(toDecide[1]?.text).toContain('in answer to the question asked');

    await harness.decide(channelManager, 'approve');
    expect((await harness.registration(registrationId)).progress?.status).toBe('approved');
    expect(harness.statesVisited(registrationId)).toContain("Resume approval with the partner's answer");
  });

  it('a second question at the same level is refused once the policy’s one is used: the approver decides, and the workflow stays within its year', async () => {
    const registrationId = await harness.submit({
      customer_domain: 'second-question.com',
      estimated_amount: '40000',
    });
    await waitingFor(registrationId);
    expect(harness.policy.policy.sla.maxQuestions).toBe(1);

    await harness.decide(channelManager, 'request-info', { question: 'Who signs?' });
    await harness.submit({ customer_domain: 'second-question.com', estimated_amount: '40000' });
    expect((await harness.registration(registrationId)).progress?.status).toBe('in-review');

    const [resumed] = (await harness.mails({ to: channelManager, template: 'approval-request' }))
      .filter((mail) => mail.text.includes('second-question.com'))
      .slice(-1);
    const link = resumed?.links.find((candidate) => candidate.includes('/approvals/')) ?? '';
    const page = await (await fetch(link)).text();
    expect(page).not.toContain('value="request-info"');
    expect(page).toContain('The policy allows no more questions to the partner at this approval level');

    const again = await harness.decideLink(link, 'request-info', { question: 'And who pays?' });
    expect(again.status).toBe(400);
    expect(again.body).toContain('the policy allows no more questions to the partner at this approval level');
    expect((await harness.registration(registrationId)).progress?.status).toBe('in-review');
    expect(
      (await harness.mails({ to: partner, template: 'information-request' })).filter((mail) =>
        mail.text.includes('second-question.com'),
      ),
    ).toHaveLength(1);

    await harness.decideLink(link, 'approve');
    expect((await harness.registration(registrationId)).progress?.status).toBe('approved');
  });

  it('reminder, then a decision: the approver is reminded at the reminder time and decides after it', async () => {
    const registrationId = await harness.submit({
      customer_domain: 'remind-me.com',
      estimated_amount: '40000',
    });
    const requestedAt = harness.clock.now();
    await waitingFor(registrationId);
    const { reminderAt } = approvalDeadlines(harness.policy.policy, requestedAt);

    await harness.clock.setTo(new Date(reminderAt.getTime() + 60_000).toISOString());

    const reminders = (await harness.mails({ to: channelManager, template: 'approval-reminder' })).filter(
      (mail) => mail.text.includes('remind-me.com'),
    );
    expect(reminders).toHaveLength(1);
    expect((await harness.registration(registrationId)).progress?.sla).toMatchObject({
      reminders: 1,
      escalations: 0,
    });
    await harness.decide(channelManager, 'approve');
    expect((await harness.registration(registrationId)).progress?.status).toBe('approved');
    expect(harness.statesVisited(registrationId)).toContain('Remind approver');
  });

  it('escalation: at the SLA deadline the director gets it, the first link answers 410, the director decides', async () => {
    const registrationId = await harness.submit({
      customer_domain: 'escalate-me.com',
      estimated_amount: '40000',
    });
    const requestedAt = harness.clock.now();
    await waitingFor(registrationId);
    const { escalationAt } = approvalDeadlines(harness.policy.policy, requestedAt);

    await harness.clock.setTo(new Date(escalationAt.getTime() + 60_000).toISOString());

    const escalations = (await harness.mails({ to: director, template: 'approval-escalation' })).filter(
      (mail) => mail.text.includes('escalate-me.com'),
    );
    expect(escalations).toHaveLength(1);
    const stale = await harness.decide(channelManager, 'approve');
    expect(stale.status).toBe(410);
    expect(stale.body).toContain(director);
    await harness.decide(director, 'approve');
    const record = await harness.registration(registrationId);
    expect(record.progress).toMatchObject({
      status: 'approved',
      decision: { decidedBy: { email: director } },
      sla: { reminders: 1, escalations: 1, defaulted: false },
    });
  });

  it('nobody decides: the policy default approves at the final deadline and says so', async () => {
    const registrationId = await harness.submit({
      customer_domain: 'nobody-decides.com',
      estimated_amount: '40000',
    });
    const requestedAt = harness.clock.now();
    await waitingFor(registrationId);
    const { finalAt } = approvalDeadlines(harness.policy.policy, requestedAt);

    await harness.clock.setTo(new Date(finalAt.getTime() + 60_000).toISOString());

    const record = await harness.registration(registrationId);
    expect(record.progress).toMatchObject({
      status: 'approved',
      decision: { outcome: 'approve', channel: 'sla-default', relationshipType: 'sourced' },
      sla: { reminders: 1, escalations: 1, defaulted: true },
    });
    const visited = harness.statesVisited(registrationId);
    expect(visited.filter((state) => state === 'Which SLA deadline passed?')).toHaveLength(3);
    expect(visited).toEqual(
      expect.arrayContaining(['Remind approver', 'Escalate to next approver', 'Apply the policy default']),
    );
    const told = (await harness.mails({ template: 'sla-default-decided' })).filter((mail) =>
      mail.text.includes(registrationId),
    );
    expect(told).toHaveLength(1);
    expect(told[0]?.text).toContain('decided on');
    expect(told[0]?.text).toContain(': approved as Partner-sourced.');
  });

  it('a large deal needs two levels: the channel manager, then VP sales', async () => {
    const registrationId = await harness.submit({
      customer_domain: 'big-deal.com',
      estimated_amount: '300000',
    });
    await waitingFor(registrationId);

    await harness.decide(channelManager, 'approve');
    const afterFirst = await harness.registration(registrationId);
    expect(afterFirst.progress).toMatchObject({
      status: 'in-review',
      firstLevel: { approverName: 'Channel Manager' },
    });
    const [second] = (await harness.mails({ to: vpSales, template: 'approval-request' })).filter((mail) =>
      mail.text.includes('big-deal.com'),
    );
    expect(second?.subject).toMatch(/second-level/i);
    expect(second?.text).toContain(
      'Why you are asked: The amount (USD 300,000.00) is at or above USD 250,000.00, so a second approval level is needed',
    );

    await harness.decide(vpSales, 'approve');
    expect((await harness.registration(registrationId)).progress).toMatchObject({
      status: 'approved',
      decision: { decidedBy: { email: vpSales } },
    });
    expect(harness.statesVisited(registrationId).filter((state) => state === 'Ask approver')).toHaveLength(2);
  });

  it('the second level keeps the first level’s relationship and reason, on a plain approve and at the SLA default', async () => {
    const confirmed = await harness.submit({
      customer_domain: 'keep-influenced.com',
      estimated_amount: '300000',
    });
    const defaulted = await harness.submit({
      customer_domain: 'keep-by-default.com',
      estimated_amount: '300000',
    });
    const firstLevel = async (registrationId: string, domain: string) => {
      await waitingFor(registrationId);
      const [request] = (await harness.mails({ to: channelManager, template: 'approval-request' })).filter(
        (mail) => mail.text.includes(domain),
      );
      const link = request?.links.find((candidate) => candidate.includes('/approvals/')) ?? '';
      const decided = await harness.decideLink(link, 'approve', {
        relationshipType: 'influenced',
        reason: 'Dana (direct) met them first',
      });
      expect(decided.status).toBe(200);
      const [second] = (await harness.mails({ to: vpSales, template: 'approval-request' })).filter((mail) =>
        mail.text.includes(domain),
      );
      return second;
    };

    await firstLevel(confirmed, 'keep-influenced.com');
    const secondRequestedAt = harness.clock.now();
    await harness.decide(vpSales, 'approve');
    const second = await firstLevel(defaulted, 'keep-by-default.com');
    const { finalAt } = approvalDeadlines(harness.policy.policy, secondRequestedAt);
    await harness.clock.setTo(new Date(finalAt.getTime() + 3_600_000).toISOString());

    expect((await harness.registration(confirmed)).progress).toMatchObject({
      status: 'approved',
      decision: {
        relationshipType: 'influenced',
        reason: 'Dana (direct) met them first',
        decidedBy: { email: vpSales },
        exception: true,
      },
    });
    expect(second?.text).toContain("the policy's default applies: approved as Partner-influenced.");
    expect((await harness.registration(defaulted)).progress).toMatchObject({
      status: 'approved',
      decision: { relationshipType: 'influenced', channel: 'sla-default', exception: true },
    });
  });
});
