import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PartnerCentralAwsReferrals } from '#adapters/partner-central/aws-referrals.ts';
import { partnerCentralCatalogs } from '#adapters/partner-central/co-sell-catalogs.ts';
import { partnerCentralClient } from '#adapters/partner-central/partner-central-client.ts';
import { RetryingCalls } from '#adapters/partner-central/retrying-calls.ts';
import { ApprovalSigningKey } from '#domain/signed-links/signing-key.ts';
import { createAwsReferralsHandler } from '#handlers/aws-referrals-handler.ts';
import { createCoSellEventsHandler } from '#handlers/co-sell-events-handler.ts';
import { lambdaContext, type RunningApiServer, startApiServer } from '#local/api-server.ts';
import type { PartnerCentralEvent } from '#local/partner-central/events.ts';
import {
  type RunningPartnerCentralStandIn,
  startPartnerCentralStandIn,
} from '#local/partner-central/index.ts';
import { reviewAwsReferral } from '#use-cases/review-aws-referral.ts';
import { startWorkflowUnderTest, type WorkflowUnderTest } from './workflow-harness.ts';

/**
 * AWS referrals through the conflict check partner registrations get: the stand-in's referral
 * event, handed to the co-sell events handler, read with the real SDK client; the registrations
 * in DynamoDB Local and the customer's deals and activity in the HubSpot sandbox; the channel
 * manager's email in the local mailbox and the referral page served over HTTP.
 */
let standIn: RunningPartnerCentralStandIn;
let harness: WorkflowUnderTest;
let pages: RunningApiServer;
const signingKey = new ApprovalSigningKey('referral-test-signing-key-0123456789abcdef');
const delivered: PartnerCentralEvent[] = [];
const logger = new Logger({ serviceName: 'dealreg-aws-referrals-test', logLevel: 'ERROR' });

beforeAll(async () => {
  standIn = await startPartnerCentralStandIn({ eventSink: (event) => void delivered.push(event) });
  harness = await startWorkflowUnderTest({});
  const referralPages = createAwsReferralsHandler({ ...referralDeps(), logger });
  pages = await startApiServer({
    routes: [
      { method: 'GET', path: '/aws-referrals/{invitationId}', handler: referralPages },
      { method: 'POST', path: '/aws-referrals/{invitationId}', handler: referralPages },
    ],
  });
}, 60_000);

afterAll(async () => {
  await pages?.stop();
  await harness?.close();
  await standIn?.stop();
});

const client = () =>
  partnerCentralClient(
    { catalog: 'Sandbox', region: 'us-east-1', endpoint: standIn.url },
    { accessKeyId: 'local', secretAccessKey: 'local' },
  );
const referralDeps = () => ({
  book: harness.stores.book,
  crm: harness.sandbox.adapter,
  policy: harness.policy,
  usdRates: {},
  now: () => harness.clock.now(),
  referrals: () => new PartnerCentralAwsReferrals(client(), 'Sandbox', new RetryingCalls()),
  mailer: harness.mailbox,
  signingKey: async () => signingKey,
  // The pages' server is started after the handler it serves is made (which needs no base URL).
  apiBaseUrl: pages === undefined ? 'http://pages-not-started.invalid' : pages.url,
});

/** Opens the referral link mailed to the channel manager; returns the page and its form's fields. */
async function openReferralPage(invitationId: string) {
  const mails = await harness.mails({ to: 'channel-manager@example.com', template: 'aws-referral-review' });
  const link = mails
    .flatMap((mail) => mail.links)
    .find((candidate) => candidate.includes(`/aws-referrals/${invitationId}`));
  if (link === undefined) throw new Error(`no referral link for ${invitationId} was mailed`);
  const page = await fetch(link);
  const body = await page.text();
  const token = /name="t" value="([^"]+)"/.exec(body)?.[1] ?? '';
  const nonce = /name="nonce" value="([^"]+)"/.exec(body)?.[1] ?? '';
  const answer = async (fields: Record<string, string>) => {
    const response = await fetch(link.split('?')[0] ?? link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ t: token, nonce, ...fields }).toString(),
    });
    return { status: response.status, body: await response.text() };
  };
  return { link, status: page.status, body, answer };
}

