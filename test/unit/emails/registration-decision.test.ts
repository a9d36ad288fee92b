import { describe, expect, it } from 'vitest';
import { EmailTemplateInputError } from '#emails/email-template-input-error.ts';
import {
  type RegistrationDecisionEmailInput,
  renderRegistrationDecisionEmail,
} from '#emails/registration-decision.ts';
import { registration, verdict } from './registration-email-fixtures.ts';

type Decision = RegistrationDecisionEmailInput['decision'];

function input(decision: Decision, overrides: Partial<RegistrationDecisionEmailInput> = {}) {
  return {
    to: 'pat@acme-partners.example',
    registration: registration(),
    decision,
    timeZone: 'America/New_York',
    policyVersion: 'pv-3f9a2c',
    supportEmail: 'partners@vendor.example',
    ...overrides,
  } satisfies RegistrationDecisionEmailInput;
}

const approvedByCam: Decision = {
  outcome: 'approved',
  decidedThrough: 'approver',
  decidedBy: 'Cam Channel',
  decidedAt: '2026-11-25T15:30:00Z',
  relationshipType: 'influenced',
  relationshipLabel: 'Partner-influenced',
  compensation: verdict().compensation ?? undefined,
  validUntil: '2027-02-23T15:30:00Z',
};

describe('the decision email to the submitter', () => {
  it('says who approved it, as which relationship, and until when it protects the deal', () => {
    const email = renderRegistrationDecisionEmail(input(approvedByCam));

    expect(email.to).toEqual(['pat@acme-partners.example']);
    expect(email.template).toBe('registration-decision');
    expect(email.subject).toBe(
      'Approved as Partner-influenced: your deal registration for Globex GmbH, protected until 23 Feb 2027',
    );
    expect(email.text).toContain(
      'Cam Channel approved your registration of the deal with Globex GmbH as Partner-influenced on Wednesday 25 November 2026, 10:30 EST (America/New_York).',
    );
    expect(email.text).toContain(
      'The registration protects this deal until Tuesday 23 February 2027, 10:30 EST (America/New_York).',
    );
    expect(email.html).toContain('Tuesday 23 February 2027, 10:30 EST (America/New_York)');
  });

  it('tells the partner their side of the compensation, not the direct rep’s', () => {
    const email = renderRegistrationDecisionEmail(input(approvedByCam));

    expect(email.text).toContain(
      'Partner-influenced registrations earn a 10% margin: USD 32,400.00 on the registered amount.',
    );
    expect(email.text).not.toContain('quota');
    expect(email.html).not.toContain('quota');
  });

  it('quotes the approver’s reason when they departed from the rule', () => {
    const email = renderRegistrationDecisionEmail(
      input({
        ...approvedByCam,
        override: {
          policyRelationshipLabel: 'Partner-sourced',
          reason: 'The direct rep met the customer first.\nSee the deal notes.',
        },
      } as Decision),
    );

    expect(email.text).toContain(
      'The policy’s rule gave Partner-sourced; it was approved as Partner-influenced instead, for this reason:\n> The direct rep met the customer first.\n> See the deal notes.',
    );
  });

  it('says plainly when the SLA default decided, not a person', () => {
    const email = renderRegistrationDecisionEmail(
      input({ ...approvedByCam, decidedThrough: 'sla-default', decidedBy: undefined } as Decision),
    );

    expect(email.text).toContain(
      'Your registration of the deal with Globex GmbH was approved as Partner-influenced by the SLA default on Wednesday 25 November 2026',
    );
    expect(email.text).toContain(
      'Nobody decided on it within the approval time limit (SLA), so the policy’s default decision was applied. No person made this decision.',
    );
    expect(renderRegistrationDecisionEmail(input(approvedByCam)).text).not.toContain('SLA');
  });

  it('says an automatic approval was automatic', () => {
    const email = renderRegistrationDecisionEmail(
      input({ ...approvedByCam, decidedThrough: 'auto', decidedBy: undefined } as Decision),
    );

    expect(email.text).toContain('was approved automatically as Partner-influenced');
  });

  it('gives the reason of a rejection and says no protection applies', () => {
    const email = renderRegistrationDecisionEmail(
      input({
        outcome: 'rejected',
        decidedThrough: 'approver',
        decidedBy: 'Cam Channel',
        decidedAt: '2026-11-25T15:30:00Z',
        reason: 'Another partner registered Globex first.',
      }),
    );

    expect(email.subject).toBe('Not approved: your deal registration for Globex GmbH');
    expect(email.text).toContain(
      'Cam Channel did not approve your registration of the deal with Globex GmbH',
    );
    expect(email.text).toContain('The reason:\n> Another partner registered Globex first.');
    expect(email.text).toContain('The deal is not registered and no protection applies.');
    expect(email.text).not.toContain('protects this deal until');
  });

  it('says a rejection by the SLA default came from the policy', () => {
    const email = renderRegistrationDecisionEmail(
      input({
        outcome: 'rejected',
        decidedThrough: 'sla-default',
        decidedAt: '2026-11-25T15:30:00Z',
        reason: 'The policy rejects registrations nobody decided on in time.',
      }),
    );

    expect(email.text).toContain('was not approved by the SLA default');
    expect(email.text).toContain('No person made this decision.');
  });

  it('says a decline for an unanswered question was for that, not the SLA, and how to try again; it never approves', () => {
    const email = renderRegistrationDecisionEmail(
      input({
        outcome: 'rejected',
        decidedThrough: 'unanswered-question',
        decidedAt: '2026-11-25T15:30:00Z',
        reason: "The partner did not answer the approver's question within 10 days.",
      }),
    );

    expect(email.text).toContain(
      'was declined on Wednesday 25 November 2026, 10:30 EST (America/New_York), because the approver’s question was not answered in time.',
    );
    expect(email.text).toContain('submit the registration form again with the missing details');
    expect(email.html).toContain('submit the registration form again with the missing details');
    expect(email.text).not.toMatch(/SLA|No person made/);
    expect(() =>
      renderRegistrationDecisionEmail(input({ ...approvedByCam, decidedThrough: 'unanswered-question' })),
    ).toThrow(EmailTemplateInputError);
  });

  it('without a support address, names whom to write to rather than asking for a reply no channel manager receives', () => {
    const byCam = renderRegistrationDecisionEmail(
      input({ ...approvedByCam, decidedByEmail: 'cam@vendor.example' }, { supportEmail: undefined }),
    );
    const byPolicy = renderRegistrationDecisionEmail(
      input({ ...approvedByCam, decidedThrough: 'auto', decidedBy: undefined }, { supportEmail: undefined }),
    );

    expect(byCam.text).toContain('Questions? Write to Cam Channel at cam@vendor.example and quote reference');
    expect(byPolicy.text).toContain(
      'Questions? Write to your channel manager (replies to this email do not reach them) and quote reference',
    );
    for (const email of [byCam, byPolicy]) expect(email.text).not.toContain('Reply to');
  });

  it('lists the registration and its reference, with the policy version in the footer', () => {
    const email = renderRegistrationDecisionEmail(input(approvedByCam));

    expect(email.text).toContain('Customer: Globex GmbH (globex.example)');
    expect(email.text).toContain('Reference: reg_01JDEALREG');
    expect(email.text.split('\n--\n')[1]).toContain('Reference reg_01JDEALREG · policy version pv-3f9a2c');
  });

  it.each([
    [
      'a rejection without a reason',
      {
        outcome: 'rejected',
        decidedThrough: 'approver',
        decidedBy: 'Cam',
        decidedAt: '2026-11-25T15:30:00Z',
        reason: '  ',
      },
      'decision.reason: a rejection needs its reason',
    ],
    [
      'an approver decision without the approver',
      { ...approvedByCam, decidedBy: undefined },
      'decision.decidedBy: a decision by an approver names the approver',
    ],
    [
      'an override without a reason',
      { ...approvedByCam, override: { policyRelationshipLabel: 'Partner-sourced', reason: '' } },
      'decision.override.reason: an override needs its reason',
    ],
    ['an approval without validity end', { ...approvedByCam, validUntil: undefined }, 'decision.validUntil:'],
    ['an unknown outcome', { ...approvedByCam, outcome: 'maybe' }, 'decision.outcome'],
  ])('refuses %s with a message naming the field', (_case, decision, message) => {
    const render = () => renderRegistrationDecisionEmail(input(decision as Decision));
    expect(render).toThrow(EmailTemplateInputError);
    expect(render).toThrow(message);
  });
});
