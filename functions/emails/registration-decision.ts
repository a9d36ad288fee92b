import * as z from 'zod';
import { formatDeadline } from '#domain/business-hours/format-deadline.ts';
import { compensationSchema } from '#domain/policy/compensation.ts';
import { relationshipTypeSchema } from '#domain/relationship-type.ts';
import type { OutgoingEmail } from '#ports/mailer.ts';
import { momentSchema } from './email-input-fields.ts';
import { shortDate, subjectLine, usd } from './email-text.ts';
import {
  type PartnerEmailBlock,
  partnerEmailFields,
  policyContextFields,
  renderPartnerEmail,
} from './partner-email-parts.ts';

const REGISTRATION_DECISION_TEMPLATE = 'registration-decision';

/**
 * How a decision was made: by an approver, by the policy at once, by the SLA default, or (a
 * rejection only) by the workflow because the partner left an approver's question unanswered.
 */
const decidedThroughChoices = ['approver', 'auto', 'sla-default', 'unanswered-question'] as const;

const decisionBase = {
  decidedThrough: z.enum(decidedThroughChoices, {
    error: 'decidedThrough must be approver, auto, sla-default or unanswered-question',
  }),
  /** The approver's name; required when an approver decided. */
  decidedBy: z.string().trim().min(1, 'name the approver who decided').optional(),
  /** The approver's address: whom the partner writes to with questions when there is no support address. */
  decidedByEmail: z.email('the approver email must be an email address').optional(),
  decidedAt: momentSchema('decidedAt'),
  /** The decision is on the partner's request to extend an approved registration, not on the registration. */
  extension: z.boolean().default(false),
};

const approvedSchema = z.object({
  outcome: z.literal('approved'),
  ...decisionBase,
  relationshipType: relationshipTypeSchema,
  /** How the policy names the relationship, e.g. `Partner-influenced`. */
  relationshipLabel: z.string().trim().min(1, 'the relationship label is required'),
  /** Present when the approver chose another relationship than the rule gave. */
  override: z
    .object({
      policyRelationshipLabel: z.string().trim().min(1, 'name the relationship the rule gave'),
      reason: z.string().trim().min(1, 'an override needs its reason'),
    })
    .optional(),
  /** What the relationship pays; only the partner's side is shown to the partner. */
  compensation: compensationSchema.optional(),
  /** When the registration stops protecting the deal. */
  validUntil: momentSchema('validUntil'),
});

const rejectedSchema = z.object({
  outcome: z.literal('rejected'),
  ...decisionBase,
  reason: z.string().trim().min(1, 'a rejection needs its reason'),
  /** A refused extension: the registration still protects the deal until then. */
  protectedUntil: momentSchema('protectedUntil').optional(),
  /**
   * Rejected as a duplicate: the partner's earlier registration of the customer, which stands as
   * it is (the deal is not left without protection).
   */
  duplicateOf: z.string().trim().min(1, 'name the registration this one duplicates').optional(),
});

const registrationDecisionEmailInputSchema = z.object({
  ...partnerEmailFields,
  decision: z
    .discriminatedUnion('outcome', [approvedSchema, rejectedSchema], {
      error: 'the outcome must be approved or rejected',
    })
    .superRefine((decision, context) => {
      if (decision.decidedThrough === 'unanswered-question' && decision.outcome === 'approved') {
        context.addIssue({
          code: 'custom',
          path: ['decidedThrough'],
          message: 'an unanswered question only ever declines a registration',
        });
      }
      if (decision.decidedThrough === 'approver' && decision.decidedBy === undefined) {
        context.addIssue({
          code: 'custom',
          path: ['decidedBy'],
          message: 'a decision by an approver names the approver',
        });
      }
    }),
  ...policyContextFields,
  supportEmail: z.email('the support address must be an email address').optional(),
});

export type RegistrationDecisionEmailInput = z.input<typeof registrationDecisionEmailInputSchema>;
type Decision = z.output<typeof registrationDecisionEmailInputSchema>['decision'];

