import * as z from 'zod';
import { minutesOfDay, weekdays } from '#domain/business-hours/business-calendar.ts';
import { marketingChannels, salesInvolvementTypes } from '#domain/co-sell/ace-vocabulary.ts';
import { formFieldMappingSchema } from '#domain/form-field-mapping.ts';
import { fewestWorkingDaysInAQuarter } from '#domain/qbr/fiscal-calendar.ts';
import { cloudMarketplaces } from '#domain/registration.ts';
import { type RelationshipType, relationshipTypes } from '#domain/relationship-type.ts';
import { defaultSubmittedAtToleranceHours } from '#domain/submission-time.ts';
import { field } from './policy-fields.ts';
import { informationResponseDays, longestWorkflow, MAX_WORKFLOW_DAYS } from './workflow-lifetime.ts';

/**
 * The policy: every rule the registration workflow enforces and the rules-of-engagement page
 * explains, in one configuration. Every setting has a default, so `{}` is a complete policy;
 * `policy/default-policy.json` writes those defaults out.
 */

const relationship = () => field.choice(relationshipTypes);

const strict = <T extends z.ZodRawShape>(shape: T) =>
  z.strictObject(shape, { error: (issue) => (issue.input === undefined ? 'is required' : undefined) });

const slaSchema = strict({
  /** Business hours after the approval request at which the approver is reminded. */
  reminderHours: field.businessHours().default(24),
  /** Business hours after the approval request at which it is escalated (the SLA deadline). */
  escalationHours: field.businessHours().default(48),
  /** Business hours after the approval request at which the policy default decides. */
  finalHours: field.businessHours().default(72),
  /** What happens when nobody has decided by the final deadline. */
  defaultDecision: field.choice(['approve', 'reject']).default('approve'),
  /**
   * How many times the approvers of one level of a registration's approval may ask the partner
   * for more information. Each question stops the clock for up to `informationResponseDays`, and
   * the workflow must end within a year, so the number is bounded; an approver who has used them
   * approves or rejects.
   */
  maxQuestions: field.wholeNumber(0, 5, 'questions').default(1),
});

/**
 * Refuses a value listed twice: it means nothing more, yet would give the policy another version
 * than the same policy with each value listed once.
 */
const listedOnce =
  (what: string) =>
  (values: readonly string[], context: z.RefinementCtx): void => {
    const seen = new Set<string>();
    for (const value of values) {
      if (seen.has(value)) {
        context.addIssue({
          code: 'custom',
          input: values,
          message: `lists "${value}" twice: list each ${what} once`,
        });
        return;
      }
      seen.add(value);
    }
  };

const calendarSchema = strict({
  timeZone: field.timeZone().default('America/New_York'),
  workingDays: z
    .array(field.choice(weekdays), {
      error: (issue) => (issue.input === undefined ? 'is required' : undefined),
    })
    .min(1, { error: 'must list at least one working day' })
    .superRefine(listedOnce('working day'))
    .default(['monday', 'tuesday', 'wednesday', 'thursday', 'friday']),
  workingHours: strict({
    start: field.time().default('09:00'),
    end: field.time().default('17:00'),
  }).prefault({}),
  holidays: z.array(field.date()).superRefine(listedOnce('holiday')).default([]),
});

const thresholdsSchema = strict({
  /** Registrations with no conflict and an amount below this are approved at once. */
  autoApproveBelowUsd: field.usd().default(25_000),
  /** Registrations of this amount or more need a second approval level. */
  secondLevelApprovalFromUsd: field.usd().default(250_000),
});

const approverSchema = strict({
  name: field.text(200),
  email: field.email(),
  timeZone: field.timeZone(),
});

const approverChainSchema = strict({
  firstApprover: field.id(),
  escalationApprover: field.id(),
  secondLevelApprover: field.id(),
  /** Who a stalled second-level approval escalates to; the escalation approver when left out. */
  secondLevelEscalationApprover: field.id().optional(),
});

const routingRuleSchema = strict({
  name: field.text(200),
  /** Customer regions (keys of `regions`) this rule covers; any region when left out. */
  regions: z
    .array(field.id())
    .min(1, { error: 'must list at least one region' })
    .superRefine(listedOnce('region'))
    .optional(),
  cloudMarketplaces: z
    .array(field.choice(cloudMarketplaces))
    .min(1, { error: 'must list at least one cloud marketplace' })
    .superRefine(listedOnce('cloud marketplace'))
    .optional(),
  minAmountUsd: field.usd().optional(),
  /** Exclusive upper bound. */
  maxAmountUsd: field.usd().optional(),
  ...approverChainSchema.shape,
});

