import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbApprovalStore } from '#adapters/dynamodb/approval-store.ts';
import { InvalidApprovalTaskError } from '#domain/approvals/errors.ts';
import { createApprovalsHandler } from '#handlers/approvals-handler.ts';
import { startApiServer } from '#local/api-server.ts';
import { pageCsp } from '#pages/page-layout.ts';
import { newApprovalTask, salesLeader } from '#test/unit/approvals/approval-fixtures.ts';
import { handOverGraceMs } from '#use-cases/signed-link-pages.ts';
import { type ApprovalsApi, startApprovalsApi } from './approvals-harness.ts';

let harness: ApprovalsApi;

beforeAll(async () => {
  harness = await startApprovalsApi();
});

afterAll(async () => {
  await harness.api.stop();
});

beforeEach(() => {
  harness.callback.resumed.length = 0;
  harness.callback.failures = 0;
  harness.clock = new Date('2026-11-24T09:00:00Z');
});

const userAgent = 'Mozilla/5.0 (integration test)';

async function openPage(link: string): Promise<{ status: number; body: string; headers: Headers }> {
  const response = await fetch(link, { headers: { 'user-agent': userAgent } });
  return { status: response.status, body: await response.text(), headers: response.headers };
}

/** The hidden fields of the page's forms, as the browser would post them. */
function pageFields(body: string): { t: string; nonce: string } {
  const t = /name="t" value="([^"]*)"/.exec(body)?.[1];
  const nonce = /name="nonce" value="([^"]*)"/.exec(body)?.[1];
  if (t === undefined || nonce === undefined) throw new Error('the page has no decision form');
  return { t, nonce };
}

async function post(
  link: string,
  fields: Record<string, string>,
  contentType = 'application/x-www-form-urlencoded',
) {
  const url = new URL(link);
  url.search = '';
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': contentType, 'user-agent': userAgent },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: response.status, body: await response.text() };
}

async function decideFromPage(link: string, fields: Record<string, string>) {
  const page = await openPage(link);
  return post(link, { ...pageFields(page.body), ...fields });
}

describe('GET /approvals/{approvalId}', () => {
  it('renders the confirmation page with a strict CSP and changes nothing, however often it is opened', async () => {
    const { task, link } = await harness.open();

    const first = await openPage(link);
    const second = await openPage(link);

    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(first.body).toContain('Acme Analytics');
    expect(first.headers.get('content-security-policy')).toBe(pageCsp);
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(first.headers.get('referrer-policy')).toBe('no-referrer');
    const stored = await harness.store.get(task.approvalId);
    expect(stored?.status).toBe('pending');
    expect(stored?.decision).toBeUndefined();
    expect(harness.callback.resumed).toEqual([]);
  });

  it('logs each view with the user agent and source IP', async () => {
    const { task, link } = await harness.open();

    await openPage(link);
    await openPage(link);

    const views = await harness.store.listViews(task.approvalId);
    expect(views).toHaveLength(2);
    expect(views[0]).toEqual({ at: '2026-11-24T09:00:00.000Z', userAgent, sourceIp: '127.0.0.1' });
  });

  it('answers 403 to a tampered, expired, wrong-approver or missing token and records no view', async () => {
    const { task, link } = await harness.open();
    const url = new URL(link);
    const token = url.searchParams.get('t') ?? '';
    const tampered = new URL(link);
    tampered.searchParams.set('t', `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`);
    const missing = new URL(link);
    missing.search = '';

    const responses = await Promise.all([
      openPage(tampered.toString()),
      openPage(await harness.linkFor(task.approvalId, { approverEmail: 'mallory@vendor.example' })),
      openPage(
        await harness.linkFor(task.approvalId, {
          approverEmail: task.approver.email,
          expiresAt: new Date('2026-11-24T08:59:00Z'),
        }),
      ),
      openPage(missing.toString()),
    ]);

    expect(responses.map((r) => r.status)).toEqual([403, 403, 403, 403]);
    expect(responses[0]?.body).toContain('This approval link is not valid');
    expect(responses[1]?.body).toContain('issued to another approver');
    expect(responses[2]?.body).toContain('This approval link has expired');
    expect(await harness.store.listViews(task.approvalId)).toEqual([]);
  });

  it('shows an expired link to a decided approval who decided, when and what, in the approver’s zone', async () => {
    const { task, link } = await harness.open();
    await decideFromPage(link, { decision: 'reject', reason: 'Duplicate of an earlier deal' });
    const expired = await harness.linkFor(task.approvalId, {
      approverEmail: task.approver.email,
      expiresAt: new Date('2026-11-24T09:30:00Z'),
    });
    harness.clock = new Date('2026-11-25T09:00:00Z');

    const page = await openPage(expired);
    const stranger = await openPage(
      await harness.linkFor(task.approvalId, {
        approverEmail: 'mallory@vendor.example',
        expiresAt: new Date('2026-11-24T09:30:00Z'),
      }),
    );

    expect(page.status).toBe(200);
    expect(page.body).toContain('This registration was already decided');
    expect(page.body).toContain(
      'Decided on Tuesday 24 November 2026, 10:00 GMT+1 (Europe/Berlin) by Casey Channel (casey@vendor.example): rejected — Duplicate of an earlier deal.',
    );
    expect(stranger.status).toBe(403);
    expect(stranger.body).not.toContain('Duplicate of an earlier deal');
  });

  it('tells the expiry of a link to an undecided approval in the approver’s zone, not UTC', async () => {
    const { task } = await harness.open();

    const page = await openPage(
      await harness.linkFor(task.approvalId, {
        approverEmail: task.approver.email,
        expiresAt: new Date('2026-11-24T08:59:00Z'),
      }),
    );

    expect(page.status).toBe(403);
    expect(page.body).toContain(
      'The approval link expired on Tuesday 24 November 2026, 09:59 GMT+1 (Europe/Berlin)',
    );
    expect(page.body).not.toContain('08:59:00.000Z');
  });

  it('answers 404 for an approval that does not exist', async () => {
    const response = await openPage(
      await harness.linkFor('apr-unknown', { approverEmail: 'casey@vendor.example' }),
    );

    expect(response.status).toBe(404);
  });
});

