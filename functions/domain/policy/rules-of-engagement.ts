import { type Weekday, weekdays } from '#domain/business-hours/business-calendar.ts';
import { type RelationshipType, relationshipTypes } from '#domain/relationship-type.ts';
import type { Block, Line } from './document.ts';
import type { LoadedPolicy } from './load-policy.ts';
import type { Policy } from './policy-schema.ts';
import { informationResponseDays } from './workflow-lifetime.ts';

/**
 * The rules of engagement: the policy the registration workflow enforces, written for the
 * sales, partner and RevOps teams who are trained on it. Generated from the configuration
 * itself, so the document and the behaviour cannot drift apart; stamped with the policy version.
 * `functions/rendering/rules-of-engagement-page.ts` renders it as a page.
 */

const usd = (amount: number) => `USD ${amount.toLocaleString('en-US', { maximumFractionDigits: 2 })}`;
const hours = (count: number) => `${count} business hour${count === 1 ? '' : 's'}`;
const days = (count: number) => `${count} day${count === 1 ? '' : 's'}`;
const capitalised = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
const monthNames = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

function heading(level: 1 | 2 | 3, ...text: Line): Block {
  return { kind: 'heading', level, text };
}
function paragraph(...text: Line): Block {
  return { kind: 'paragraph', text };
}

