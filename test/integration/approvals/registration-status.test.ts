import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pageCsp } from '#pages/page-layout.ts';
import { escapeHtml } from '#rendering/html.ts';
import { clearVerdict } from '#test/support/verdicts.ts';
import { type StatusPagesApi, startStatusPagesApi } from './registration-status-harness.ts';

let harness: StatusPagesApi;

beforeAll(async () => {
  harness = await startStatusPagesApi();
});

afterAll(async () => {
  await harness.api.stop();
});

beforeEach(() => {
  harness.clock = new Date('2027-02-06T09:30:00Z');
});

async function open(link: string, init?: RequestInit) {
  const response = await fetch(link, init);
  return { status: response.status, body: await response.text(), headers: response.headers };
}

const inReview = {
  status: 'in-review',
  partnerName: 'Cloudsmiths',
  verdict: clearVerdict,
  sla: {
    requestedAt: '2027-02-05T09:00:00.000Z',
    deadline: '2027-02-09T16:00:00.000Z',
    reminders: 0,
    escalations: 0,
    defaulted: false,
    pausedHours: 0,
  },
  updatedAt: '2027-02-05T09:00:00.000Z',
};

describe('GET /registrations/{registrationId}/status', () => {
  it('shows an approved registration: protected until when, the deciding rule, and the open extension offer', async () => {
    const registrationId = await harness.store({
      progress: {
        status: 'approved',
        partnerName: 'Cloudsmiths',
        decision: {
          outcome: 'approve',
          relationshipType: 'sourced',
          reason: 'No conflict; approved as sourced.',
          decidedBy: { email: 'casey@vendor.example', name: 'Casey Channel' },
          decidedAt: '2026-11-23T10:00:00.000Z',
          channel: 'page',
          policyVersion: 'sha256:0f3a9c1e5b7d',
          exception: false,
        },
        verdict: { ...inReview.verdict },
        approvedAt: '2026-11-23T10:00:00.000Z',
        expiresAt: '2027-02-20T17:00:00.000Z',
        updatedAt: '2027-02-06T09:00:00.000Z',
      },
    });

    const page = await open(await harness.linkFor(registrationId));

    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(pageCsp);
    expect(page.body).toContain('Approved: you are protected on this deal.');
    expect(page.body).toContain('Protected until Saturday 20 February 2027, 18:00 GMT+1 (Europe/Berlin)');
    // The approver's own reason is shown as theirs, beside the rule's.
    expect(page.body).toContain(`Rule <code>no-conflict</code>: ${escapeHtml(clearVerdict.reason)}`);
    expect(page.body).toContain('The approver’s reason: No conflict; approved as sourced.');
    expect(page.body).toContain('Decided by an approver (Casey Channel)');
    expect(page.body).not.toContain('<form');
    const extensionHref = /href="(extension\?t=[^"]+)"/.exec(page.body)?.[1];
    expect(extensionHref).toBeDefined();

    const extension = await open(
      new URL(
        extensionHref?.replaceAll('&amp;', '&') ?? '',
        await harness.linkFor(registrationId),
      ).toString(),
    );
    expect(extension.status).toBe(200);
    expect(extension.body).toContain('Request the extension');
  });

  it('shows a registration in review with its SLA deadline and the rule, in the reader’s zone', async () => {
    const registrationId = await harness.store({
      progress: inReview,
      extensionOffer: undefined,
      extensionCallbackToken: undefined,
    });

    const page = await open(await harness.linkFor(registrationId));

    expect(page.status).toBe(200);
    expect(page.body).toContain('In review: an approver decides on it.');
    expect(page.body).toContain(
      'An approver decides by Tuesday 9 February 2027, 17:00 GMT+1 (Europe/Berlin) (the policy’s SLA deadline)',
    );
    expect(page.body).toContain('Rule <code>no-conflict</code>');
    expect(page.body).not.toContain('Ask for the extension');
    expect(page.body).not.toContain('2027-02-09T16:00');
  });

  it('answers 403 with a clear page to a tampered, expired or someone else’s link, and 405 to a POST', async () => {
    const registrationId = await harness.store();
    const link = await harness.linkFor(registrationId);
    const tampered = new URL(link);
    const token = tampered.searchParams.get('t') ?? '';
    tampered.searchParams.set('t', `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`);

    const [forged, expired, stranger, otherPurpose] = await Promise.all([
      open(tampered.toString()),
      open(await harness.linkFor(registrationId, { expiresAt: new Date('2027-02-01T00:00:00Z') })),
      open(await harness.linkFor(registrationId, { partnerEmail: 'mallory@elsewhere.example' })),
      open(link.replace('/status?', '/status?x=1&').replace(/t=[^&]+/, `t=${token}x`)),
    ]);
    const post = await open(link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'x=1',
    });

    expect([forged.status, expired.status, stranger.status, otherPurpose.status]).toEqual([
      403, 403, 403, 403,
    ]);
    expect(forged.body).toContain('This status link is not valid');
    expect(expired.body).toContain('This status link has expired');
    expect(expired.body).toContain('expired on Monday 1 February 2027');
    expect(stranger.body).toContain('This status link was issued to someone else');
    expect(post.status).toBe(405);
    for (const refused of [forged, expired, stranger]) expect(refused.body).not.toContain('Acme');
  });

  it('answers 404 for a registration that does not exist', async () => {
    const page = await open(await harness.linkFor('reg-unknown'));

    expect(page.status).toBe(404);
    expect(page.body).toContain('There is no registration reg-unknown.');
  });
});
