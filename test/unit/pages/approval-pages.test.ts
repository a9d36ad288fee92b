import { describe, expect, it } from 'vitest';
import type { ApprovalTask, RecordedDecision } from '#domain/approvals/approval-task.ts';
import {
  renderAlreadyDecidedPage,
  renderDecidedPage,
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

  it('names the marketplace, the conflict outcome, the rule and the close date as the approval email does', () => {
    const page = renderPendingPage(pendingTask(), 'v1.t.m', 'v1.n', now);

    expect(page).toContain('<th>Cloud marketplace</th><td>AWS Marketplace</td>');
    expect(page).toContain('<th>Expected close date</th><td>26 Feb 2027</td>');
    expect(page).toContain('Conflict check: Needs review');
    expect(page).toContain('decided by Direct-rep activity (direct-activity)');
    expect(page).not.toContain('Conflict check: needs-review');
  });

  it('names the intake finding that sent a registration to review, not "No rule fired", as the approval email does', () => {
    const subject = approvalSubject({
      verdict: {
        ...directActivityVerdict(),
        ruleId: 'no-conflict',
        reason: 'No rule fired. Submitted by pat@gmail.com, a free email address.',
        evidence: [],
        firedRules: [],
        intakeFindings: [
          { id: 'submitter-not-at-partner', reason: 'Submitted by pat@gmail.com, a free email address.' },
        ],
      },
    });
    const page = renderPendingPage(pendingTask({ subject }), 't', 'n', now);

    expect(page).toContain('Conflict check: Needs review');
    expect(page).toContain(
      'decided by Intake check: submitter not at the partner company (submitter-not-at-partner)',
    );
    expect(page).not.toContain('No rule fired (no-conflict)');
  });

  it('asks about an extension without offering relationship types that approving it would not record', () => {
    const subject = approvalSubject({
      request: { kind: 'extension', note: 'The partner asks to extend the registration by 90 days.' },
    });
    const page = renderPendingPage(pendingTask({ subject }), 't', 'n', now);

    expect(page).toContain('Extension: Acme Analytics');
    expect(page).not.toContain('<select');
    expect(page).not.toContain('the policy’s choice');
    expect(page).not.toContain('If approved: Partner-sourced');
    expect(page).toContain('>Approve the extension</button>');
    expect(page).toContain('>Refuse the extension</button>');
    expect(page).toContain('The relationship the registration was approved as does not change.');
    // The workflow approves or refuses an extension as a whole: a question would refuse it.
    expect(page).not.toContain('value="request-info"');
  });

  it('offers no question once the policy’s questions at this approval level are used, saying to decide', () => {
    const used = renderPendingPage(
      pendingTask({ subject: approvalSubject({ questionsLeft: 0 }) }),
      't',
      'n',
      now,
    );
    expect(used).not.toContain('value="request-info"');
    expect(used).toContain(
      'The policy allows no more questions to the partner at this approval level: approve or reject the registration.',
    );
    expect(used).toContain('value="approve"');
    expect(used).toContain('value="reject"');

    const left = renderPendingPage(
      pendingTask({ subject: approvalSubject({ questionsLeft: 1 }) }),
      't',
      'n',
      now,
    );
    expect(left).toContain('value="request-info"');
  });

  it('after an extension was decided, says the extension was approved or refused, not a relationship type', () => {
    const subject = approvalSubject({ request: { kind: 'extension', note: 'Extend by 90 days.' } });
    const decision: RecordedDecision = {
      choice: { outcome: 'approve', relationshipType: 'sourced' },
      decidedBy: { email: 'casey@vendor.example', name: 'Casey Channel' },
      decidedAt: '2026-11-24T10:15:00.000Z',
      channel: 'page',
      policyVersion: 'p',
      exception: false,
    };

    const decided = renderDecidedPage(pendingTask({ subject }), decision, true);
    const again = renderAlreadyDecidedPage(decision, 'UTC', { extension: true });
    const refused = renderDecidedPage(
      pendingTask({ subject }),
      { ...decision, choice: { outcome: 'reject', reason: 'The deal has gone quiet.' } },
      true,
    );

    expect(decided).toContain('Casey Channel (casey@vendor.example): approved the extension.');
    expect(again).toContain('approved the extension.');
    expect(refused).toContain('refused the extension — The deal has gone quiet.');
    expect(`${decided}${again}`).not.toContain('approved as sourced');
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

  it('offers the three decisions as separate forms posting the token and nonce, with reasons required', () => {
    const page = renderPendingPage(pendingTask(), 'v1.t.m', 'v1.n', now);

    expect(page.match(/<form method="post"/g)).toHaveLength(3);
    expect(page.match(/name="t" value="v1\.t\.m"/g)).toHaveLength(3);
    expect(page.match(/name="nonce" value="v1\.n"/g)).toHaveLength(3);
    for (const decision of ['approve', 'reject', 'request-info']) {
      expect(page).toContain(`name="decision" value="${decision}"`);
    }
    expect(page.match(/ required>/g)).toHaveLength(2);
  });

  it('offers every relationship type the policy prices, the verdict’s selected, a reason asked for any other', () => {
    const task = pendingTask({
      subject: approvalSubject({
        relationshipOptions: [
          { relationshipType: 'sourced', label: 'Partner-sourced', summary: 'Partner-sourced: 20% margin' },
          {
            relationshipType: 'influenced',
            label: 'Partner-influenced',
            summary: 'Partner-influenced: 10% margin',
          },
          { relationshipType: 'resell', label: 'Resell', summary: 'Resell: 25% margin' },
          { relationshipType: 'referral', label: 'Referral', summary: 'Referral: 10% referral fee' },
        ],
      }),
    });

    const page = renderPendingPage(task, 't', 'n', now);

    const options = [...page.matchAll(/<option value="([a-z]+)"( selected)?>([^<]*)<\/option>/g)];
    expect(options.map((o) => o[1])).toEqual(['sourced', 'influenced', 'resell', 'referral']);
    expect(options.filter((o) => o[2] !== undefined).map((o) => o[1])).toEqual(['sourced']);
    expect(options[0]?.[3]).toBe('Partner-sourced: 20% margin — the policy’s choice');
    expect(page).toContain(
      'Reason (required when you choose another relationship than the policy’s Partner-sourced',
    );
  });

  it('shows the second-level approver what the first level decided, its relationship selected', () => {
    const task = pendingTask({
      step: 'second-level',
      subject: approvalSubject({
        firstLevel: {
          approverName: 'Casey Channel',
          approvedAt: '2026-11-23T15:00:00.000Z',
          relationshipType: 'influenced',
          reason: 'Dana <Direct> met them first',
        },
      }),
    });

    const page = renderPendingPage(task, 't', 'n', now);

    expect(page).toContain(
      'Casey Channel approved the first level as Partner-influenced on Monday 23 November 2026, 16:00 GMT+1 (Europe/Berlin). Their reason: Dana &lt;Direct&gt; met them first',
    );
    const options = [...page.matchAll(/<option value="([a-z]+)"( selected)?>([^<]*)<\/option>/g)];
    expect(options.filter((o) => o[2] !== undefined).map((o) => o[1])).toEqual(['influenced']);
    expect(options[1]?.[3]).toBe('Partner-influenced — the first level’s choice');
    expect(options[0]?.[3]).toBe('Partner-sourced — the policy’s choice');
  });

  it('offers the bare relationship types on a task from before they were priced', () => {
    const page = renderPendingPage(pendingTask(), 't', 'n', now);

    expect([...page.matchAll(/<option value="[a-z]+"[^>]*>([^<]+)</g)].map((o) => o[1])).toEqual([
      'Partner-sourced — the policy’s choice',
      'Partner-influenced',
      'Resell',
      'Referral',
    ]);
    expect([...page.matchAll(/<option value="([a-z]+)"/g)].map((o) => o[1])).toEqual([
      'sourced',
      'influenced',
      'resell',
      'referral',
    ]);
  });

  it('says why an approver is asked when the conflict check is clear, naming the policy rule', () => {
    const reason =
      'The conflict check is clear, but the amount (USD 120,000.00) is not below the auto-approve limit of USD 25,000.00 (policy rule thresholds.autoApproveBelowUsd).';
    const task = pendingTask({
      subject: approvalSubject({
        verdict: directActivityVerdict({ outcome: 'clear', ruleId: 'no-conflict', evidence: [] }),
        approvalReason: reason,
      }),
    });

    const page = renderPendingPage(task, 't', 'n', now);

    expect(page).toContain('Conflict check: No conflict');
    expect(page).toContain(`<strong>Why you are asked:</strong> ${reason}`);
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
      task.approver.timeZone,
    );

    expect(conflict).toContain(
      'Your decision stands, as recorded: Decided on Tuesday 24 November 2026, 11:15 GMT+1 (Europe/Berlin) by Casey Channel (casey@vendor.example): rejected — duplicate.',
    );
    expect(gone).toContain(
      'escalated to Lee Leader (lee@vendor.example) on Thursday 26 November 2026, 17:00 GMT+1 (Europe/Berlin)',
    );
    expect(gone).not.toContain('2026-11-26T16:00');
  });

  it('ends the decision line with one full stop when the reason or question already ends a sentence', () => {
    const decided = (choice: RecordedDecision['choice']) =>
      renderAlreadyDecidedPage(
        {
          choice,
          decidedBy: { email: 'casey@vendor.example', name: 'Casey Channel' },
          decidedAt: '2026-11-24T10:15:00.000Z',
          channel: 'page',
          policyVersion: 'p',
          exception: false,
        },
        'UTC',
      );

    expect(decided({ outcome: 'reject', reason: 'Duplicate of DR-1.' })).toContain(
      'rejected — Duplicate of DR-1. Sending',
    );
    expect(decided({ outcome: 'request-info', question: 'Which product line?' })).toContain(
      'Casey Channel (casey@vendor.example): Which product line? Sending',
    );
    expect(decided({ outcome: 'approve', relationshipType: 'sourced' })).toContain(
      'approved as Partner-sourced. Sending',
    );
  });

  it('says the SLA default decided, not the placeholder decider, on the decided page', () => {
    const task = pendingTask();
    const page = renderDecidedPage(
      task,
      {
        choice: { outcome: 'approve', relationshipType: 'sourced', reason: 'Nobody decided' },
        decidedBy: { email: 'sla-default@dealreg.invalid', name: 'Policy default at the final deadline' },
        decidedAt: '2026-11-27T16:00:00.000Z',
        channel: 'sla-default',
        policyVersion: 'p',
        exception: false,
      },
      false,
    );

    expect(page).toContain('This registration was already decided');
    expect(page).toContain(
      'Decided on Friday 27 November 2026, 17:00 GMT+1 (Europe/Berlin) by the SLA default (nobody decided by the final deadline; policy rule sla.defaultDecision): approved as Partner-sourced',
    );
    expect(page).not.toContain('sla-default@dealreg.invalid');
  });

  it.each([
    [60 * 60_000 * 30 + 5 * 60_000, '1 day 6 hours left', false],
    [45 * 60_000, '45 minutes left', false],
    [-(2 * 60 + 1) * 60_000, 'overdue by 2 hours 1 minute', true],
  ])('counts down %i ms as "%s"', (ms, text, overdue) => {
    expect(timeLeft(new Date(now.getTime() + ms), now)).toEqual({ text, overdue });
  });
});
