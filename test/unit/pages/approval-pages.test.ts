import { describe, expect, it } from 'vitest';
import type { ApprovalTask } from '#domain/approvals/approval-task.ts';
import {
  renderAlreadyDecidedPage,
  renderPendingPage,
  renderSupersededPage,
  timeLeft,
} from '#pages/approval-pages.ts';
import { pageCsp } from '#pages/page-layout.ts';
import {
  approvalSubject,
  directActivityVerdict,
  newApprovalTask,
} from '#test/unit/approvals/approval-fixtures.ts';

const now = new Date('2026-11-24T09:00:00Z');
const hostile = '<script>alert(1)</script>"\'&';

function pendingTask(overrides: Partial<ApprovalTask> = {}): ApprovalTask {
  return { ...newApprovalTask(), status: 'pending', ...overrides };
}

describe('the approval confirmation page', () => {
  it('shows the registration, the conflict evidence and the deadline in the approver time zone', () => {
    const page = renderPendingPage(pendingTask(), 'v1.t.m', 'v1.n', now);

    expect(page).toContain('Acme Analytics (acme-analytics.example)');
    expect(page).toContain('€300,000.00 ($324,000.00)');
    expect(page).toContain('Meeting by Dana Direct on 2026-11-12');
    expect(page).toContain('Partner-sourced: the partner earns a 20% margin');
    expect(page).toContain('Decide by Thursday 26 November 2026, 17:00 GMT+1 (Europe/Berlin)');
    expect(page).toContain('2 days 7 hours left');
  });

  it('shows when the registration was received, and the time its form states when that is another', () => {
    const task = (subject: Parameters<typeof approvalSubject>[0]) =>
      renderPendingPage(pendingTask({ subject: approvalSubject(subject) }), 'v1.t.m', 'v1.n', now);

    const backdated = task({
      receivedAt: '2026-11-24T08:30:00.000Z',
      submittedAt: '2026-11-22T08:30:00.000Z',
    });
    const honest = task({ receivedAt: '2026-11-24T08:30:05.000Z', submittedAt: '2026-11-24T08:30:00.000Z' });
    const fromBefore = task({ submittedAt: '2026-11-24T08:30:00.000Z' });

    expect(backdated).toMatch(/Received at<\/th><td>Tuesday 24 November 2026, 09:30 /);
    expect(backdated).toMatch(/Submission time stated<\/th><td>Sunday 22 November 2026, 09:30 .*received/);
    expect(honest).toContain('Received at');
    expect(honest).not.toContain('Submission time stated');
    expect(fromBefore).toMatch(/Received at<\/th><td>Tuesday 24 November 2026, 09:30 /);
  });

  it('offers the four decisions as separate forms posting the token and nonce, with reasons required', () => {
    const page = renderPendingPage(pendingTask(), 'v1.t.m', 'v1.n', now);

    expect(page.match(/<form method="post"/g)).toHaveLength(4);
    expect(page.match(/name="t" value="v1\.t\.m"/g)).toHaveLength(4);
    expect(page.match(/name="nonce" value="v1\.n"/g)).toHaveLength(4);
    for (const decision of ['approve', 'approve-influenced', 'reject', 'request-info']) {
      expect(page).toContain(`name="decision" value="${decision}"`);
    }
    expect(page.match(/ required>/g)).toHaveLength(3);
  });

  it('has no script and nothing that submits by itself', () => {
    const page = renderPendingPage(pendingTask(), 'v1.t.m', 'v1.n', now);

    expect(page).not.toMatch(/<script|onload|onclick|http-equiv="refresh"|autofocus/i);
    expect(pageCsp).toContain("default-src 'none'");
    expect(pageCsp).toContain("form-action 'self'");
  });

  it('escapes every value the partner or approver typed', () => {
    const task = pendingTask({
      approver: { email: 'casey@vendor.example', name: hostile, timeZone: 'UTC' },
      subject: approvalSubject({
        customerCompanyName: hostile,
        dealDescription: hostile,
        verdict: directActivityVerdict({ reason: hostile }),
      }),
    });

    const page = renderPendingPage(task, `${hostile}`, 'v1.n', now);

    expect(page).not.toContain('<script>alert(1)');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;');
  });

  it('does not offer approval as influenced separately when the policy already gives influenced', () => {
    const task = pendingTask({
      subject: approvalSubject({ verdict: directActivityVerdict({ relationshipType: 'influenced' }) }),
    });

    const page = renderPendingPage(task, 't', 'n', now);

    expect(page).toContain('Approve as influenced');
    expect(page).not.toContain('value="approve-influenced"');
  });

  it('names who decided and when on the 409 page, and the new approver on the 410 page', () => {
    const task = pendingTask();
    const conflict = renderAlreadyDecidedPage(
      {
        choice: { outcome: 'reject', reason: 'duplicate' },
        decidedBy: { email: 'casey@vendor.example', name: 'Casey Channel' },
        decidedAt: '2026-11-24T10:15:00.000Z',
        channel: 'page',
        policyVersion: 'p',
        exception: false,
      },
      task.approver.timeZone,
    );
    const gone = renderSupersededPage(
      { name: 'Lee Leader', email: 'lee@vendor.example' },
      '2026-11-26T16:00:00Z',
    );

    expect(conflict).toContain('Casey Channel (casey@vendor.example) already rejected — duplicate');
    expect(conflict).toContain('Tuesday 24 November 2026, 11:15');
    expect(gone).toContain('escalated to Lee Leader (lee@vendor.example)');
  });

  it.each([
    [60 * 60_000 * 30 + 5 * 60_000, '1 day 6 hours left', false],
    [45 * 60_000, '45 minutes left', false],
    [-(2 * 60 + 1) * 60_000, 'overdue by 2 hours 1 minute', true],
  ])('counts down %i ms as "%s"', (ms, text, overdue) => {
    expect(timeLeft(new Date(now.getTime() + ms), now)).toEqual({ text, overdue });
  });
});