/**
 * The email telling the submitting partner the outcome: approved as which relationship (with
 * the approver's reason when they departed from the rule) and until when, or rejected with the
 * reason. A decision made by the SLA default says so plainly.
 *
 * @throws EmailTemplateInputError naming the field when the input is unusable.
 */
export function renderRegistrationDecisionEmail(input: RegistrationDecisionEmailInput): OutgoingEmail {
  return renderPartnerEmail(
    REGISTRATION_DECISION_TEMPLATE,
    registrationDecisionEmailInputSchema,
    input,
    (email, { customer, reference }) => {
      const { decision, timeZone } = email;
      const when = formatDeadline(decision.decidedAt, timeZone);
      if (decision.extension) {
        return {
          subject: subjectLine(
            decision.outcome === 'approved'
              ? `Extension approved: your deal registration for ${customer}, protected until ${shortDate(decision.validUntil, timeZone)}`
              : `Extension not approved: your deal registration for ${customer}${decision.protectedUntil ? ` stays protected until ${shortDate(decision.protectedUntil, timeZone)}` : ''}`,
          ),
          title:
            decision.outcome === 'approved'
              ? 'Your extension was approved'
              : 'Your extension request was not approved',
          blocks:
            decision.outcome === 'approved'
              ? extendedBlocks(decision, customer, timeZone)
              : extensionRefusedBlocks(decision, customer, when, timeZone),
          contact: contactLine(email.supportEmail, decision, reference),
        };
      }
      return {
        subject: subjectLine(
          decision.outcome === 'approved'
            ? `Approved as ${decision.relationshipLabel}: your deal registration for ${customer}, protected until ${shortDate(decision.validUntil, timeZone)}`
            : `Not approved: your deal registration for ${customer}`,
        ),
        title:
          decision.outcome === 'approved'
            ? 'Your deal registration was approved'
            : 'Your deal registration was not approved',
        blocks:
          decision.outcome === 'approved'
            ? approvedBlocks(decision, customer, when, timeZone)
            : rejectedBlocks(decision, customer, when),
        contact: contactLine(email.supportEmail, decision, reference),
      };
    },
  );
}

/**
 * Whom to ask: the support address, else the approver who decided, else the channel manager.
 * The emails come from Dealreg's sender, so a reply reaches no channel manager.
 */
function contactLine(supportEmail: string | undefined, decision: Decision, reference: string): string {
  if (supportEmail) return `Questions? Write to ${supportEmail} and quote reference ${reference}.`;
  if (decision.decidedThrough === 'approver' && decision.decidedByEmail !== undefined) {
    return `Questions? Write to ${decision.decidedBy} at ${decision.decidedByEmail} and quote reference ${reference}.`;
  }
  return `Questions? Write to your channel manager (replies to this email do not reach them) and quote reference ${reference}.`;
}

type Approved = Extract<Decision, { outcome: 'approved' }>;
type Rejected = Extract<Decision, { outcome: 'rejected' }>;

const SLA_DEFAULT =
  'Nobody decided on it within the approval time limit (SLA), so the policy’s default decision was applied. No person made this decision.';

function approvedBlocks(
  decision: Approved,
  customer: string,
  when: string,
  timeZone: string,
): PartnerEmailBlock[] {
  const as = `as ${decision.relationshipLabel}`;
  const headline: Record<Approved['decidedThrough'], string> = {
    approver: `${decision.decidedBy} approved your registration of the deal with ${customer} ${as} on ${when}.`,
    auto: `Your registration of the deal with ${customer} was approved automatically ${as} on ${when}, under the policy’s rules.`,
    'sla-default': `Your registration of the deal with ${customer} was approved ${as} by the SLA default on ${when}.`,
    // Refused by the schema: an unanswered question never approves.
    'unanswered-question': `Your registration of the deal with ${customer} was approved ${as} on ${when}.`,
  };
  const blocks: PartnerEmailBlock[] = [{ kind: 'emphasis', text: headline[decision.decidedThrough] }];
  if (decision.decidedThrough === 'sla-default') blocks.push({ kind: 'paragraph', text: SLA_DEFAULT });
  if (decision.override) {
    blocks.push({
      kind: 'quote',
      label: `The policy’s rule gave ${decision.override.policyRelationshipLabel}; it was approved ${as} instead, for this reason:`,
      text: decision.override.reason,
    });
  }
  const partner = decision.compensation?.partner;
  if (partner) {
    blocks.push({
      kind: 'paragraph',
      text:
        partner.kind === 'none'
          ? `${decision.relationshipLabel} registrations earn no margin or fee.`
          : `${decision.relationshipLabel} registrations earn a ${partner.percent}% ${partner.kind === 'margin' ? 'margin' : 'referral fee'}: ${usd(partner.amountUsdMinor)} on the registered amount.`,
    });
  }
  blocks.push({
    kind: 'emphasis',
    text: `The registration protects this deal until ${formatDeadline(decision.validUntil, timeZone)}. You will be warned before it expires.`,
  });
  return blocks;
}