const defaultApprovers = {
  'channel-manager': {
    name: 'Channel Manager',
    email: 'channel-manager@example.com',
    timeZone: 'America/New_York',
  },
  'partner-director': {
    name: 'Director of Partnerships',
    email: 'partner-director@example.com',
    timeZone: 'America/New_York',
  },
  'vp-sales': { name: 'VP Sales', email: 'vp-sales@example.com', timeZone: 'America/Los_Angeles' },
};

const routingSchema = strict({
  /** Checked in order; the first rule whose conditions all hold routes the registration. */
  rules: z.array(routingRuleSchema).default([]),
  /** The chain for registrations no rule matches. */
  fallback: approverChainSchema.prefault({
    firstApprover: 'channel-manager',
    escalationApprover: 'partner-director',
    secondLevelApprover: 'vp-sales',
  }),
});

interface RelationshipTermsDefaults {
  readonly label: string;
  readonly description: string;
  readonly partnerCompensation: 'margin' | 'referral-fee' | 'none';
  readonly partnerPercent: number;
  readonly directRepCreditPercent: number;
}

const defaultRelationshipTerms: Readonly<Record<RelationshipType, RelationshipTermsDefaults>> = {
  sourced: {
    label: 'Partner-sourced',
    description: 'The partner found the opportunity and brought it to us first.',
    partnerCompensation: 'margin',
    partnerPercent: 20,
    directRepCreditPercent: 50,
  },
  influenced: {
    label: 'Partner-influenced',
    description: 'We already knew the opportunity; the partner helped win it.',
    partnerCompensation: 'margin',
    partnerPercent: 10,
    directRepCreditPercent: 100,
  },
  resell: {
    label: 'Resell',
    description: 'The partner buys from us and resells to the customer.',
    partnerCompensation: 'margin',
    partnerPercent: 25,
    directRepCreditPercent: 100,
  },
  referral: {
    label: 'Referral',
    description: 'The partner introduced the customer; we sell and contract directly.',
    partnerCompensation: 'referral-fee',
    partnerPercent: 10,
    directRepCreditPercent: 100,
  },
};

/** The terms of one relationship type; a setting left out keeps that type's default. */
const termsSchema = (defaults: RelationshipTermsDefaults) =>
  strict({
    label: field.text(100).default(defaults.label),
    description: field.text().default(defaults.description),
    /** How the partner is paid for a registration of this type. */
    partnerCompensation: field
      .choice(['margin', 'referral-fee', 'none'])
      .default(defaults.partnerCompensation),
    /** The margin or referral fee, as a percentage of the deal amount. */
    partnerPercent: field.percent().default(defaults.partnerPercent),
    /** The share of the deal credited to the direct rep's quota. */
    directRepCreditPercent: field.percent().default(defaults.directRepCreditPercent),
  }).prefault({});

const relationshipTermsSchema = strict({
  sourced: termsSchema(defaultRelationshipTerms.sourced),
  influenced: termsSchema(defaultRelationshipTerms.influenced),
  resell: termsSchema(defaultRelationshipTerms.resell),
  referral: termsSchema(defaultRelationshipTerms.referral),
});

const conflictsSchema = strict({
  /** The relationship a registration with no conflict is approved as. */
  defaultRelationship: relationship().default('sourced'),
  competingPartner: strict({
    /**
     * `first-registration-wins`: the later registration goes to review and may be approved only
     * as `laterRegistrationRelationship`; `reject-later-registration`: it is rejected.
     */
    resolution: field
      .choice(['first-registration-wins', 'reject-later-registration'])
      .default('first-registration-wins'),
    laterRegistrationRelationship: relationship().default('influenced'),
    /** Customer names this similar (0–1) or more count as the same customer. */
    companyNameSimilarityThreshold: field.ratio().default(0.88),
  }).prefault({}),
  directActivity: strict({
    lookBackDays: field.wholeDays().default(60),
    relationshipIfApproved: relationship().default('influenced'),
    /**
     * Email addresses of HubSpot users on the channel team besides the approvers (partner
     * managers, partner marketers): the deals they own and the activity they log with a customer
     * are the channel's own, not direct sales. Left out when not set, so a policy without it keeps
     * its version.
     */
    channelTeam: z.array(field.email()).max(500).optional(),
  }).prefault({}),
  existingCustomer: strict({
    closedWonWithinMonths: field.wholeMonths().default(12),
    /** The expansion rule: what a registration for a recent customer gets. */
    outcome: field.choice(['needs-review', 'clear']).default('needs-review'),
    relationshipIfApproved: relationship().default('influenced'),
  }).prefault({}),
});