describe('POST /approvals/{approvalId}', () => {
  it('records the decision with who, when, user agent and IP, and hands it to the workflow once', async () => {
    const { task, link } = await harness.open();

    const response = await decideFromPage(link, {
      decision: 'approve',
      relationshipType: 'influenced',
      reason: 'Direct rep met them first',
    });

    expect(response.status).toBe(200);
    expect(response.body).toContain(
      'Decided on Tuesday 24 November 2026, 10:00 GMT+1 (Europe/Berlin) by Casey Channel (casey@vendor.example): approved as Partner-influenced',
    );
    const stored = await harness.store.get(task.approvalId);
    expect(stored?.status).toBe('decided');
    expect(stored?.decision).toEqual({
      choice: { outcome: 'approve', relationshipType: 'influenced', reason: 'Direct rep met them first' },
      decidedBy: { email: 'casey@vendor.example', name: 'Casey Channel' },
      decidedAt: '2026-11-24T09:00:00.000Z',
      channel: 'page',
      policyVersion: 'sha256:0f3a9c1e5b7d',
      exception: true,
      access: { at: '2026-11-24T09:00:00.000Z', userAgent, sourceIp: '127.0.0.1' },
    });
    expect(stored?.handedOverAt).toBe('2026-11-24T09:00:00.000Z');
    expect(harness.callback.resumed).toEqual([{ approvalId: task.approvalId, decision: stored?.decision }]);
  });

  it('answers a second decision with 409 naming who decided and when, and keeps the first', async () => {
    const { task, link } = await harness.open();
    const page = await openPage(link);
    await post(link, {
      ...pageFields(page.body),
      decision: 'reject',
      reason: 'Duplicate of an earlier deal',
    });

    const second = await post(link, { ...pageFields(page.body), decision: 'approve' });

    expect(second.status).toBe(409);
    expect(second.body).toContain(
      'by Casey Channel (casey@vendor.example): rejected — Duplicate of an earlier deal',
    );
    expect((await harness.store.get(task.approvalId))?.decision?.choice.outcome).toBe('reject');
    expect(harness.callback.resumed).toHaveLength(1);
  });

  it('lets exactly one of ten simultaneous decisions win', async () => {
    const { task, link } = await harness.open();
    const fields = pageFields((await openPage(link)).body);

    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        post(link, { ...fields, decision: 'reject', reason: `reason ${i}` }),
      ),
    );

    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([200, ...Array(9).fill(409)]);
    expect(harness.callback.resumed).toHaveLength(1);
    expect(harness.callback.resumed[0]?.approvalId).toBe(task.approvalId);
  });

  it('approves as resell, a type the verdict did not give, with the reason recorded as an exception', async () => {
    const { task, link } = await harness.open();

    const response = await decideFromPage(link, {
      decision: 'approve',
      relationshipType: 'resell',
      reason: 'They transact it through their AWS account',
    });

    expect(response.status).toBe(200);
    const stored = await harness.store.get(task.approvalId);
    expect(stored?.decision).toMatchObject({
      choice: {
        outcome: 'approve',
        relationshipType: 'resell',
        reason: 'They transact it through their AWS account',
      },
      exception: true,
    });
  });

  it('answers 400 naming the reason when the choice departs from the verdict without one, and decides nothing', async () => {
    const { task, link } = await harness.open();

    const referral = await decideFromPage(link, { decision: 'approve', relationshipType: 'referral' });
    const unknown = await decideFromPage(link, {
      decision: 'approve',
      relationshipType: 'reseller',
      reason: 'x',
    });

    expect(referral.status).toBe(400);
    expect(referral.body).toContain(
      'reason is required to approve as referral where the policy gives sourced',
    );
    expect(unknown.status).toBe(400);
    expect(unknown.body).toContain('relationshipType must be one of sourced, influenced, resell, referral');
    const stored = await harness.store.get(task.approvalId);
    expect(stored?.status).toBe('pending');
    expect(stored?.decision).toBeUndefined();
    expect(harness.callback.resumed).toEqual([]);
  });

  it('answers 400 naming the missing reason or question and records nothing', async () => {
    const { task, link } = await harness.open();

    const reject = await decideFromPage(link, { decision: 'reject', reason: '  ' });
    const info = await decideFromPage(link, { decision: 'request-info' });

    expect(reject.status).toBe(400);
    expect(reject.body).toContain('reason is required to reject a registration');
    expect(info.status).toBe(400);
    expect(info.body).toContain('question is required');
    expect((await harness.store.get(task.approvalId))?.status).toBe('pending');
  });

  it('answers 403 to a decision without the page nonce, with another page nonce, or after the page went stale', async () => {
    const { task, link } = await harness.open();
    const other = await harness.open();
    const token = new URL(link).searchParams.get('t') ?? '';
    const otherNonce = pageFields((await openPage(other.link)).body).nonce;
    const ownNonce = pageFields((await openPage(link)).body).nonce;

    const withoutNonce = await post(link, { t: token, decision: 'approve' });
    const foreignNonce = await post(link, { t: token, nonce: otherNonce, decision: 'approve' });
    harness.clock = new Date('2026-11-24T09:31:00Z');
    const staleNonce = await post(link, { t: token, nonce: ownNonce, decision: 'approve' });

    expect([withoutNonce.status, foreignNonce.status, staleNonce.status]).toEqual([403, 403, 403]);
    expect(staleNonce.body).toContain('open the link from your email again');
    expect((await harness.store.get(task.approvalId))?.status).toBe('pending');
  });

  it('answers 415 to a body that is not the page form', async () => {
    const { link } = await harness.open();
    const fields = pageFields((await openPage(link)).body);

    const response = await post(link, { ...fields, decision: 'approve' }, 'application/json');

    expect(response.status).toBe(415);
  });

  it('answers 413 to a form larger than two full text areas could make, and records nothing', async () => {
    const { task, link } = await harness.open();
    const fields = pageFields((await openPage(link)).body);

    const response = await post(link, { ...fields, decision: 'reject', reason: '谁'.repeat(5000) });

    expect(response.status).toBe(413);
    expect((await harness.store.get(task.approvalId))?.status).toBe('pending');
  });
});

