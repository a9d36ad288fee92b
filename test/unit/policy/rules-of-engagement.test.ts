import { describe, expect, it } from 'vitest';
import { loadPolicy } from '#domain/policy/load-policy.ts';
import type { PolicyInput } from '#domain/policy/policy-schema.ts';
import { renderRulesOfEngagement } from '#rendering/rules-of-engagement-page.ts';

const markdownOf = (input: PolicyInput) => renderRulesOfEngagement(loadPolicy(input), 'markdown');
const htmlOf = (input: PolicyInput) => renderRulesOfEngagement(loadPolicy(input), 'html');

describe('rules of engagement', () => {
  it('is stamped with the policy version', () => {
    const loaded = loadPolicy({});
    expect(renderRulesOfEngagement(loaded, 'markdown')).toContain(
      `Policy version \`${loaded.policyVersion}\``,
    );
    expect(renderRulesOfEngagement(loaded, 'html')).toContain(`<code>${loaded.policyVersion}</code>`);
  });

  it('explains conflicts, compensation, SLAs, routing and validity with the policy’s own numbers', () => {
    const page = markdownOf({});
    expect(page).toContain(
      'or logged a call, meeting, email, note or task with them in the 60 days before the registration, the registration goes to an approver and, if approved, counts as Partner-influenced (influenced), not sourced.',
    );
    expect(page).toContain('company names at least 88% alike');
    expect(page).toContain(
      'the first registration wins. A later registration goes to an approver and may be approved only as Partner-influenced (influenced).',
    );
    expect(page).toContain('When the customer closed a deal as won in the 12 months before the registration');
    expect(page).toContain(
      '| **Partner-sourced** `sourced` | The partner found the opportunity and brought it to us first. | 20% margin | 50% | Partner-sourced |',
    );
    expect(page).toContain('| 10% referral fee | 100% | Partner-sourced |');
    expect(page).toContain('- After 24 business hours without a decision, the approver is reminded.');
    expect(page).toContain('After 72 business hours (the final deadline), the registration is approved');
    expect(page).toContain('an amount below USD 25,000 is approved at once');
    expect(page).toContain('Registrations of USD 250,000 or more need a second approval');
    expect(page).toContain('- An approved registration protects the partner for 90 days.');
    expect(page).toContain('The partner may ask for one extension of 90 days; an extension needs approval.');
  });

  it('says whose deals and activity are not direct sales: the approvers and the channel team the policy names', () => {
    expect(markdownOf({})).toContain(
      'Deals and activity of the channel team (the approvers) are not direct sales.',
    );
    const page = markdownOf({
      conflicts: {
        directActivity: {
          // An approver listed again, and one person twice in another case, count once.
          channelTeam: ['pat.manager@example.com', 'PAT.Manager@example.com', 'channel-manager@example.com'],
        },
      },
    });
    expect(page).toContain(
      'Deals and activity of the channel team (the approvers and one more person the policy names) are not direct sales.',
    );
  });

  it('names the working days as the team’s week runs, however the file lists them', () => {
    const page = (workingDays: string[]) =>
      renderRulesOfEngagement(loadPolicy({ calendar: { workingDays } } as PolicyInput), 'markdown');

    expect(page(['thursday', 'sunday', 'monday', 'tuesday', 'wednesday'])).toContain(
      'business hours: Sunday, Monday, Tuesday, Wednesday and Thursday,',
    );
    expect(page(['friday', 'monday', 'tuesday', 'wednesday', 'thursday'])).toContain(
      'business hours: Monday, Tuesday, Wednesday, Thursday and Friday,',
    );
  });

  it('says how many questions an approval level may ask the partner, and what an unanswered one does', () => {
    const page = (maxQuestions: number) =>
      renderRulesOfEngagement(loadPolicy({ sla: { maxQuestions } }), 'markdown');

    expect(page(2)).toContain(
      'The approvers of each approval level may ask the partner for more information up to 2 times; the clock is paused until the partner answers by submitting the registration form again, and a question left unanswered for 10 days declines the registration.',
    );
    expect(page(1)).toContain('may ask the partner for more information once;');
    expect(page(0)).toContain(
      'Approvers do not ask the partner for more information: they approve or reject.',
    );
  });

  it('says every registration goes to an approver when nothing is auto-approved', () => {
    const page = markdownOf({ thresholds: { autoApproveBelowUsd: 0 } });
    expect(page).not.toContain('approved at once');
    expect(page).not.toContain('below USD 0');
    expect(page).toContain(
      'No registration is approved without an approver: every one goes to an approver by email.',
    );
    expect(page).toContain('- Every registration goes to the first approver below.');
  });

  it('names the relationship types the policy gives, not sourced and influenced whatever it says', () => {
    const page = markdownOf({
      conflicts: {
        defaultRelationship: 'resell',
        directActivity: { relationshipIfApproved: 'referral' },
        existingCustomer: { relationshipIfApproved: 'referral' },
        competingPartner: { laterRegistrationRelationship: 'referral' },
      },
    });
    expect(page).not.toContain('influenced instead of sourced');
    expect(page).toContain(
      'Approvers approve (as the relationship type the verdict gives, or with a reason as another), reject (with a reason) or ask the partner for more information.',
    );
    expect(page).toContain(
      'An approver may depart from the rule’s verdict — approve as another relationship type than it gives — only with a written reason.',
    );
  });

  it('follows every change of the policy', () => {
    const page = markdownOf({
      sla: { defaultDecision: 'reject' },
      conflicts: {
        directActivity: { lookBackDays: 45 },
        competingPartner: { resolution: 'reject-later-registration' },
      },
      validity: { maxExtensions: 0 },
    });
    expect(page).toContain('in the 45 days before the registration');
    expect(page).toContain(
      'the first registration wins and later registrations for the same customer are rejected.',
    );
    expect(page).toContain('(the final deadline), the registration is rejected.');
    expect(page).toContain('Registrations cannot be extended.');
  });

  it('escapes every policy text in HTML', () => {
    const html = htmlOf({
      programName: '<script>alert("x")</script> & Partners',
      approvers: {
        'channel-manager': { name: 'Zoë "Z" <O\'Neil>', email: 'zoe@example.com', timeZone: 'Europe/Berlin' },
        'partner-director': { name: 'Director', email: 'director@example.com', timeZone: 'Europe/Berlin' },
        'vp-sales': { name: 'VP', email: 'vp@example.com', timeZone: 'Europe/Berlin' },
      },
    });
    expect(html).not.toContain('<script>');
    expect(html).toContain(
      '<h1>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Partners: rules of engagement</h1>',
    );
    expect(html).toContain('<td>Zoë &quot;Z&quot; &lt;O&#39;Neil&gt; <code>zoe@example.com</code></td>');
    expect(html.startsWith('<!doctype html>')).toBe(true);
  });

  it('keeps Markdown tables and emphasis intact whatever the policy says', () => {
    const page = markdownOf({
      relationshipTypes: {
        sourced: {
          label: 'Sourced | *top*',
          description: 'Brought <b>first</b>',
          partnerCompensation: 'margin',
          partnerPercent: 20,
          directRepCreditPercent: 50,
        },
      },
    });
    expect(page).toContain(
      '| **Sourced \\| \\*top\\*** `sourced` | Brought \\<b\\>first\\</b\\> | 20% margin | 50% |',
    );
  });
});
