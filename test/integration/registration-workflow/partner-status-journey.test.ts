import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDeadline } from '#domain/business-hours/format-deadline.ts';
import { approvalDeadlines } from '#domain/policy/approval-deadlines.ts';
import { startWorkflowUnderTest, type WorkflowUnderTest, workflowPeople } from './workflow-harness.ts';

const { partner, channelManager } = workflowPeople;

/**
 * What the partner reads while an approver decides: the status page their emails link to, as the
 * SLA timers move the registration on (DynamoDB Local, the HubSpot sandbox, the deployed
 * definition on the local runner). Default policy: escalation after 48, the default after 72
 * business hours of the New York calendar.
 */

let harness: WorkflowUnderTest;

beforeAll(async () => {
  // Without REGISTRATION_FORM_URL, which a deployment may leave unset.
  harness = await startWorkflowUnderTest({ registrationFormUrl: null });
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

async function statusPage(registrationId: string): Promise<string> {
  const link = (await harness.mails({ to: partner }))
    .flatMap((mail) => mail.links)
    .find((candidate) => candidate.includes(`/registrations/${registrationId}/status?t=`));
  if (link === undefined) throw new Error(`no status link for ${registrationId}`);
  const page = await fetch(link);
  expect(page.status).toBe(200);
  return (await page.text()).replace(/<[^>]+>/g, '');
}

const inNewYork = (at: Date) => formatDeadline(at, 'America/New_York');

describe('the partner’s status page while an approver decides', () => {
  it('names when the policy default applies, and after the escalation no deadline that has passed', async () => {
    const registrationId = await harness.submit({
      customer_domain: 'status-sla.com',
      estimated_amount: '40000',
    });
    const { escalationAt, finalAt } = approvalDeadlines(harness.policy.policy, harness.clock.now());

    const waiting = await statusPage(registrationId);
    expect(waiting).toContain(`An approver decides by ${inNewYork(escalationAt)}`);
    expect(waiting).toContain(
      `If nobody has decided by ${inNewYork(finalAt)}, the policy’s default decision applies.`,
    );

    await harness.clock.setTo(new Date(escalationAt.getTime() + 60_000).toISOString());
    const escalated = await statusPage(registrationId);
    expect(escalated).toContain(`An approver decides by ${inNewYork(finalAt)}`);
    expect(escalated).not.toContain(inNewYork(escalationAt));
  });

  it('while the partner is asked a question, says the SLA clock is paused and how to answer, not a deadline', async () => {
    const registrationId = await harness.submit(
      { customer_domain: 'status-question.com', estimated_amount: '40000' },
      { pageUrl: 'https://partners.example.com/register-a-deal' },
    );
    const { escalationAt } = approvalDeadlines(harness.policy.policy, harness.clock.now());
    await harness.decide(channelManager, 'request-info', { question: 'Who is the sponsor?' });

    const page = await statusPage(registrationId);
    expect(page).toContain('Waiting for your answer');
    expect(page).toContain('The approval clock (SLA) is paused until you answer');
    expect(page).not.toContain('An approver decides by');
    expect(page).not.toContain(inNewYork(escalationAt));
  });
});

describe('the question to the partner', () => {
  it('without a configured form address, links the form the partner submitted, the answer that resumes it', async () => {
    await harness.submit(
      { customer_domain: 'question-link.com', estimated_amount: '40000' },
      { pageUrl: 'https://partners.example.com/register-a-deal' },
    );
    await harness.decide(channelManager, 'request-info', { question: 'Which products?' });

    const [asked] = (await harness.mails({ to: partner, template: 'information-request' })).filter((mail) =>
      mail.text.includes('question-link.com'),
    );
    expect(asked?.text).toContain('Submit the deal registration form again');
    expect(asked?.links).toContain('https://partners.example.com/register-a-deal');
  });

  it('says by when to answer, what happens otherwise, and that only the form resumes the approval', async () => {
    await harness.submit(
      { customer_domain: 'question-deadline.com', estimated_amount: '40000' },
      { pageUrl: 'https://partners.example.com/register-a-deal' },
    );
    const askedAt = harness.clock.now();
    await harness.decide(channelManager, 'request-info', { question: 'Which products?' });
    const [asked] = (await harness.mails({ to: partner, template: 'information-request' })).filter((mail) =>
      mail.text.includes('question-deadline.com'),
    );

    // The workflow declines a question left unanswered for 10 days.
    const answerBy = inNewYork(new Date(askedAt.getTime() + 10 * 86_400_000));
    expect(asked?.text).toContain(`Answer by ${answerBy}`);
    expect(asked?.text).toContain('the registration is declined');
    expect(asked?.text).not.toContain('Or write to');
  });
});

describe('the status page after the registration ended', () => {
  it('a status link opened after it expired says when, in the zone the page and the emails use', async () => {
    const registrationId = await harness.submit({
      customer_domain: 'status-ended.com',
      estimated_amount: '9000',
    });
    const expiresAt = new Date((await harness.registration(registrationId)).progress?.expiresAt ?? '');
    const link = (await harness.mails({ to: partner }))
      .flatMap((mail) => mail.links)
      .find((candidate) => candidate.includes(`/registrations/${registrationId}/status?t=`));
    const linkExpiresAt = new Date(expiresAt.getTime() + 30 * 86_400_000);

    await harness.clock.setTo(new Date(linkExpiresAt.getTime() + 86_400_000).toISOString());
    const page = await fetch(link ?? '');

    expect(page.status).toBe(403);
    const text = (await page.text()).replace(/<[^>]+>/g, '');
    expect(text).toContain(`The status link expired on ${inNewYork(linkExpiresAt)}.`);
  });
});

describe('a question the partner left unanswered', () => {
  it('declines it saying the answer did not come, not that nobody decided by the SLA deadline, and how to try again', async () => {
    const registrationId = await harness.submit(
      { customer_domain: 'question-unanswered.com', estimated_amount: '40000' },
      { pageUrl: 'https://partners.example.com/register-a-deal' },
    );
    await harness.decide(channelManager, 'request-info', { question: 'Who signs?' });

    await harness.clock.setTo(new Date(harness.clock.now().getTime() + 11 * 86_400_000).toISOString());

    expect((await harness.registration(registrationId)).progress?.status).toBe('declined');
    const [declined] = (await harness.mails({ to: partner, template: 'registration-decision' })).filter(
      (mail) => mail.text.includes('question-unanswered.com'),
    );
    expect(declined?.text).toContain('because the approver’s question was not answered in time');
    expect(declined?.text).toContain("The partner did not answer the approver's question within 10 days.");
    expect(declined?.text).toContain('submit the registration form again');
    expect(declined?.text).not.toMatch(/SLA|Nobody decided/);
    const page = await statusPage(registrationId);
    expect(page).toContain('Declined');
    expect(page).toContain('your answer to the approver’s question did not arrive');
    expect(page).not.toContain('nobody decided by the SLA deadline');
    // The rule is the conflict check's; the decline is not one of its reasons.
    expect(page).not.toMatch(/Rule no-conflict: The partner did not answer/);
  });
});

describe('the partner’s answer to a question', () => {
  it('is acknowledged: the approval goes on, by when the approver decides, and the status link of the registration it answers', async () => {
    const registrationId = await harness.submit(
      { customer_domain: 'question-answered.com', estimated_amount: '40000' },
      { pageUrl: 'https://partners.example.com/register-a-deal' },
    );
    await harness.decide(channelManager, 'request-info', { question: 'Who signs?' });
    await harness.clock.setTo(new Date(harness.clock.now().getTime() + 3_600_000).toISOString());

    const resubmission = await harness.submit({
      customer_domain: 'question-answered.com',
      estimated_amount: '40000',
      deal_description: 'The CFO signs.',
    });

    const decideBy = (await harness.registration(registrationId)).progress?.sla?.decideBy ?? '';
    const acknowledged = (await harness.mails({ to: partner, template: 'registration-received' })).filter(
      (mail) => mail.text.includes('question-answered.com') && mail.subject.startsWith('Answer received'),
    );
    expect(acknowledged).toHaveLength(1);
    const [mail] = acknowledged;
    expect(mail?.text).toContain(`Reference: ${registrationId}`);
    expect(mail?.text).toContain(resubmission);
    expect(mail?.text).toContain(`An approver decides by ${inNewYork(new Date(decideBy))}`);
    expect(mail?.text).toContain('Description: The CFO signs.');
    expect(mail?.links.some((link) => link.includes(`/registrations/${registrationId}/status?t=`))).toBe(
      true,
    );
    const page = await statusPage(registrationId);
    expect(page).toContain('In review');
  });
});

describe('what a partner is told of another partner’s registration', () => {
  it('the status page of a later registration says another partner came first, without naming them or their registration', async () => {
    const first = await harness.submit({ customer_domain: 'contested.com', estimated_amount: '9000' });
    expect((await harness.registration(first)).progress?.status).toBe('approved');
    await harness.clock.setTo(new Date(harness.clock.now().getTime() + 3_600_000).toISOString());

    const later = await harness.submit({
      customer_domain: 'contested.com',
      estimated_amount: '9000',
      email: 'riley@rival-partners.io',
      partner_company_domain: 'rival-partners.io',
    });

    const record = await harness.registration(later);
    expect(record.progress?.verdict?.ruleId).toBe('competing-partner');
    const link = (await harness.mails({ to: 'riley@rival-partners.io' }))
      .flatMap((mail) => mail.links)
      .find((candidate) => candidate.includes(`/registrations/${later}/status?t=`));
    const page = (await (await fetch(link ?? '')).text()).replace(/<[^>]+>/g, '');
    expect(page).toContain('Another partner registered this customer first');
    expect(page).not.toContain('Northwind');
    expect(page).not.toContain('northwind-partners.com');
    expect(page).not.toContain(first);
  });
});

describe('a registration the partner sent twice', () => {
  it('declines the second as a duplicate saying the first still stands, not that no protection applies', async () => {
    const first = await harness.submit({ customer_domain: 'sent-twice.com', estimated_amount: '9000' });
    await harness.clock.setTo(new Date(harness.clock.now().getTime() + 3_600_000).toISOString());

    const second = await harness.submit({ customer_domain: 'sent-twice.com', estimated_amount: '9000' });

    expect((await harness.registration(second)).progress?.verdict?.ruleId).toBe('duplicate');
    const [declined] = (await harness.mails({ to: partner, template: 'registration-decision' })).filter(
      (mail) => mail.text.includes(`Reference: ${second}`),
    );
    expect(declined?.text).toContain(`Your registration ${first} of this customer stands as it is`);
    expect(declined?.text).not.toContain('no protection applies');
    const page = await statusPage(second);
    expect(page).toContain(
      'Declined as a duplicate: your earlier registration of this customer stands as it is.',
    );
    expect(page).not.toContain('no protection applies');
  });
});