function createdEvent(invitationId: string) {
  const created = delivered.find(
    (event) =>
      event['detail-type'] === 'Engagement Invitation Created' &&
      'engagementInvitation' in event.detail &&
      event.detail.engagementInvitation.id === invitationId,
  );
  expect(created).toBeDefined();
  return created;
}

/** The co-sell events handler as deployed with the referral review, on the stand-in and the harness's clock. */
const eventsHandler = () =>
  createCoSellEventsHandler({
    ...harness.stores,
    coSell: partnerCentralCatalogs(
      { endpoint: standIn.url },
      { credentials: { accessKeyId: 'l', secretAccessKey: 'l' } },
    ),
    now: () => harness.clock.now(),
    logger,
    referrals: referralDeps(),
  });

async function referAws(companyName: string, websiteUrl: string): Promise<string> {
  const response = await fetch(`${standIn.url}/_admin/referrals`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      catalog: 'Sandbox',
      companyName,
      websiteUrl,
      countryCode: 'US',
      industry: 'Software and Internet',
      projectTitle: 'Analytics migration',
      businessProblem: 'Move the reporting warehouse to a managed analytics service.',
      expectedMonthlySpendUsd: '2500',
      targetCompletionDate: '2027-06-30',
    }),
  });
  expect(response.status).toBe(201);
  await standIn.eventsDelivered();
  return String(((await response.json()) as { Id: string }).Id);
}

