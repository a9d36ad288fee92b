import { describe, expect, it } from 'vitest';
import { renderSlaDefaultDecidedEmail } from '#emails/sla-default-decided.ts';

const hostile = '<script>alert(1)</script>';

describe('the email telling an approver the SLA default decided', () => {
  const email = renderSlaDefaultDecidedEmail({
    approvalId: 'apr-1',
    registrationId: 'reg-1',
    approver: { name: 'Casey Channel', email: 'casey@vendor.example', timeZone: 'Europe/Berlin' },
    customerCompanyName: `Acme ${hostile}`,
    partner: 'Cloudsmiths',
    outcome: 'approved as Partner-sourced',
    decidedAt: new Date('2026-12-08T16:00:00Z'),
    finalDeadline: new Date('2026-12-08T16:00:00Z'),
    reviewUrl: 'https://api.example/approvals/apr-1?t=abc',
  });

  it('says what the default decided and when, in the approver’s zone, naming the policy rule', () => {
    expect(email.to).toEqual(['casey@vendor.example']);
    expect(email.template).toBe('sla-default-decided');
    expect(email.text).toContain(
      'so the policy default (rule sla.defaultDecision) decided on Tuesday 8 December 2026, 17:00 GMT+1 (Europe/Berlin): approved as Partner-sourced.',
    );
    expect(email.html).toContain('href="https://api.example/approvals/apr-1?t=abc"');
    expect(email.text).not.toContain('16:00:00');
  });

  it('escapes what the partner typed in the HTML part', () => {
    expect(email.html).not.toContain(hostile);
    expect(email.html).toContain('&lt;script&gt;');
  });

  it('keeps the subject on one line when the customer name the partner typed spans lines', () => {
    const multiLine = renderSlaDefaultDecidedEmail({
      approvalId: 'apr-2',
      registrationId: 'reg-2',
      approver: { name: 'Casey Channel', email: 'casey@vendor.example', timeZone: 'Europe/Berlin' },
      customerCompanyName: 'Acme\r\nBcc: everyone@example.com',
      partner: 'Cloud\nsmiths',
      outcome: 'rejected',
      decidedAt: new Date('2026-12-08T16:00:00Z'),
      finalDeadline: new Date('2026-12-08T16:00:00Z'),
      reviewUrl: 'https://api.example/approvals/apr-2?t=abc',
    });

    expect(multiLine.subject).toBe('Decided by the SLA default: Acme Bcc: everyone@example.com (rejected)');
    expect(multiLine.text).toContain(
      'Nobody decided the registration of Acme Bcc: everyone@example.com by Cloud smiths',
    );
  });
});
