import { describe, expect, it } from 'vitest';
import { loadPolicy } from '#domain/policy/load-policy.ts';
import { reasonForPartner } from '#domain/registration-status/reason-for-partner.ts';
import { registrationStatus } from '#domain/registration-status/registration-status.ts';
import { statusLinkExpiry } from '#domain/registration-status/status-link.ts';
import type { StoredRegistration } from '#domain/stored-registration.ts';
import { renderStatusPage } from '#pages/status-pages.ts';
import { offeredRegistration } from '#test/integration/extension-requests/extension-requests-harness.ts';

const now = new Date('2027-02-06T09:30:00Z');
const hostile = '<script>alert(1)</script>';

function record(overrides: Record<string, unknown> = {}): StoredRegistration {
  return offeredRegistration('reg-1', overrides) as StoredRegistration;
}

const decision = {
  outcome: 'approve' as const,
  relationshipType: 'sourced' as const,
  reason: 'No conflict found; the policy gives sourced.',
  decidedBy: { email: 'sla-default@dealreg.invalid', name: 'Policy default at the final deadline' },
  decidedAt: '2026-11-23T10:00:00.000Z',
  channel: 'sla-default' as const,
  policyVersion: 'sha256:0f3a9c1e5b7d99',
  exception: false,
};

describe('the partner status view', () => {
  it('offers the extension while the offer runs, and says when the expiry warning brings it otherwise', () => {
    const open = registrationStatus(record(), now);
    const later = registrationStatus(record(), new Date('2027-02-21T00:00:00Z'));
    const noOffer = registrationStatus(record({ extensionOffer: undefined }), now);

    expect(open.extension).toEqual({
      state: 'open',
      until: '2027-02-20T17:00:00.000Z',
      partnerEmail: 'Pat@Cloudsmiths.example',
    });
    expect(later.extension).toEqual({ state: 'with-expiry-warning' });
    expect(noOffer.extension).toEqual({ state: 'with-expiry-warning' });
    expect(open.protectedUntil).toBe('2027-02-20T17:00:00.000Z');
  });

  it('says what became of the extension asked for: waiting, approved, refused with the reason, nothing once expired', () => {
    const extensionRequest = {
      requestedAt: '2027-02-07T14:01:00.000Z',
      requestedBy: 'pat@cloudsmiths.example',
      reason: 'The board meets in March.',
    };
    const asked = registrationStatus(record({ extensionRequest }), now);
    const granted = registrationStatus(
      record({
        extensionOffer: undefined,
        extensionRequest,
        extensionDecision: { outcome: 'granted', decidedAt: '2027-02-08T15:00:00.000Z' },
      }),
      now,
    );
    const refused = registrationStatus(
      record({
        extensionOffer: undefined,
        extensionRequest,
        extensionDecision: {
          outcome: 'refused',
          decidedAt: '2027-02-08T15:00:00.000Z',
          reason: 'The deal has <gone> quiet.',
        },
      }),
      now,
    );
    const expired = registrationStatus(
      record({
        extensionOffer: undefined,
        extensionRequest,
        progress: { status: 'expired', updatedAt: now.toISOString(), expiredAt: now.toISOString() },
      }),
      now,
    );

    expect(renderStatusPage({ status: asked }, 'UTC')).toContain(
      'You asked for the extension on Sunday 7 February 2027, 14:01 UTC (UTC). An approver decides on it',
    );
    const grantedPage = renderStatusPage({ status: granted }, 'UTC');
    expect(grantedPage).toContain(
      'You asked for the extension on Sunday 7 February 2027, 14:01 UTC (UTC); it was approved on Monday 8 February 2027, 15:00 UTC (UTC)',
    );
    expect(grantedPage).not.toContain('An approver decides on it');
    const refusedPage = renderStatusPage({ status: refused }, 'UTC');
    expect(refusedPage).toContain(
      'You asked for the extension on Sunday 7 February 2027, 14:01 UTC (UTC); it was not approved (decided on Monday 8 February 2027, 15:00 UTC (UTC)).',
    );
    expect(refusedPage).toContain('The deal has &lt;gone&gt; quiet.');
    expect(refusedPage).not.toContain('An approver decides on it');
    expect(expired.extension).toEqual({ state: 'none' });
    expect(renderStatusPage({ status: expired }, 'UTC')).not.toContain('An approver decides on it');
  });

  it('keeps the rule’s reason and the approver’s reason apart when an approver decided against the rule', () => {
    const status = registrationStatus(
      record({
        progress: {
          status: 'declined',
          updatedAt: now.toISOString(),
          verdict: {
            ruleId: 'no-conflict',
            outcome: 'clear',
            relationshipType: 'sourced',
            reason: 'No other registration was found.',
          },
          decision: {
            ...decision,
            outcome: 'reject',
            relationshipType: undefined,
            reason: 'The direct team owns this account.',
            decidedBy: { email: 'cam@vendor.example', name: 'Cam Channel' },
            channel: 'page',
          },
        },
      }),
      now,
    );

    const page = renderStatusPage({ status }, 'UTC').replace(/<[^>]+>/g, '');

    expect(page).toContain('Rule no-conflict: No other registration was found.');
    expect(page).toContain('The approver’s reason: The direct team owns this account.');
    expect(page).not.toContain('Rule no-conflict: The direct team owns this account.');
  });

  it('names the deciding rule and who decided, the SLA default in words', () => {
    const status = registrationStatus(
      record({
        progress: { ...record().progress, decision, verdict: undefined },
      }),
      now,
    );

    expect(status.rule).toEqual({
      id: 'policy',
      reason: 'No conflict found; the policy gives sourced.',
      decidedBy:
        'Decided by the policy default, as nobody decided by the SLA deadline, policy version sha256:0f3a9.',
    });
  });

  it('does not show a passed SLA deadline, kept before the current one was, as the one to come', () => {
    const status = registrationStatus(
      record({
        progress: {
          status: 'in-review',
          updatedAt: now.toISOString(),
          sla: {
            requestedAt: '2027-02-01T14:00:00.000Z',
            deadline: '2027-02-03T22:00:00.000Z',
            reminders: 1,
            escalations: 1,
            defaulted: false,
            pausedHours: 0,
          },
        },
      }),
      now,
    );

    const page = renderStatusPage({ status }, 'America/New_York');
    expect(page).not.toContain('An approver decides by');
    expect(page).toContain(
      'The SLA deadline of Wednesday 3 February 2027, 17:00 EST (America/New_York) passed, so the registration went to the next approver.',
    );
  });

  it('says a closed-won deal keeps its protection and offers no extension', () => {
    const status = registrationStatus(
      record({
        progress: {
          status: 'approved',
          updatedAt: now.toISOString(),
          closedDeal: { outcome: 'won', stage: 'closedwon', protection: 'kept', at: now.toISOString() },
        },
      }),
      now,
    );

    expect(status.headline).toBe('Approved: the deal closed won, and your protection stays.');
    expect(status.extension).toEqual({ state: 'none' });
    expect(renderStatusPage({ status }, 'Europe/Berlin')).toContain(
      'The deal closed won (stage closedwon); under the policy your protection stays and does not expire.',
    );
  });

  it('renders times in the reader’s zone, names the zone, escapes what the partner typed and has no form', () => {
    const status = registrationStatus(
      record({ details: { ...record().details, customerCompanyName: hostile } }),
      now,
    );

    const page = renderStatusPage({ status, extensionUrl: 'extension?t=abc' }, 'Europe/Berlin');

    expect(page).toContain('Protected until Saturday 20 February 2027, 18:00 GMT+1 (Europe/Berlin)');
    expect(page).toContain('Times are in Europe/Berlin.');
    expect(page).toContain('href="extension?t=abc"');
    expect(page).not.toContain(hostile);
    expect(page).not.toMatch(/<form|<script/);
    expect(page).not.toContain('2027-02-20T17:00');
  });

  it('names the relationship as the emails do, not by its code', () => {
    const status = registrationStatus(record({ progress: { ...record().progress, decision } }), now);

    const page = renderStatusPage({ status }, 'UTC');

    expect(page).toMatch(/<th[^>]*>Relationship<\/th>\s*<td[^>]*>Partner-sourced<\/td>/);
  });
});

