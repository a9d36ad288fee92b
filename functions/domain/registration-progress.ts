import * as z from 'zod';
import { conflictVerdictSchema } from '#domain/conflicts/conflict-verdict.ts';
import { verdictUnderClaimSchema } from '#domain/conflicts/verdict-under-claim.ts';
import { relationshipTypeSchema } from '#domain/relationship-type.ts';

/**
 * What the registration workflow has done with a registration, kept on its record in the
 * registrations table beside the submission: where it stands, the conflict verdict, the
 * decision (who, when, through which channel, under which policy version, exception or not) and
 * the SLA history. The pre-QBR report reads funnel stages and SLA compliance from here.
 */

/**
 * Where a registration stands in the workflow:
 * - `in-review`: checked, waiting for an approver;
 * - `awaiting-information`: an approver asked the partner a question; the SLA clock is paused;
 * - `approved`: holds the customer until `expiresAt`;
 * - `declined`: rejected by the conflict check, an approver or the SLA default;
 * - `expired`: the validity window ended;
 * - `merged`: a resubmission that answered an approver's question on an earlier registration
 *   (`answers` names it); it is not a registration of its own.
 */
export const workflowStatuses = [
  'in-review',
  'awaiting-information',
  'approved',
  'declined',
  'expired',
  'merged',
] as const;
export type WorkflowStatus = (typeof workflowStatuses)[number];

/**
 * How a decision reached Dealreg (DESIGN §3.2): decided automatically under the policy, by an
 * approver on the approval page, or by the policy default at the final SLA deadline.
 */
export const decisionChannelSchema = z.enum(['auto', 'page', 'sla-default']);

const registrationDecisionSchema = z.object({
  outcome: z.enum(['approve', 'reject']),
  /** Set when approved. */
  relationshipType: relationshipTypeSchema.optional(),
  reason: z.string(),
  decidedBy: z.object({ email: z.string(), name: z.string() }),
  decidedAt: z.iso.datetime(),
  channel: decisionChannelSchema,
  policyVersion: z.string(),
  /** True when the decision departs from the verdict's rule. */
  exception: z.boolean(),
  /** The approval task that carried it, when an approver or the SLA default decided. */
  approvalId: z.string().optional(),
  /**
   * True when it was declined because the partner left an approver's question unanswered: the
   * workflow decided (recorded as the SLA default's channel), not an approver's deadline lapsing.
   */
  unansweredQuestion: z.boolean().optional(),
});
export type RegistrationDecision = z.infer<typeof registrationDecisionSchema>;

/** The SLA history of the approval loop (absent for automatic decisions). */
const slaHistorySchema = z.object({
  /** When the first approver was asked. */
  requestedAt: z.iso.datetime(),
  /** The first level's SLA deadline (escalation time): a decision by then is within SLA. */
  deadline: z.iso.datetime(),
  /**
   * By when the approver who holds the registration now must decide: the SLA deadline of the
   * level asked, the final deadline once escalated, moved by a pause. The partner's status page
   * shows it. Absent on histories kept before it was.
   */
  decideBy: z.iso.datetime().optional(),
  /** When the policy's default decision applies (`sla.defaultDecision`), moved by a pause. */
  defaultAt: z.iso.datetime().optional(),
  reminders: z.number().int().nonnegative(),
  escalations: z.number().int().nonnegative(),
  /** True when the policy default decided at the final deadline. */
  defaulted: z.boolean(),
  /** Business hours the clock stood still while the partner answered a question. */
  pausedHours: z.number().nonnegative(),
});
export type SlaHistory = z.infer<typeof slaHistorySchema>;

export const registrationProgressSchema = z.object({
  status: z.enum(workflowStatuses),
  /** The HubSpot company id and name of the partner. */
  partnerId: z.string().optional(),
  partnerName: z.string().optional(),
  /** The estimated amount in US cents at the frozen rate of the submission day. */
  amountUsdMinor: z.number().int().nonnegative().optional(),
  verdict: conflictVerdictSchema.optional(),
  /** Set when the claimed submission time would have changed the verdict (it did not decide it). */
  verdictUnderClaim: verdictUnderClaimSchema.optional(),
  decision: registrationDecisionSchema.optional(),
  sla: slaHistorySchema.optional(),
  /** The HubSpot deal (opportunity) the approved registration created or linked. */
  dealId: z.string().optional(),
  /** The customer's HubSpot company the deal belongs to, as "Register deal in HubSpot" found or created it. */
  customerCompanyId: z.string().optional(),
  /** The HubSpot Deal Registration record. */
  hubspotRecordId: z.string().optional(),
  /** The first level's approval while the second level decides (large deals). */
  firstLevel: z
    .object({
      approverName: z.string(),
      /** Who approved it (absent on registrations whose first level was recorded before it was kept). */
      approverEmail: z.string().optional(),
      approvedAt: z.iso.datetime(),
      relationshipType: relationshipTypeSchema,
      reason: z.string().optional(),
    })
    .optional(),
  /** For a `merged` resubmission: the registration whose question it answered. */
  answers: z.string().optional(),
  approvedAt: z.iso.datetime().optional(),
  expiresAt: z.iso.datetime().optional(),
  extensions: z.number().int().nonnegative().optional(),
  expiredAt: z.iso.datetime().optional(),
  /**
   * The deal closed in the CRM before the registration expired: won or lost, its stage, and
   * whether the policy (`validity.onClosedWon` / `validity.onClosedLost`) kept the protection
   * (no expiry warning, no expiry) or ended it (expired at once).
   */
  closedDeal: z
    .object({
      outcome: z.enum(['won', 'lost']),
      stage: z.string(),
      protection: z.enum(['kept', 'ended']),
      at: z.iso.datetime(),
    })
    .optional(),
  updatedAt: z.iso.datetime(),
});
export type RegistrationProgress = z.infer<typeof registrationProgressSchema>;
