import type { PartnerCentralSellingClient } from '@aws-sdk/client-partnercentral-selling';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PartnerCentralAwsReferrals } from '#adapters/partner-central/aws-referrals.ts';
import { partnerCentralClient } from '#adapters/partner-central/partner-central-client.ts';
import { RetryingCalls } from '#adapters/partner-central/retrying-calls.ts';
import {
  type PartnerCentralEvent,
  type RunningPartnerCentralStandIn,
  startPartnerCentralStandIn,
} from '#local/partner-central/index.ts';
import {
  CoSellConflictError,
  CoSellOpportunityNotFoundError,
  CoSellValidationError,
} from '#ports/partner-central-errors.ts';
import { exchangeProblems } from '#test/support/partner-central-contract.ts';

/**
 * AWS referrals: the real SDK client, through the adapter, against the stand-in's engagement
 * invitations; every request and answer checked against the SDK's model.
 */
let standIn: RunningPartnerCentralStandIn;
let client: PartnerCentralSellingClient;
let now = new Date('2026-12-07T09:00:00Z');
const delivered: PartnerCentralEvent[] = [];
const sleeps: number[] = [];

const referrals = () =>
  new PartnerCentralAwsReferrals(
    client,
    'Sandbox',
    new RetryingCalls({ sleep: async (ms) => void sleeps.push(ms), deadline: () => undefined }),
  );

const referral = {
  catalog: 'Sandbox',
  companyName: 'Northwind Traders',
  websiteUrl: 'https://northwind.example',
  countryCode: 'DE',
  industry: 'Software and Internet',
  projectTitle: 'Data platform migration',
  businessProblem: 'Move the on-premises warehouse to a managed analytics platform.',
  expectedMonthlySpendUsd: '12000',
  targetCompletionDate: '2027-03-31',
};

async function createReferral(body: Record<string, unknown>) {
  const response = await fetch(`${standIn.url}/_admin/referrals`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  standIn = await startPartnerCentralStandIn({
    now: () => now,
    eventSink: (event) => void delivered.push(event),
  });
  client = partnerCentralClient(
    { catalog: 'Sandbox', region: 'us-east-1', endpoint: standIn.url },
    { accessKeyId: 'local', secretAccessKey: 'local' },
  );
});

afterAll(async () => {
  await standIn.stop();
});

let checked = 0;
afterEach(() => {
  const exchanges = standIn.exchanges.slice(checked);
  checked = standIn.exchanges.length;
  expect(exchangeProblems(exchanges)).toEqual([]);
});