/**
 * How intake treats the time a form submission claims (`submittedAt`). Priority always goes by
 * when Dealreg received the submission; a claim further from that than this is refused.
 */
const intakeSchema = strict({
  /**
   * How many hours before Dealreg received a submission its claimed time may lie. It must cover
   * the backfill's lag (a sweep every 15 minutes, looking 15 minutes below its watermark); the
   * default covers HubSpot's three days of webhook retries. Claims after the receipt are allowed
   * five minutes of clock skew, whatever this says.
   */
  submittedAtToleranceHours: field
    .wholeHours(
      1,
      720,
      'at least 1: the backfill can take about 35 minutes to take in a submission whose webhook was lost',
    )
    .default(defaultSubmittedAtToleranceHours),
  /**
   * Whether a registration is auto-approved only when its submitter's email address is at one of
   * the partner company's domains in HubSpot (`domain` and `hs_additional_domains`). When it is
   * not (another company's address, a free-mail one, or a partner with no domain), an approver
   * decides, told why. Off for a program where distributors register deals for their resellers.
   */
  submitterMustBeAtPartner: field.flag().default(true),
  /**
   * How many months after the day Dealreg received it an expected close date may lie and the
   * registration still be auto-approved; a later one goes to an approver, told why.
   */
  closeDateHorizonMonths: field.wholeMonths().default(24),
});

const validitySchema = strict({
  days: field.wholeDays().default(90),
  expiryWarningDaysBefore: field.wholeDays(0).default(14),
  maxExtensions: field.count().default(1),
  extensionDays: field.wholeDays().default(90),
  /**
   * Expiry and its warning apply to open deals only. When the registration's deal has closed won
   * by the time of the warning or the expiry: `keep` the partner's protection (no warning, no
   * expiry: the won deal stays theirs) or `end` it then.
   */
  onClosedWon: field.choice(['keep', 'end']).default('keep'),
  /** The same for a deal closed lost: by default its protection ends then, without a warning. */
  onClosedLost: field.choice(['keep', 'end']).default('end'),
});

const definitionsSchema = strict({
  partnerSourced: strict({
    description: field.text().default('Closed-won revenue of opportunities a partner brought to us.'),
    relationshipTypes: z
      .array(relationship())
      .min(1, { error: 'must list at least one relationship type' })
      .default(['sourced', 'referral']),
  }).prefault({}),
  partnerInfluenced: strict({
    description: field
      .text()
      .default('Closed-won revenue of opportunities a partner helped win or transacted.'),
    relationshipTypes: z
      .array(relationship())
      .min(1, { error: 'must list at least one relationship type' })
      .default(['influenced', 'resell']),
  }).prefault({}),
  croView: strict({
    description: field.text().default('Closed-won revenue that the CRO dashboards attribute to partners.'),
    /** The HubSpot deal property the CRO's dashboards group by. */
    dealProperty: field.text(100).default('deal_source'),
    partnerValues: z
      .array(field.text(100))
      .min(1, { error: 'must list at least one value' })
      .default(['Partner']),
  }).prefault({}),
});

/** Where an approved registration's new HubSpot deal goes (internal ids, as HubSpot's pipelines API lists them). */
const newDealsSchema = strict({
  pipeline: field.text(100).default('default'),
  stage: field.text(100).default('appointmentscheduled'),
});