describe('escalated approvals', () => {
  it('answers the superseded link with 410 naming the new approver, on GET and on POST', async () => {
    const { task, link } = await harness.open();
    const fields = pageFields((await openPage(link)).body);
    await harness.store.supersede(task.approvalId, {
      approvalId: 'apr-next',
      approver: salesLeader,
      at: '2026-11-26T16:00:00.000Z',
      reason: 'SLA deadline passed',
    });

    const view = await openPage(link);
    const decision = await post(link, { ...fields, decision: 'approve' });

    expect(view.status).toBe(410);
    expect(view.body).toContain('escalated to Lee Leader (lee@vendor.example)');
    expect(decision.status).toBe(410);
    expect(harness.callback.resumed).toEqual([]);
  });

  it('still names the new approver (410) when the superseded link has expired since', async () => {
    const { task } = await harness.open();
    await harness.store.supersede(task.approvalId, {
      approvalId: 'apr-next',
      approver: salesLeader,
      at: '2026-11-26T16:00:00.000Z',
      reason: 'SLA deadline passed',
    });
    const expired = await harness.linkFor(task.approvalId, {
      approverEmail: task.approver.email,
      expiresAt: new Date('2026-11-30T16:00:00Z'),
    });
    const stranger = await harness.linkFor(task.approvalId, {
      approverEmail: 'mallory@vendor.example',
      expiresAt: new Date('2026-11-30T16:00:00Z'),
    });
    harness.clock = new Date('2026-12-07T09:00:00Z');

    const view = await openPage(expired);
    const decision = await post(expired, { decision: 'approve' });
    const other = await openPage(stranger);

    expect(view.status).toBe(410);
    expect(view.body).toContain('escalated to Lee Leader (lee@vendor.example)');
    expect(view.body).not.toContain('Use the link in the most recent email');
    expect([403, 410]).toContain(decision.status);
    expect(other.status).toBe(403);
    expect(other.body).not.toContain('Lee Leader');
    expect(harness.callback.resumed).toEqual([]);
  });

  it('tells the escalation that lost the race which decision won', async () => {
    const { task, link } = await harness.open();
    await decideFromPage(link, { decision: 'approve' });

    const result = await harness.store.supersede(task.approvalId, {
      approver: salesLeader,
      at: '2026-11-26T16:00:00.000Z',
      reason: 'SLA deadline passed',
    });

    expect(result.applied).toBe(false);
    expect(result.task.decision?.choice).toEqual({ outcome: 'approve', relationshipType: 'sourced' });
  });
});

