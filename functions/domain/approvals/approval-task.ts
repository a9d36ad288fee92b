import * as z from 'zod';
import { conflictVerdictSchema } from '#domain/conflicts/conflict-verdict.ts';
import { cloudMarketplaces } from '#domain/registration.ts';
import { decisionChannelSchema } from '#domain/registration-progress.ts';
import { relationshipTypes } from '#domain/relationship-type.ts';
import { accessSchema } from '#domain/signed-links/access.ts';

/**
 * An approval task: one approver asked to decide one registration at one step of the approval
 * loop. The approval id is stable for the life of the task (reminders re-use it; each wait of the
 * workflow attaches a new callback token to it); escalation supersedes the task with a new one
 * for the next approver.
 */

const approvalSteps = ['first-level', 'escalated', 'second-level'] as const;
export type ApprovalStep = (typeof approvalSteps)[number];

const approvalStatuses = ['pending', 'decided', 'superseded'] as const;

/** An approval task is decided on its page or by the SLA default, never automatically. */
const approvalDecisionChannelSchema = decisionChannelSchema.exclude(['auto']);

const approvalApproverSchema = z.object({
  email: z.email(),
  name: z.string().min(1),
  /** IANA time zone the approver reads deadlines in. */
  timeZone: z.string().min(1),
});
export type ApprovalApprover = z.infer<typeof approvalApproverSchema>;

/** What the approver is shown: the registration as submitted and the conflict verdict. */
const approvalSubjectSchema = z.object({
  partnerName: z.string().optional(),
  partnerDomain: z.string(),
  submitterEmail: z.string(),
  customerCompanyName: z.string(),
  customerDomain: z.string(),
  customerCountry: z.string().optional(),
  amount: z.object({ minorUnits: z.number().int(), currency: z.string() }),
  amountUsdMinor: z.number().int().optional(),
  expectedCloseDate: z.string(),
  products: z.array(z.string()),
  campaignId: z.string().optional(),
  cloudMarketplace: z.enum(cloudMarketplaces),
  dealDescription: z.string().optional(),
  /** When Dealreg received the registration: its place among the customer's registrations. */
  receivedAt: z.iso.datetime().optional(),
  /**
   * The time its submission claims, when it is a date. Tasks from before receipt times were kept
   * carry only this.
   */
  submittedAt: z.iso.datetime().optional(),
  verdict: conflictVerdictSchema,
  /**
   * What is asked, when it is not the registration itself: an extension of an approved
   * registration, or a registration the partner resubmitted with answers. Shown as written.
   */
  request: z.object({ kind: z.enum(['registration', 'extension']), note: z.string().optional() }).optional(),
  /**
   * Every relationship type the policy prices, with what approving under it means at this amount:
   * the approver may choose any of them (another than the verdict's with a reason). Tasks from
   * before the choice was offered carry none; their page offers the types without prices.
   */
  relationshipOptions: z
    .array(z.object({ relationshipType: z.enum(relationshipTypes), label: z.string(), summary: z.string() }))
    .optional(),
  /**
   * Why an approver decides this at all, naming the policy rule: e.g. the amount is not below the
   * auto-approve limit (`thresholds.autoApproveBelowUsd`) although the conflict check is clear.
   */
  approvalReason: z.string().optional(),
  /**
   * How many more times the approver may ask the partner for more information at this level of
   * the approval (`sla.maxQuestions`, less the questions already answered). Tasks from before the
   * limit carry none.
   */
  questionsLeft: z.number().int().nonnegative().optional(),
  /**
   * On a second-level task: the first level's approval, which the second approver confirms or
   * changes. Approving without choosing keeps its relationship type and its reason.
   */
  firstLevel: z
    .object({
      approverName: z.string(),
      approvedAt: z.iso.datetime(),
      relationshipType: z.enum(relationshipTypes),
      reason: z.string().optional(),
    })
    .optional(),
});
export type ApprovalSubject = z.infer<typeof approvalSubjectSchema>;
/** The first level's approval a second-level task shows. */
export type FirstLevelApproval = NonNullable<ApprovalSubject['firstLevel']>;

const decidedBy = z.object({ email: z.string(), name: z.string() });

/** The approver's choice, as the workflow receives it. */
const approvalChoiceSchema = z.discriminatedUnion('outcome', [
  z.object({
    outcome: z.literal('approve'),
    relationshipType: z.enum(relationshipTypes),
    /** Required when the relationship departs from the verdict's. */
    reason: z.string().optional(),
  }),
  z.object({ outcome: z.literal('reject'), reason: z.string().min(1) }),
  z.object({ outcome: z.literal('request-info'), question: z.string().min(1) }),
]);
export type ApprovalChoice = z.infer<typeof approvalChoiceSchema>;

/** A recorded decision: the choice, who made it, when, through which channel and from where. */
export const recordedDecisionSchema = z.object({
  choice: approvalChoiceSchema,
  decidedBy,
  decidedAt: z.iso.datetime(),
  channel: approvalDecisionChannelSchema,
  /** The policy version of the verdict the decision followed or departed from. */
  policyVersion: z.string(),
  /** True when the decision departs from the verdict's rule (DESIGN §3.2: an exception). */
  exception: z.boolean(),
  access: accessSchema.optional(),
});
export type RecordedDecision = z.infer<typeof recordedDecisionSchema>;

const supersessionSchema = z.object({
  /** The approval that replaces this one, when the workflow created one. */
  approvalId: z.string().optional(),
  approver: approvalApproverSchema,
  at: z.iso.datetime(),
  reason: z.string(),
});
export type Supersession = z.infer<typeof supersessionSchema>;

export const approvalTaskSchema = z.object({
  approvalId: z.string().min(1),
  registrationId: z.string().min(1),
  step: z.enum(approvalSteps),
  approver: approvalApproverSchema,
  /** ISO-8601: the SLA deadline of this step. */
  deadline: z.iso.datetime(),
  createdAt: z.iso.datetime(),
  status: z.enum(approvalStatuses),
  subject: approvalSubjectSchema,
  supersededBy: supersessionSchema.optional(),
  decision: recordedDecisionSchema.optional(),
  /** The workflow's current callback token for this task (Step Functions task token in AWS). */
  callbackToken: z.string().optional(),
  /** When the decision was handed to the waiting workflow. */
  handedOverAt: z.iso.datetime().optional(),
});
export type ApprovalTask = z.infer<typeof approvalTaskSchema>;

/** What the workflow supplies to open a task; the rest is set by Dealreg. */
export type NewApprovalTask = Pick<
  ApprovalTask,
  'approvalId' | 'registrationId' | 'step' | 'approver' | 'deadline' | 'createdAt' | 'subject'
>;

/** What the confirmation page shows. */
export type ApprovalView =
  | { readonly state: 'pending'; readonly task: ApprovalTask; readonly token: string; readonly nonce: string }
  | { readonly state: 'decided'; readonly task: ApprovalTask; readonly decision: RecordedDecision };