const reportingSchema = strict({
  fiscalYearStartMonth: field.month().default(1),
  /** The pre-QBR check runs this many business days before each fiscal quarter ends. */
  qbrCheckBusinessDaysBeforeQuarterEnd: field.wholeDays().default(10),
  /**
   * Who the pre-QBR report is emailed to: one email, so at most 50 addresses ("The message may
   * not include more than 50 recipients, across the To:, CC: and BCC: fields", Amazon SES API
   * Reference, SendEmail; "Service quotas in Amazon SES").
   */
  leadership: z
    .array(strict({ name: field.text(200), email: field.email() }))
    .min(1, { error: 'must list at least one person to email the pre-QBR report to' })
    .max(50, {
      error:
        'must list at most 50 people: SES sends one email to at most 50 recipients, and the pre-QBR report is one email (a mailing list counts as one)',
    })
    .superRefine((people, context) => {
      const seen = new Set<string>();
      for (const person of people) {
        const address = person.email.toLowerCase();
        if (seen.has(address)) {
          context.addIssue({
            code: 'custom',
            message: `must not list an email address twice (${address})`,
          });
          return;
        }
        seen.add(address);
      }
    })
    .default([{ name: 'Chief Revenue Officer', email: 'cro@example.com' }]),
  /**
   * The partner investment types the program funds, as ROI is reported by them. An investments
   * import refuses any other type (matched without regard to case, recorded as spelled here).
   */
  investmentTypes: z
    .array(field.text(100))
    .min(1, { error: 'must list at least one investment type' })
    .refine((types) => new Set(types.map((type) => type.toLowerCase())).size === types.length, {
      error: 'must not list a type twice (types are matched without regard to case)',
    })
    .default(['MDF', 'co-marketing', 'events', 'SPIFF', 'enablement']),
});

/** A marketing campaign as AWS sees it on a shared opportunity (its Marketing section). */
const fundingCampaignSchema = strict({
  /** The campaign's name in Partner Central. */
  name: field.text(255),
  /** `Yes` when AWS money (MDF, a funded campaign) paid for the campaign. */
  awsFundingUsed: field.choice(['Yes', 'No']),
  /** Where it ran, in Partner Central's channel names. */
  channels: z.array(field.choice(marketingChannels)).default([]),
});

/**
 * Co-sell with AWS: which approved registrations become opportunities in AWS Partner Central
 * (ACE) and whether they are submitted to AWS for review. Off until turned on.
 */
/** A legacy Partner Solution id (`S-0000123`) or an AWS Marketplace solution ARN. */
const partnerSolution = /^(S-[0-9]{1,19}|arn:aws(-[a-z]+)*:aws-marketplace:\S+)$/;

const coSellSchema = strict({
  enabled: z
    .boolean({ error: (issue) => `must be true or false, got ${JSON.stringify(issue.input)}` })
    .default(false),
  /** Registrations naming one of these cloud marketplaces are shared. */
  marketplaces: z
    .array(field.choice(cloudMarketplaces))
    .min(1, { error: 'must list at least one cloud marketplace' })
    .default(['aws']),
  /** Registrations below this amount (in USD at the configured rate) are not shared. */
  minAmountUsd: field.usd().default(0),
  /** Only registrations approved as one of these relationships are shared. */
  relationshipTypes: z
    .array(relationship())
    .min(1, { error: 'must list at least one relationship type' })
    .default(['sourced', 'referral']),
  /** `Sandbox` to try co-sell out, `AWS` for real opportunities AWS sees. */
  catalog: field.choice(['Sandbox', 'AWS']).default('Sandbox'),
  /** Submit each shared opportunity to AWS for review at once; otherwise it waits in Partner Central. */
  submitToAws: z
    .boolean({ error: (issue) => `must be true or false, got ${JSON.stringify(issue.input)}` })
    .default(true),
  /** `Co-Sell` asks AWS to work the deal with the partner; `For Visibility Only` only tells AWS. */
  involvement: field.choice(salesInvolvementTypes).default('Co-Sell'),
  /** Campaign id (as registrations name it) → how the opportunity's Marketing section describes it. */
  fundingCampaigns: z.record(field.text(256), fundingCampaignSchema).default({}),
  /** Hours an opportunity AWS sent back (Action Required) may wait before it is a finding. */
  actionRequiredSlaHours: field.wholeHours(1, 2_160).default(72),
  /**
   * The partner's solutions each opportunity is associated with before it is submitted to AWS:
   * Partner Solution ids (`S-` and digits, from the Build section of Partner Central) or AWS
   * Marketplace solution ARNs. "Associating, disassociating and assigning opportunities" (Partner
   * Central API guide): before an engagement is started with StartEngagementFromOpportunityTask,
   * at least one and up to ten Partner Solutions must be associated.
   */
  solutions: z
    .array(
      z.string().regex(partnerSolution, {
        error: (issue) =>
          `must be a Partner Solution id such as S-0012345 or an AWS Marketplace solution ARN (arn:aws:aws-marketplace:…), got ${JSON.stringify(issue.input)}`,
      }),
    )
    .max(10, { error: 'must list at most 10 solutions: AWS takes no more on an opportunity' })
    .superRefine(listedOnce('solution'))
    .default([]),
}).superRefine((coSell, context) => {
  if (coSell.enabled && coSell.submitToAws && coSell.solutions.length === 0) {
    context.addIssue({
      code: 'custom',
      path: ['solutions'],
      message:
        "must list at least one of the partner's solutions (S-… ids from the Build section of Partner Central, or AWS Marketplace solution ARNs): AWS submits no opportunity without one. Or set submitToAws to false to leave opportunities in Partner Central",
    });
  }
});