describe('an AWS referral', () => {
  it('for a customer another partner already registered: the conflict check names that registration', async () => {
    const registrationId = await harness.submit({
      customer_domain: 'referral-hooli.com',
      estimated_amount: '12000',
    });
    const invitationId = await referAws('Hooli', 'https://www.referral-hooli.com');

    const handler = eventsHandler();
    const created = delivered.find(
      (event) =>
        event['detail-type'] === 'Engagement Invitation Created' &&
        'engagementInvitation' in event.detail &&
        event.detail.engagementInvitation.id === invitationId,
    );
    expect(created).toBeDefined();
    const outcome = await handler(created, lambdaContext('dealreg-co-sell-events'));
    expect(outcome).toMatchObject({
      outcome: 'referral-checked',
      invitationId,
      reviewer: 'channel-manager@example.com',
    });
    expect(outcome && 'conflict' in outcome ? outcome.conflict : 'clear').not.toBe('clear');

    // The channel manager's email links to the referral page, which shows the conflict and its evidence.
    const page = await openReferralPage(invitationId);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Hooli');
    expect(page.body).toMatch(/Conflict check: (?!No conflict)/);
    expect(page.body).toMatch(
      /decided by (Duplicate registration|Competing partner|Direct-rep activity|Existing customer) /,
    );
    expect(page.body).toContain(registrationId);
    expect(page.body).toContain('id="accept"');

    const review = await reviewAwsReferral(referralDeps(), 'Sandbox', invitationId);
    expect(review.customerDomain).toBe('referral-hooli.com');
    expect(review.annualSpendUsdMinor).toBe(3_000_000);
    expect(
      review.verdict?.evidence.map((item) => ('registrationId' in item ? item.registrationId : item.kind)),
    ).toContain(registrationId);
  });

  it('naming the customer with nothing to match by ("—"): checked by its domain, and the review says so', async () => {
    const registrationId = await harness.submit({ customer_domain: 'referral-dash-name.com' });
    const invitationId = await referAws('—', 'https://www.referral-dash-name.com');
    const review = await reviewAwsReferral(referralDeps(), 'Sandbox', invitationId);
    expect(review.customerDomain).toBe('referral-dash-name.com');
    expect(review.verdict?.outcome).not.toBe('clear');
    expect(
      review.verdict?.evidence.map((item) => ('registrationId' in item ? item.registrationId : item.kind)),
    ).toContain(registrationId);
    expect(review.verdict?.reason).toContain(
      'The customer name "—" gives nothing to match by (no letters or digits): only the domain referral-dash-name.com was matched.',
    );
  });

  it('for a customer nobody registered or sells to: clear', async () => {
    const invitationId = await referAws('Pied Piper', 'https://piedpiper-referral.com');
    const review = await reviewAwsReferral(referralDeps(), 'Sandbox', invitationId);
    expect(review.verdict?.outcome).toBe('clear');
  });

  it('accepted: the stand-in’s invitation is accepted and the handler reads the new status from the event', async () => {
    const invitationId = await referAws('Initrode', 'https://initrode-referral.com');
    await referralDeps().referrals().accept(invitationId);
    await standIn.eventsDelivered();
    expect(standIn.invitations.all().find((item) => item.Id === invitationId)?.Status).toBe('ACCEPTED');
    const accepted = delivered.find(
      (event) =>
        event['detail-type'] === 'Engagement Invitation Accepted' &&
        'engagementInvitation' in event.detail &&
        event.detail.engagementInvitation.id === invitationId,
    );
    const handler = eventsHandler();
    expect(await handler(accepted, lambdaContext('dealreg-co-sell-events'))).toEqual({
      outcome: 'referral-status',
      invitationId,
      status: 'ACCEPTED',
    });
  });

  it('answered on the referral page: accept accepts the stand-in’s invitation; a second answer is refused', async () => {
    const invitationId = await referAws('Globex', 'https://globex-referral.com');
    await eventsHandler()(createdEvent(invitationId), lambdaContext('dealreg-co-sell-events'));
    const page = await openReferralPage(invitationId);
    expect(page.status).toBe(200);
    expect(page.body).toContain(
      'Conflict check: No conflict</strong> (decided by No rule fired (no-conflict)',
    );

    const accepted = await page.answer({ answer: 'accept' });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toContain('the referral is accepted');
    expect(standIn.invitations.all().find((item) => item.Id === invitationId)?.Status).toBe('ACCEPTED');

    const again = await page.answer({ answer: 'reject', reason: 'changed our mind' });
    expect(again.status).toBe(409);
    expect(again.body).toContain('already accepted');
    expect(standIn.invitations.all().find((item) => item.Id === invitationId)?.Status).toBe('ACCEPTED');
    // Opened again, the page says so and offers no buttons.
    const reopened = await fetch(page.link);
    const reopenedBody = await reopened.text();
    expect(reopened.status).toBe(200);
    expect(reopenedBody).not.toContain('id="accept"');
  });

  it('bad input on the referral page: 4xx naming what is wrong, the invitation stays pending', async () => {
    const invitationId = await referAws('Umbrella', 'https://umbrella-referral.com');
    await eventsHandler()(createdEvent(invitationId), lambdaContext('dealreg-co-sell-events'));
    const page = await openReferralPage(invitationId);
    const pending = () => standIn.invitations.all().find((item) => item.Id === invitationId)?.Status;

    const noReason = await page.answer({ answer: 'reject', reason: '  ' });
    expect(noReason.status).toBe(400);
    expect(noReason.body).toContain('reason is required: say why the referral is rejected');
    const unknown = await page.answer({ answer: 'maybe' });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toContain('answer');
    const forged = await fetch(page.link.replace(/t=[^&]+/, 't=forged'));
    expect(forged.status).toBe(403);
    const noNonce = await page.answer({ answer: 'accept', nonce: '' });
    expect(noNonce.status).toBe(403);
    expect(pending()).toBe('PENDING');

    // RejectEngagementInvitation takes one line of at most 80 characters.
    const tooLong = await page.answer({ answer: 'reject', reason: `Direct-only segment. ${'x'.repeat(70)}` });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body).toContain('may be at most 80 characters, as Partner Central takes it (it has 91)');
    const emoji = await page.answer({ answer: 'reject', reason: 'Not for us 🙅' });
    expect(emoji.status).toBe(400);
    expect(emoji.body).toContain('Partner Central takes letters, digits, punctuation and spaces only');
    expect(pending()).toBe('PENDING');

    const rejected = await page.answer({
      answer: 'reject',
      reason: '  The customer is in a\r\ndirect-only   segment.\n',
    });
    expect(rejected.status).toBe(200);
    expect(pending()).toBe('REJECTED');
    expect(standIn.invitations.all().find((item) => item.Id === invitationId)?.RejectionReason).toBe(
      'The customer is in a direct-only segment.',
    );
  });
});