describe('another partner’s registration, as the partner reads of it', () => {
  const verdict = {
    ruleId: 'competing-partner' as const,
    outcome: 'reject' as const,
    relationshipType: null,
    reason:
      'Partner Rival Partners (rival.example) registered globex.com first (DR-RIVAL1, approved on 2026-11-02); the first registration wins and later registrations for the same customer are rejected.',
    intakeFindings: [{ id: 'close-date-beyond-horizon' as const, reason: 'The close date is far out.' }],
  };

  it('says another partner came first, not who, in what quotes the verdict; an approver’s own words stay', () => {
    const automatic = reasonForPartner(`${verdict.reason} Rejected under the policy.`, verdict);
    const approvers = reasonForPartner('Rival Partners was first; sorry.', verdict);
    const noConflict = reasonForPartner('No conflict (Rival Partners).', {
      ...verdict,
      ruleId: 'no-conflict',
    });

    expect(automatic).toBe(
      'Another partner registered this customer first; the first registration wins, so later registrations for the same customer are rejected. The close date is far out. Rejected under the policy.',
    );
    expect(approvers).toBe('Rival Partners was first; sorry.');
    expect(noConflict).toBe('No conflict (Rival Partners).');
  });
});

describe('how long a status link works', () => {
  const { policy } = loadPolicy({});

  it('runs until 30 days after the protection ends', () => {
    expect(statusLinkExpiry(policy, now, '2027-02-20T17:00:00.000Z').toISOString()).toBe(
      '2027-03-22T17:00:00.000Z',
    );
  });

  it('before the protection is known, covers the longest protection the policy allows, plus 30 days', () => {
    expect(statusLinkExpiry(policy, now, undefined).toISOString()).toBe('2027-09-04T09:30:00.000Z');
  });
});