const policyShape = {
  /** Shown as the title of the rules-of-engagement page. */
  programName: field.text(200).default('Partner program'),
  sla: slaSchema.prefault({}),
  calendar: calendarSchema.prefault({}),
  thresholds: thresholdsSchema.prefault({}),
  approvers: z.record(field.id(), approverSchema).default(defaultApprovers),
  /** Customer country (ISO 3166 alpha-2) → region, for routing. Unlisted countries have no region. */
  regions: z.record(field.id(), z.array(field.countryCode()).superRefine(listedOnce('country'))).default({
    'north-america': ['US', 'CA'],
    emea: ['GB', 'IE', 'DE', 'FR', 'NL', 'BE', 'ES', 'IT', 'SE', 'DK', 'NO', 'FI', 'CH', 'AT', 'PL'],
    apac: ['AU', 'NZ', 'JP', 'SG', 'IN', 'KR'],
  }),
  routing: routingSchema.prefault({}),
  relationshipTypes: relationshipTermsSchema.prefault({}),
  conflicts: conflictsSchema.prefault({}),
  intake: intakeSchema.prefault({}),
  validity: validitySchema.prefault({}),
  newDeals: newDealsSchema.prefault({}),
  definitions: definitionsSchema.prefault({}),
  reporting: reportingSchema.prefault({}),
  formFieldMapping: formFieldMappingSchema.prefault({}),
  coSell: coSellSchema.prefault({}),
};

type PolicyShape = z.output<z.ZodObject<typeof policyShape>>;