/** The extension was granted: the new end of the protection; the relationship stays. */
function extendedBlocks(decision: Approved, customer: string, timeZone: string): PartnerEmailBlock[] {
  return [
    {
      kind: 'emphasis',
      text: `The extension of your registration of the deal with ${customer} was approved. It stays approved as ${decision.relationshipLabel}.`,
    },
    {
      kind: 'emphasis',
      text: `The registration now protects this deal until ${formatDeadline(decision.validUntil, timeZone)}. You will be warned before it expires.`,
    },
  ];
}

/** The extension was refused: the registration keeps its protection until its expiry. */
function extensionRefusedBlocks(
  decision: Rejected,
  customer: string,
  when: string,
  timeZone: string,
): PartnerEmailBlock[] {
  const by = decision.decidedThrough === 'sla-default' ? 'The SLA default' : decision.decidedBy;
  const blocks: PartnerEmailBlock[] = [
    {
      kind: 'emphasis',
      text: `${by} did not approve extending your registration of the deal with ${customer}. Decided on ${when}.`,
    },
  ];
  if (decision.decidedThrough === 'sla-default') blocks.push({ kind: 'paragraph', text: SLA_DEFAULT });
  blocks.push({ kind: 'quote', label: 'The reason:', text: decision.reason });
  blocks.push({
    kind: 'paragraph',
    text:
      decision.protectedUntil === undefined
        ? 'Your registration stays approved and protects this deal until it expires.'
        : `Your registration stays approved and protects this deal until ${formatDeadline(decision.protectedUntil, timeZone)}.`,
  });
  return blocks;
}

function rejectedBlocks(decision: Rejected, customer: string, when: string): PartnerEmailBlock[] {
  const headline: Record<Rejected['decidedThrough'], string> = {
    approver: `${decision.decidedBy} did not approve your registration of the deal with ${customer}. Decided on ${when}.`,
    auto: `Your registration of the deal with ${customer} was not approved: the policy’s rules reject it. Decided on ${when}.`,
    'sla-default': `Your registration of the deal with ${customer} was not approved by the SLA default. Decided on ${when}.`,
    'unanswered-question': `Your registration of the deal with ${customer} was declined on ${when}, because the approver’s question was not answered in time.`,
  };
  const blocks: PartnerEmailBlock[] = [{ kind: 'emphasis', text: headline[decision.decidedThrough] }];
  if (decision.decidedThrough === 'sla-default') blocks.push({ kind: 'paragraph', text: SLA_DEFAULT });
  blocks.push(
    { kind: 'quote', label: 'The reason:', text: decision.reason },
    {
      kind: 'paragraph',
      text:
        decision.duplicateOf === undefined
          ? 'The deal is not registered and no protection applies.'
          : `This submission is not registered. Your registration ${decision.duplicateOf} of this customer stands as it is; its emails and status page say where it stands.`,
    },
  );
  if (decision.decidedThrough === 'unanswered-question') {
    blocks.push({
      kind: 'paragraph',
      text: 'If the deal is still active, submit the registration form again with the missing details: it is checked as a new registration.',
    });
  }
  return blocks;
}