describe('AWS referrals against the Partner Central stand-in', () => {
  it('an admin referral becomes a pending invitation, announced by Engagement Invitation Created, read back by the adapter', async () => {
    const created = await createReferral(referral);
    expect(created.status).toBe(201);
    const id = String(created.body.Id);
    expect(id).toMatch(/^engi-[0-9a-z]{13}$/);
    await standIn.eventsDelivered();
    const event = delivered.at(-1);
    expect(event?.['detail-type']).toBe('Engagement Invitation Created');
    expect(event?.detail).toMatchObject({ catalog: 'Sandbox', engagementInvitation: { id } });

    const read = await referrals().get(id);
    expect(read).toMatchObject({
      invitationId: id,
      status: 'PENDING',
      customerCompanyName: 'Northwind Traders',
      customerWebsiteUrl: 'https://northwind.example',
      customerCountryCode: 'DE',
      projectTitle: 'Data platform migration',
      expectedSpend: [{ amount: '12000', currencyCode: 'USD', frequency: 'Monthly' }],
      senderCompanyName: 'AWS',
    });
    expect(read.expiresAt).toBe('2026-12-22T09:00:00.000Z');

    const listed = await referrals().list({ statuses: ['PENDING'] });
    expect(listed.referrals.map((r) => r.invitationId)).toContain(id);
  });

  it('accepting makes the invitation ACCEPTED and sends Engagement Invitation Accepted; a second answer conflicts', async () => {
    const id = String((await createReferral(referral)).body.Id);
    await referrals().accept(id);
    await standIn.eventsDelivered();
    expect(delivered.at(-1)?.['detail-type']).toBe('Engagement Invitation Accepted');
    expect((await referrals().get(id)).status).toBe('ACCEPTED');
    await expect(referrals().reject(id, 'Customer problem unclear')).rejects.toBeInstanceOf(
      CoSellConflictError,
    );
  });

  it('rejecting keeps the reason and sends Engagement Invitation Rejected', async () => {
    const id = String((await createReferral(referral)).body.Id);
    await referrals().reject(id, 'Customer problem unclear');
    await standIn.eventsDelivered();
    expect(delivered.at(-1)?.['detail-type']).toBe('Engagement Invitation Rejected');
    expect(await referrals().get(id)).toMatchObject({
      status: 'REJECTED',
      rejectionReason: 'Customer problem unclear',
    });
  });

  it('refuses, as AWS does, a rejection reason longer than 80 characters or on more than one line; the invitation stays pending', async () => {
    // "RejectEngagementInvitation": RejectionReason ^[\u0020-\u007E\u00A0-\uD7FF\uE000-\uFFFD]{1,80}$.
    const id = String((await createReferral(referral)).body.Id);
    await expect(referrals().reject(id, 'x'.repeat(81))).rejects.toBeInstanceOf(CoSellValidationError);
    await expect(
      referrals().reject(id, 'Duplicate of partner referral\nDR-3D848WSCQE2DPM1N'),
    ).rejects.toBeInstanceOf(CoSellValidationError);
    expect((await referrals().get(id)).status).toBe('PENDING');
    await referrals().reject(id, `Déjà enregistré — ${'y'.repeat(61)}`);
    expect((await referrals().get(id)).status).toBe('REJECTED');
  });

  it('an invitation past its expiry is EXPIRED, announced once, and can no longer be accepted', async () => {
    const id = String((await createReferral({ ...referral, expiresAt: '2026-12-08T09:00:00Z' })).body.Id);
    now = new Date('2026-12-08T09:00:01Z');
    const expire = await fetch(`${standIn.url}/_admin/engagement-invitations/expire`, { method: 'POST' });
    expect(await expire.json()).toMatchObject({ expired: 1 });
    await standIn.eventsDelivered();
    const expired = delivered.filter(
      (event) =>
        event['detail-type'] === 'Engagement Invitation Expired' &&
        'engagementInvitation' in event.detail &&
        event.detail.engagementInvitation.id === id,
    );
    expect(expired).toHaveLength(1);
    expect((await referrals().get(id)).status).toBe('EXPIRED');
    await expect(referrals().accept(id)).rejects.toBeInstanceOf(CoSellConflictError);
  });

  it('names what is wrong: an unknown invitation, a malformed id, and a referral missing its fields', async () => {
    await expect(referrals().get('engi-0000000000000')).rejects.toBeInstanceOf(
      CoSellOpportunityNotFoundError,
    );
    await expect(referrals().accept('not-an-invitation')).rejects.toBeInstanceOf(CoSellValidationError);
    const refused = await createReferral({ catalog: 'Sandbox', companyName: 'Northwind' });
    expect(refused.status).toBe(400);
    expect(String(refused.body.message)).toContain('websiteUrl');
    const badCountry = await createReferral({ ...referral, countryCode: 'XX' });
    expect(badCountry.status).toBe(400);
    expect(String(badCountry.body.message)).toContain('countryCode');
  });

  it('names every wrong field of a referral at once, and makes nothing', async () => {
    const before = standIn.invitations.all().length;
    const refused = await createReferral({
      ...referral,
      countryCode: 'XK',
      industry: 'Spaceships',
      expectedMonthlySpendUsd: '1,000',
      targetCompletionDate: '2027-02-30x',
      businessProblem: 'too short',
    });

    expect(refused.status).toBe(400);
    const message = String(refused.body.message);
    for (const field of [
      'countryCode',
      'industry',
      'expectedMonthlySpendUsd',
      'targetCompletionDate',
      'BusinessProblem',
    ])
      expect(message).toContain(field);
    expect(standIn.invitations.all()).toHaveLength(before);
  });

  it('cuts a long project title to the 40 characters of EngagementTitle at a whole character', async () => {
    const title = `${'A'.repeat(39)}\u{20BB7}\u{20BB7} migration`;
    const created = await createReferral({ ...referral, projectTitle: title });

    expect(created.status).toBe(201);
    expect(created.body.EngagementTitle).toBe(`${'A'.repeat(39)}\u{20BB7}`);
  });

  it('retries a throttled read', async () => {
    const id = String((await createReferral(referral)).body.Id);
    standIn.throttleNext(2, 'GetEngagementInvitation');
    const before = sleeps.length;
    expect((await referrals().get(id)).invitationId).toBe(id);
    expect(sleeps.length - before).toBe(2);
  });
});