/** Checks that span several settings; each names the setting to change. */
function checkConsistency(policy: PolicyShape, context: z.RefinementCtx): void {
  const problem = (path: (string | number)[], message: string, input?: unknown) =>
    context.addIssue({ code: 'custom', path, message, input });

  const { sla } = policy;
  if (sla.reminderHours >= sla.escalationHours) {
    problem(
      ['sla', 'reminderHours'],
      `must be less than sla.escalationHours (${sla.escalationHours}), got ${sla.reminderHours}`,
    );
  }
  if (sla.escalationHours >= sla.finalHours) {
    problem(
      ['sla', 'escalationHours'],
      `must be less than sla.finalHours (${sla.finalHours}), got ${sla.escalationHours}`,
    );
  }

  const hours = policy.calendar.workingHours;
  if (minutesOfDay(hours.start) >= minutesOfDay(hours.end)) {
    problem(
      ['calendar', 'workingHours', 'end'],
      `must be later than the start (${hours.start}), got "${hours.end}"`,
    );
  }

  const { thresholds } = policy;
  if (thresholds.autoApproveBelowUsd > thresholds.secondLevelApprovalFromUsd) {
    problem(
      ['thresholds', 'autoApproveBelowUsd'],
      `must not be more than thresholds.secondLevelApprovalFromUsd (${thresholds.secondLevelApprovalFromUsd}), got ${thresholds.autoApproveBelowUsd}`,
    );
  }

  const { validity } = policy;
  if (validity.expiryWarningDaysBefore >= validity.days) {
    problem(
      ['validity', 'expiryWarningDaysBefore'],
      `must be less than validity.days (${validity.days}), got ${validity.expiryWarningDaysBefore}`,
    );
  }

  if (minutesOfDay(hours.start) < minutesOfDay(hours.end)) {
    const lifetime = longestWorkflow(policy);
    const withoutHolidays = longestWorkflow({ ...policy, calendar: { ...policy.calendar, holidays: [] } });
    const withoutQuestions = longestWorkflow({ ...policy, sla: { ...sla, maxQuestions: 0 } });
    const asked =
      sla.maxQuestions === 0
        ? ''
        : ` with ${sla.maxQuestions === 1 ? 'a question' : `${sla.maxQuestions} questions`} to the partner each (sla.maxQuestions), answered after up to ${informationResponseDays} days`;
    const levels =
      validity.maxExtensions === 0
        ? `two levels of up to ${lifetime.approvalLevelDays} days${asked}`
        : `two levels of up to ${lifetime.approvalLevelDays} days${asked}, and two of up to ${lifetime.extensionLevelDays} days for ${validity.maxExtensions === 1 ? 'its extension' : `each of its ${validity.maxExtensions} extensions`}`;
    if (lifetime.approvalDays >= MAX_WORKFLOW_DAYS && withoutHolidays.approvalDays < MAX_WORKFLOW_DAYS) {
      // The holidays alone push the approvals past the year: shortening the SLA would not say why.
      const within = lifetime.approvalLevelDays - withoutHolidays.approvalLevelDays;
      problem(
        ['calendar', 'holidays'],
        `puts up to ${within} holidays within one approval level, making the approvals alone take up to ${lifetime.approvalDays} days (${levels}), but a workflow ends after one year: list fewer holidays close together`,
      );
    } else if (
      lifetime.approvalDays >= MAX_WORKFLOW_DAYS &&
      withoutQuestions.approvalDays < MAX_WORKFLOW_DAYS
    ) {
      // The questions, not the SLA, push the approvals past the year.
      let fits = sla.maxQuestions - 1;
      while (
        fits > 0 &&
        longestWorkflow({ ...policy, sla: { ...sla, maxQuestions: fits } }).approvalDays >= MAX_WORKFLOW_DAYS
      ) {
        fits -= 1;
      }
      problem(
        ['sla', 'maxQuestions'],
        `makes the approvals alone take up to ${lifetime.approvalDays} days (${levels}), but a workflow ends after one year: allow at most ${fits} question${fits === 1 ? '' : 's'} a level, or shorten sla.finalHours`,
      );
    } else if (lifetime.approvalDays >= MAX_WORKFLOW_DAYS) {
      // No validity fits at all: the approval time is what to change.
      problem(
        ['sla', 'finalHours'],
        `makes the approvals alone take up to ${lifetime.approvalDays} days (${levels}), but a workflow ends after one year: ` +
          `shorten sla.finalHours, widen calendar.workingHours or calendar.workingDays, or allow fewer validity.maxExtensions${sla.maxQuestions === 0 ? '' : ' or sla.maxQuestions'}`,
      );
    } else if (lifetime.totalDays > MAX_WORKFLOW_DAYS) {
      const extensions =
        validity.maxExtensions === 0
          ? ''
          : ` + ${validity.maxExtensions} extension${validity.maxExtensions === 1 ? '' : 's'} of ${validity.extensionDays} days`;
      const fewerQuestions =
        sla.maxQuestions === 0
          ? ''
          : `, or allow fewer sla.maxQuestions (with ${sla.maxQuestions - 1}, ${MAX_WORKFLOW_DAYS - longestWorkflow({ ...policy, sla: { ...sla, maxQuestions: sla.maxQuestions - 1 } }).approvalDays} days fit)`;
      problem(
        ['validity', 'days'],
        `makes a registration's workflow run up to ${lifetime.totalDays} days (${validity.days} days of validity${extensions} + up to ${lifetime.approvalDays} days of approvals: ${levels}), ` +
          `but a workflow ends after one year: keep validity.days + validity.maxExtensions × validity.extensionDays within ${MAX_WORKFLOW_DAYS - lifetime.approvalDays} days${fewerQuestions}`,
      );
    }
  }

  const { reporting } = policy;
  const shortest = fewestWorkingDaysInAQuarter(policy.calendar, reporting.fiscalYearStartMonth);
  // The check day is counted back over the quarter's own working days: a quarter with fewer would
  // have none, and the scheduled check would fail every day instead of running.
  if (shortest.workingDays === 0) {
    problem(
      ['calendar', 'holidays'],
      `leave fiscal quarter ${shortest.quarter} without a working day, so its pre-QBR check has no day to run on: list only the days the business is closed`,
    );
  } else if (reporting.qbrCheckBusinessDaysBeforeQuarterEnd > shortest.workingDays) {
    problem(
      ['reporting', 'qbrCheckBusinessDaysBeforeQuarterEnd'],
      `must be at most ${shortest.workingDays}, the fewest working days a fiscal quarter has under calendar.workingDays and calendar.holidays (${shortest.quarter} has ${shortest.workingDays}), got ${reporting.qbrCheckBusinessDaysBeforeQuarterEnd}`,
    );
  }

  const approverIds = Object.keys(policy.approvers);
  const known = approverIds.length === 0 ? 'none are defined' : `known approvers: ${approverIds.join(', ')}`;
  const checkChain = (path: (string | number)[], chain: PolicyShape['routing']['fallback']) => {
    const roles = [
      'firstApprover',
      'escalationApprover',
      'secondLevelApprover',
      'secondLevelEscalationApprover',
    ] as const;
    for (const role of roles) {
      const id = chain[role];
      if (id === undefined) continue;
      if (!Object.hasOwn(policy.approvers, id)) {
        problem([...path, role], `names approver "${id}", who is not listed under approvers (${known})`);
      }
    }
    // A second level is a second person's approval: the person who decides the first level may
    // not be the one who decides the second, whatever approver ids name them. (When an escalation
    // brings the second-level approver to the first level, the workflow starts the second level
    // with its escalation approver: `ask-approver.ts`.)
    const emailOf = (id: string | undefined) =>
      id === undefined || !Object.hasOwn(policy.approvers, id) ? undefined : policy.approvers[id]?.email;
    const firstEmail = emailOf(chain.firstApprover);
    const secondEmail = emailOf(chain.secondLevelApprover);
    if (
      firstEmail !== undefined &&
      secondEmail !== undefined &&
      firstEmail.toLowerCase() === secondEmail.toLowerCase()
    ) {
      const where = path
        .map((part, index) => (typeof part === 'number' ? `[${part}]` : index === 0 ? part : `.${part}`))
        .join('');
      problem(
        [...path, 'secondLevelApprover'],
        `names "${chain.secondLevelApprover}" (${secondEmail}), who also decides the first level as ${where}.firstApprover${chain.firstApprover === chain.secondLevelApprover ? '' : ` ("${chain.firstApprover}", ${firstEmail})`}: a second approval must come from another person`,
      );
    }
  };
  checkChain(['routing', 'fallback'], policy.routing.fallback);
  // A decision names the rule that routed it, so a name must say which rule that was.
  const ruleIndexByName = new Map<string, number>([['fallback', -1]]);
  policy.routing.rules.forEach((rule, index) => {
    checkChain(['routing', 'rules', index], rule);
    const earlier = ruleIndexByName.get(rule.name.toLowerCase());
    if (earlier === -1) {
      problem(
        ['routing', 'rules', index, 'name'],
        `is "${rule.name}", the name decisions give routing.fallback: choose another`,
      );
    } else if (earlier !== undefined) {
      problem(
        ['routing', 'rules', index, 'name'],
        `is "${rule.name}", already the name of routing.rules[${earlier}]: give each rule its own name`,
      );
    } else {
      ruleIndexByName.set(rule.name.toLowerCase(), index);
    }
    for (const [position, region] of (rule.regions ?? []).entries()) {
      if (!Object.hasOwn(policy.regions, region)) {
        problem(
          ['routing', 'rules', index, 'regions', position],
          `names region "${region}", which is not listed under regions (known regions: ${Object.keys(policy.regions).join(', ') || 'none'})`,
        );
      }
    }
    if (
      rule.minAmountUsd !== undefined &&
      rule.maxAmountUsd !== undefined &&
      rule.minAmountUsd >= rule.maxAmountUsd
    ) {
      problem(
        ['routing', 'rules', index, 'maxAmountUsd'],
        `must be more than minAmountUsd (${rule.minAmountUsd}), got ${rule.maxAmountUsd}`,
      );
    }
  });

  for (const dead of unreachableRules(policy)) {
    const earlier = dead.coveredBy.map(
      (index) => `routing.rules[${index}] ("${policy.routing.rules[index]?.name}")`,
    );
    problem(
      ['routing', 'rules', dead.index],
      dead.coveredBy.length === 0
        ? `("${policy.routing.rules[dead.index]?.name}") can never route a registration: every region it names lists no country; add countries to them or name other regions`
        : `("${policy.routing.rules[dead.index]?.name}") can never route a registration: ${listOfNames(earlier)} ${earlier.length === 1 ? 'comes' : 'come'} first and ${earlier.length === 1 ? 'matches' : 'match'} every registration it would (the first rule that matches routes); move it above ${earlier.length === 1 ? 'that rule' : 'them'}, or narrow ${earlier.length === 1 ? 'that rule' : 'them'}`,
    );
  }

  const regionOfCountry = new Map<string, string>();
  for (const [region, countries] of Object.entries(policy.regions)) {
    for (const [position, country] of countries.entries()) {
      const other = regionOfCountry.get(country);
      if (other !== undefined && other !== region) {
        problem(
          ['regions', region, position],
          `lists ${country}, which is already in region "${other}": routing reads one region a country, so list it in one of them`,
        );
      }
      regionOfCountry.set(country, region);
    }
  }

  const sourced = new Set(policy.definitions.partnerSourced.relationshipTypes);
  for (const [position, type] of policy.definitions.partnerInfluenced.relationshipTypes.entries()) {
    if (sourced.has(type)) {
      problem(
        ['definitions', 'partnerInfluenced', 'relationshipTypes', position],
        `lists "${type}", which definitions.partnerSourced already counts: a relationship cannot be both`,
      );
    }
  }
}