describe('handing the decision to the workflow', () => {
  it('keeps a decision whose hand-over failed and hands it over when the link is opened again', async () => {
    const { task, link } = await harness.open();
    harness.callback.failures = 1;

    const response = await decideFromPage(link, { decision: 'approve' });
    const afterFailure = await harness.store.get(task.approvalId);
    const tooSoon = await openPage(link);
    const resumedTooSoon = harness.callback.resumed.length;
    harness.clock = new Date(harness.clock.getTime() + handOverGraceMs);
    const reopened = await openPage(link);

    expect(response.status).toBe(503);
    expect(afterFailure?.status).toBe('decided');
    expect(afterFailure?.handedOverAt).toBeUndefined();
    expect(tooSoon.status).toBe(200);
    expect(resumedTooSoon).toBe(0);
    expect(reopened.status).toBe(200);
    expect(reopened.body).toContain('already decided');
    expect(harness.callback.resumed.map((r) => r.approvalId)).toEqual([task.approvalId]);
    expect((await harness.store.get(task.approvalId))?.handedOverAt).toBeDefined();
  });

  it('opening the same approval twice for the same step returns the stored task', async () => {
    const { task } = await harness.open();

    const again = await harness.store.create(task);

    expect(again.approvalId).toBe(task.approvalId);
    expect(again.status).toBe('pending');
  });
});

describe('opening approval tasks', () => {
  it('refuses a task with an invalid approver email or deadline, naming the fields, and stores nothing', async () => {
    const task = newApprovalTask({
      approver: { email: 'not-an-email', name: 'Casey', timeZone: 'UTC' },
      deadline: 'next Tuesday',
    });

    const opening = harness.store.create(task);

    await expect(opening).rejects.toThrow(InvalidApprovalTaskError);
    await expect(opening).rejects.toThrow(/approver\.email: .*deadline: /);
    expect(await harness.store.get(task.approvalId)).toBeUndefined();
  });
});

describe('when the store fails', () => {
  it('answers 500 with a page that gives no internal details', async () => {
    const broken = createApprovalsHandler({
      store: new DynamoDbApprovalStore(harness.documentClient, 'no-such-table'),
      callback: harness.callback,
      signingKey: async () => harness.key,
      now: () => harness.clock,
      logger: new Logger({ logLevel: 'CRITICAL' }),
    });
    const api = await startApiServer({
      routes: [{ method: 'GET', path: '/approvals/{approvalId}', handler: broken }],
    });
    const link = (await harness.linkFor('apr-1', { approverEmail: 'casey@vendor.example' })).replace(
      harness.api.url,
      api.url,
    );

    const response = await openPage(link);
    await api.stop();

    expect(response.status).toBe(500);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.body).toContain('Something went wrong');
    expect(response.body).not.toMatch(/ResourceNotFound|no-such-table/);
  });
});
