import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PartnerCentralAwsReferrals } from '#adapters/partner-central/aws-referrals.ts';
import { partnerCentralCatalogs } from '#adapters/partner-central/co-sell-catalogs.ts';
import { partnerCentralClient } from '#adapters/partner-central/partner-central-client.ts';
import { RetryingCalls } from '#adapters/partner-central/retrying-calls.ts';
import { createCoSellEventsHandler } from '#handlers/co-sell-events-handler.ts';
import { lambdaContext } from '#local/api-server.ts';
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
 * in DynamoDB Local and the customer's deals and activity in the HubSpot sandbox.
 */
let standIn: RunningPartnerCentralStandIn;
let harness: WorkflowUnderTest;
const delivered: PartnerCentralEvent[] = [];
const logger = new Logger({ serviceName: 'dealreg-aws-referrals-test', logLevel: 'ERROR' });

beforeAll(async () => {
  standIn = await startPartnerCentralStandIn({ eventSink: (event) => void delivered.push(event) });
  harness = await startWorkflowUnderTest({});
}, 60_000);

afterAll(async () => {
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

    const handler = createCoSellEventsHandler({
      ...harness.stores,
      coSell: partnerCentralCatalogs(
        { endpoint: standIn.url },
        { credentials: { accessKeyId: 'l', secretAccessKey: 'l' } },
      ),
      now: () => harness.clock.now(),
      logger,
      referrals: referralDeps(),
    });
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

    const review = await reviewAwsReferral(referralDeps(), 'Sandbox', invitationId);
    expect(review.customerDomain).toBe('referral-hooli.com');
    expect(review.annualSpendUsdMinor).toBe(3_000_000);
    expect(
      review.verdict?.evidence.map((item) => ('registrationId' in item ? item.registrationId : item.kind)),
    ).toContain(registrationId);
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
    const handler = createCoSellEventsHandler({
      ...harness.stores,
      coSell: partnerCentralCatalogs(
        { endpoint: standIn.url },
        { credentials: { accessKeyId: 'l', secretAccessKey: 'l' } },
      ),
      now: () => harness.clock.now(),
      logger,
      referrals: referralDeps(),
    });
    expect(await handler(accepted, lambdaContext('dealreg-co-sell-events'))).toEqual({
      outcome: 'referral-status',
      invitationId,
      status: 'ACCEPTED',
    });
  });
});