function listOfNames(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/**
 * The routing rules no registration can reach, each with the earlier rules that take every
 * registration it would match. Routing looks at three facts, each with few possible values that
 * matter: the customer's region (a region listing a country, or none), the marketplace, and the
 * amount between two of the rules' bounds. A rule is unreachable when every such combination it
 * matches is matched by an earlier rule first.
 */
function unreachableRules(policy: PolicyShape): { index: number; coveredBy: number[] }[] {
  const { rules } = policy.routing;
  const regions: (string | undefined)[] = [
    ...Object.entries(policy.regions)
      .filter(([, countries]) => countries.length > 0)
      .map(([name]) => name),
    undefined,
  ];
  const cents = (usd: number) => Math.round(usd * 100);
  const amounts = [
    ...new Set([
      0,
      ...rules
        .flatMap((rule) => [rule.minAmountUsd, rule.maxAmountUsd])
        .filter((usd) => usd !== undefined)
        .map(cents),
    ]),
  ].sort((a, b) => a - b);
  const matches = (
    rule: PolicyShape['routing']['rules'][number],
    region: string | undefined,
    marketplace: string,
    amount: number,
  ) =>
    (rule.regions === undefined || (region !== undefined && rule.regions.includes(region))) &&
    (rule.cloudMarketplaces === undefined ||
      (rule.cloudMarketplaces as readonly string[]).includes(marketplace)) &&
    (rule.minAmountUsd === undefined || amount >= cents(rule.minAmountUsd)) &&
    (rule.maxAmountUsd === undefined || amount < cents(rule.maxAmountUsd));
  const unreachable: { index: number; coveredBy: number[] }[] = [];
  rules.forEach((rule, index) => {
    // A rule naming an unknown region, or an empty amount range, is reported as such.
    const unknownRegion = (rule.regions ?? []).some((region) => !Object.hasOwn(policy.regions, region));
    const emptyRange =
      rule.minAmountUsd !== undefined &&
      rule.maxAmountUsd !== undefined &&
      rule.minAmountUsd >= rule.maxAmountUsd;
    if (unknownRegion || emptyRange) return;
    const coveredBy = new Set<number>();
    for (const region of regions) {
      for (const marketplace of cloudMarketplaces) {
        for (const amount of amounts) {
          if (!matches(rule, region, marketplace, amount)) continue;
          const first = rules.findIndex((candidate) => matches(candidate, region, marketplace, amount));
          if (first === index) return;
          coveredBy.add(first);
        }
      }
    }
    unreachable.push({ index, coveredBy: [...coveredBy].sort((a, b) => a - b) });
  });
  return unreachable;
}

/** The policy as written: zod-validated, every default filled in. */
export const policySchema = z.strictObject(policyShape).superRefine(checkConsistency, {
  // Cross-setting checks need every setting well-formed; until then the field problems are the news.
  when: (payload) => payload.issues.length === 0,
});

/** A complete, validated policy. */
export type Policy = z.output<typeof policySchema>;
/** A policy as written in a file: any setting may be left out. */
export type PolicyInput = z.input<typeof policySchema>;
export type Approver = Policy['approvers'][string];
export type CoSellPolicy = Policy['coSell'];