function listOf(items: readonly string[], conjunction: 'and' | 'or' = 'and'): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${conjunction} ${items.at(-1)}`;
}

/**
 * The working days as the team's week runs: from the first day after its longest stretch of days
 * off, so a Sunday-to-Thursday week reads "Sunday, Monday, …", not "Monday, …, Thursday and Sunday".
 */
function workingDaysText(days: readonly Weekday[]): string {
  const working = new Set<string>(days);
  const daysOffBefore = (index: number) => {
    let count = 0;
    while (count < 7 && !working.has(weekdays[(index - count - 1 + 7) % 7] as string)) count += 1;
    return count;
  };
  let start = 0;
  for (let index = 0; index < 7; index += 1) {
    if (working.has(weekdays[index] as string) && daysOffBefore(index) > daysOffBefore(start)) start = index;
  }
  const week = [...weekdays.slice(start), ...weekdays.slice(0, start)].filter((day) => working.has(day));
  return listOf(week.map(capitalised));
}

function relationshipLabel(policy: Policy, type: RelationshipType): string {
  return `${policy.relationshipTypes[type].label} (${type})`;
}

function partnerPay(policy: Policy, type: RelationshipType): string {
  const terms = policy.relationshipTypes[type];
  if (terms.partnerCompensation === 'none') return 'No margin or fee';
  return `${terms.partnerPercent}% ${terms.partnerCompensation === 'margin' ? 'margin' : 'referral fee'}`;
}

function countsAs(policy: Policy, type: RelationshipType): string {
  if (policy.definitions.partnerSourced.relationshipTypes.includes(type)) return 'Partner-sourced';
  if (policy.definitions.partnerInfluenced.relationshipTypes.includes(type)) return 'Partner-influenced';
  return 'Neither';
}

function approverText(policy: Policy, id: string | undefined): Line {
  if (id === undefined) return ['—'];
  const approver = policy.approvers[id];
  return approver === undefined ? [{ code: id }] : [`${approver.name} `, { code: approver.email }];
}

function conflictSection(policy: Policy): Block[] {
  const { competingPartner, directActivity, existingCustomer, defaultRelationship } = policy.conflicts;
  const threshold = Math.round(competingPartner.companyNameSimilarityThreshold * 100);
  const competing =
    competingPartner.resolution === 'first-registration-wins'
      ? `the first registration wins. A later registration goes to an approver and may be approved only as ${relationshipLabel(policy, competingPartner.laterRegistrationRelationship)}.`
      : 'the first registration wins and later registrations for the same customer are rejected.';
  const expansion =
    existingCustomer.outcome === 'needs-review'
      ? `goes to an approver and, if approved, counts as ${relationshipLabel(policy, existingCustomer.relationshipIfApproved)}.`
      : `needs no review on that account and counts as ${relationshipLabel(policy, existingCustomer.relationshipIfApproved)}.`;
  const approverEmails = new Set(
    Object.values(policy.approvers).map((approver) => approver.email.toLowerCase()),
  );
  const channelTeam = new Set(
    (directActivity.channelTeam ?? [])
      .map((email) => email.toLowerCase())
      .filter((email) => !approverEmails.has(email)),
  ).size;
  const channel =
    channelTeam === 0
      ? 'the approvers'
      : `the approvers and ${channelTeam === 1 ? 'one more person' : `${channelTeam} more people`} the policy names`;
  return [
    heading(2, 'How conflicts are resolved'),
    paragraph(
      'Every registration is checked against other partners’ registrations and direct sales activity in HubSpot before anyone decides. The check names the rule that fired and shows its evidence; approvers decide with that evidence in front of them.',
    ),
    {
      kind: 'list',
      items: [
        [
          { strong: 'Duplicate.' },
          ' A partner that already holds a pending or approved registration for the same customer cannot register it again: the second registration is rejected.',
        ],
        [
          { strong: 'Competing partner.' },
          ` When another partner holds an approved registration for the customer, or registered it earlier and is awaiting a decision, ${competing} The same customer means the same web domain, or company names at least ${threshold}% alike.`,
        ],
        [
          { strong: 'Prior direct activity.' },
          ` When a direct rep owns an open deal with the customer, or logged a call, meeting, email, note or task with them in the ${days(directActivity.lookBackDays)} before the registration, the registration goes to an approver and, if approved, counts as ${relationshipLabel(policy, directActivity.relationshipIfApproved)}, not sourced. Deals and activity of the channel team (${channel}) are not direct sales.`,
        ],
        [
          { strong: 'Existing customer (expansion).' },
          ` When the customer closed a deal as won in the ${existingCustomer.closedWonWithinMonths} months before the registration, the registration ${expansion}`,
        ],
        [
          { strong: 'No conflict.' },
          ` A registration no rule applies to counts as ${relationshipLabel(policy, defaultRelationship)}.`,
        ],
      ],
    },
    paragraph(
      'When several rules apply, the most severe outcome decides (reject, then review, then clear); between rules with the same outcome, the one listed first above decides. The evidence of every rule that applied is kept with the registration.',
    ),
    paragraph(
      `“First”, “earlier” and “before the registration” go by the moment the registration reached us, not the time written into the form submission. A submission whose stated time is more than ${policy.intake.submittedAtToleranceHours} hours before it reached us, or more than five minutes after, is not accepted; the partner is told and may submit again.`,
    ),
    paragraph(
      'An approver may depart from the rule’s verdict — approve as another relationship type than it gives — only with a written reason. Such a decision is recorded as an exception and appears in the pre-QBR report.',
    ),
  ];
}

function compensationSection(policy: Policy): Block[] {
  return [
    heading(2, 'Relationship types and what they mean for compensation'),
    {
      kind: 'table',
      headers: ['Relationship', 'Meaning', 'Partner is paid', 'Direct rep credit', 'Reported as'],
      rows: relationshipTypes.map((type) => {
        const terms = policy.relationshipTypes[type];
        return [
          [{ strong: terms.label }, ' ', { code: type }],
          [terms.description],
          [partnerPay(policy, type)],
          [`${terms.directRepCreditPercent}%`],
          [countsAs(policy, type)],
        ];
      }),
    },
    paragraph(
      'Percentages apply to the registered deal amount. Every verdict and decision states the amounts for both sides.',
    ),
  ];
}

function definitionsSection(policy: Policy): Block[] {
  const { partnerSourced, partnerInfluenced, croView } = policy.definitions;
  return [
    heading(2, 'Sourcing definitions'),
    paragraph(
      'Marketing, sales and partner teams report partner revenue with these definitions, and only these.',
    ),
    {
      kind: 'list',
      items: [
        [
          { strong: 'Partner-sourced:' },
          ' ',
          partnerSourced.description,
          ` Relationship types: ${listOf(partnerSourced.relationshipTypes)}.`,
        ],
        [
          { strong: 'Partner-influenced:' },
          ' ',
          partnerInfluenced.description,
          ` Relationship types: ${listOf(partnerInfluenced.relationshipTypes)}.`,
        ],
        [
          { strong: 'CRO view:' },
          ' ',
          croView.description,
          ' HubSpot deal property ',
          { code: croView.dealProperty },
          ` is ${listOf(
            croView.partnerValues.map((value) => `“${value}”`),
            'or',
          )}.`,
        ],
      ],
    },
    paragraph(
      'The pre-QBR report shows the difference between the partner view and the CRO view, with the deals that cause it.',
    ),
  ];
}

function slaSection(policy: Policy): Block[] {
  const { sla, calendar } = policy;
  const defaultText =
    sla.defaultDecision === 'approve'
      ? 'the registration is approved under the verdict’s relationship type: the vendor, not the partner, pays for a missed SLA'
      : 'the registration is rejected';
  return [
    heading(2, 'Approval SLAs'),
    paragraph(
      `SLA clocks run in business hours: ${workingDaysText(calendar.workingDays)}, ${calendar.workingHours.start}–${calendar.workingHours.end}, time zone `,
      { code: calendar.timeZone },
      `, except holidays. Deadlines in emails are shown in each approver’s own time zone.`,
    ),
    {
      kind: 'list',
      items: [
        [`After ${hours(sla.reminderHours)} without a decision, the approver is reminded.`],
        [
          `After ${hours(sla.escalationHours)} (the SLA deadline), the approval is escalated to the next approver; the first link stops working and names the new approver.`,
        ],
        [`After ${hours(sla.finalHours)} (the final deadline), ${defaultText}.`],
        [
          sla.maxQuestions === 0
            ? 'Approvers do not ask the partner for more information: they approve or reject.'
            : `The approvers of each approval level may ask the partner for more information ${sla.maxQuestions === 1 ? 'once' : `up to ${sla.maxQuestions} times`}; the clock is paused until the partner answers by submitting the registration form again, and a question left unanswered for ${informationResponseDays} days declines the registration.`,
        ],
      ],
    },
    paragraph('Each approval level runs its own clock from the moment it was requested.'),
    paragraph(
      'Holidays: ',
      calendar.holidays.length === 0 ? 'none configured.' : `${listOf([...calendar.holidays].sort())}.`,
    ),
  ];
}

function routingSection(policy: Policy): Block[] {
  const { thresholds, routing } = policy;
  const condition = (rule: Policy['routing']['rules'][number]): Line => {
    const parts: string[] = [];
    if (rule.regions !== undefined) parts.push(`region ${listOf(rule.regions, 'or')}`);
    if (rule.cloudMarketplaces !== undefined)
      parts.push(`marketplace ${listOf(rule.cloudMarketplaces, 'or')}`);
    if (rule.minAmountUsd !== undefined) parts.push(`from ${usd(rule.minAmountUsd)}`);
    if (rule.maxAmountUsd !== undefined) parts.push(`below ${usd(rule.maxAmountUsd)}`);
    return [parts.length === 0 ? 'any registration' : parts.join('; ')];
  };
  const chains = [
    ...routing.rules.map((rule) => ({ name: rule.name, when: condition(rule), chain: rule })),
    { name: 'Everything else', when: ['no rule above applies'] as Line, chain: routing.fallback },
  ];
  return [
    heading(2, 'Who decides'),
    {
      kind: 'list',
      items: [
        // Nothing is below 0: then no registration is approved without an approver.
        ...(autoApproves(policy)
          ? [
              [
                `A registration with no conflict and an amount below ${usd(thresholds.autoApproveBelowUsd)} is approved at once, without an approver.`,
              ],
            ]
          : []),
        ...(policy.intake.submitterMustBeAtPartner
          ? [
              [
                'A registration submitted from an email address that is not at one of the partner company’s domains in HubSpot (or from a free email address) goes to an approver, who is told so; nobody deciding rejects it.',
              ],
            ]
          : []),
        [
          `A registration whose expected close date is more than ${policy.intake.closeDateHorizonMonths} months after it was received goes to an approver, who is told so; nobody deciding rejects it.`,
        ],
        [`${autoApproves(policy) ? 'Every other' : 'Every'} registration goes to the first approver below.`],
        [
          `Registrations of ${usd(thresholds.secondLevelApprovalFromUsd)} or more need a second approval, by the second-level approver, after the first.`,
        ],
      ],
    },
    paragraph('Routing rules are checked in this order; the first that applies chooses the approvers.'),
    {
      kind: 'table',
      headers: [
        'Rule',
        'Applies to',
        'First approver',
        'Escalates to',
        `Second level (from ${usd(thresholds.secondLevelApprovalFromUsd)})`,
      ],
      rows: chains.map(({ name, when, chain }) => [
        [{ strong: name }],
        when,
        approverText(policy, chain.firstApprover),
        approverText(policy, chain.escalationApprover),
        [
          ...approverText(policy, chain.secondLevelApprover),
          ', escalates to ',
          ...approverText(policy, chain.secondLevelEscalationApprover ?? chain.escalationApprover),
        ],
      ]),
    },
    heading(3, 'Regions'),
    {
      kind: 'table',
      headers: ['Region', 'Customer countries'],
      rows: Object.entries(policy.regions).map(([region, countries]) => [
        [{ code: region }],
        [countries.join(', ') || '—'],
      ]),
    },
    paragraph('Customers in countries no region lists are routed by rules without a region condition.'),
  ];
}

function validitySection(policy: Policy): Block[] {
  const { validity } = policy;
  const extension =
    validity.maxExtensions === 0
      ? 'Registrations cannot be extended.'
      : `The partner may ask for ${validity.maxExtensions === 1 ? 'one extension' : `up to ${validity.maxExtensions} extensions`} of ${days(validity.extensionDays)}; an extension needs approval.`;
  return [
    heading(2, 'Validity'),
    {
      kind: 'list',
      items: [
        [`An approved registration protects the partner for ${days(validity.days)}.`],
        [`The partner is warned ${days(validity.expiryWarningDaysBefore)} before it expires.`],
        [extension],
        [
          `Expiry and its warning apply to open deals only: when the deal has closed won, the protection ${validity.onClosedWon === 'keep' ? 'is kept and does not expire' : 'ends then, without a warning'}; when it has closed lost, the protection ${validity.onClosedLost === 'keep' ? 'is kept and does not expire' : 'ends then, without a warning'}.`,
        ],
        ['Expiry is recorded in the attribution ledger; nothing is deleted.'],
      ],
    },
  ];
}

function reportingSection(policy: Policy): Block[] {
  const { reporting } = policy;
  return [
    heading(2, 'Reporting'),
    paragraph(
      `The fiscal year starts in ${monthNames[reporting.fiscalYearStartMonth - 1]}. The pre-QBR pressure test runs ${reporting.qbrCheckBusinessDaysBeforeQuarterEnd} business days before each fiscal quarter ends and goes to: ${
        reporting.leadership.length === 0
          ? 'nobody yet'
          : listOf(reporting.leadership.map((person) => `${person.name} <${person.email}>`))
      }. Partner investments are recorded, and their ROI reported, by type: ${listOf(reporting.investmentTypes)}.`,
    ),
  ];
}

/** Whether any registration can be approved without an approver: one below a limit above 0. */
function autoApproves(policy: Policy): boolean {
  return policy.thresholds.autoApproveBelowUsd > 0;
}

/** The rules of engagement as a document, ready to render. */
export function rulesOfEngagement({ policy, policyVersion }: LoadedPolicy): Block[] {
  return [
    heading(1, `${policy.programName}: rules of engagement`),
    paragraph(
      'Policy version ',
      { code: policyVersion },
      '. This page is generated from the policy the registration workflow enforces; every verdict and decision is stamped with the same version.',
    ),
    heading(2, 'How a registration is decided'),
    {
      kind: 'list',
      items: [
        ['The partner submits the deal registration form.'],
        ['The conflict check applies the rules below and gives a verdict with its evidence.'],
        [
          autoApproves(policy)
            ? 'A clean, small registration is approved at once; every other one goes to an approver by email.'
            : 'No registration is approved without an approver: every one goes to an approver by email.',
        ],
        [
          'Approvers approve (as the relationship type the verdict gives, or with a reason as another), reject (with a reason) or ask the partner for more information.',
        ],
        ['The partner is told every outcome by email.'],
      ],
    },
    ...conflictSection(policy),
    ...compensationSection(policy),
    ...definitionsSection(policy),
    ...slaSection(policy),
    ...routingSection(policy),
    ...validitySection(policy),
    ...reportingSection(policy),
  ];
}
