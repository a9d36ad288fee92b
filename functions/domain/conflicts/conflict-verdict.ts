import * as z from 'zod';
import { compensationSchema } from '#domain/policy/compensation.ts';
import { relationshipTypeSchema } from '#domain/relationship-type.ts';
import { registrationStatuses } from './conflict-input.ts';

/**
 * The verdict of the conflict check as data. It is stored with the registration and read back by
 * the approval page and the reports, so it has a schema: `conflictVerdictSchema.parse` checks a
 * stored verdict at that edge.
 */

const conflictOutcomes = ['clear', 'needs-review', 'reject'] as const;
export type ConflictOutcome = (typeof conflictOutcomes)[number];

/**
 * The rules in their fixed precedence. When several fire, the most severe outcome decides and,
 * among rules with that outcome, the one listed first here names the verdict.
 */
export const conflictRuleIds = [
  'duplicate',
  'competing-partner',
  'direct-activity',
  'existing-customer',
] as const;
export type ConflictRuleId = (typeof conflictRuleIds)[number];
/** The rule id of a verdict where no rule fired. */
export const noConflictRuleId = 'no-conflict';
export type VerdictRuleId = ConflictRuleId | typeof noConflictRuleId;

const evidenceBase = {
  /** The rule this evidence made fire. */
  ruleId: z.enum(conflictRuleIds),
  /** One plain sentence for emails and the approval page. */
  detail: z.string(),
};

const registrationEvidenceSchema = z.object({
  kind: z.literal('registration'),
  ...evidenceBase,
  registrationId: z.string(),
  partnerId: z.string(),
  partnerDomain: z.string(),
  partnerName: z.string().optional(),
  status: z.enum(registrationStatuses),
  /** When Dealreg received that registration (verdicts recorded before receipt times decided carry `submittedAt`). */
  receivedAt: z.string().optional(),
  /** The time that registration's submission claimed, in verdicts recorded before receipt times decided. */
  submittedAt: z.string().optional(),
  approvedAt: z.string().optional(),
  expiresAt: z.string().optional(),
  /** How it was recognised as the same customer. */
  matchedBy: z.enum(['domain', 'company-name']),
  /** Company-name similarity, 0–1. */
  similarity: z.number(),
});
export type RegistrationEvidence = z.infer<typeof registrationEvidenceSchema>;

const openDealEvidenceSchema = z.object({
  kind: z.literal('open-deal'),
  ...evidenceBase,
  dealId: z.string(),
  dealName: z.string(),
  ownerId: z.string().optional(),
  ownerName: z.string().optional(),
  stage: z.string().optional(),
  createdAt: z.string().optional(),
  amountUsdMinor: z.number().int().optional(),
});
export type OpenDealEvidence = z.infer<typeof openDealEvidenceSchema>;

const engagementEvidenceSchema = z.object({
  kind: z.literal('engagement'),
  ...evidenceBase,
  engagementId: z.string(),
  type: z.string(),
  ownerId: z.string().optional(),
  ownerName: z.string().optional(),
  occurredAt: z.string(),
  /** Whole days between the engagement and the registration's receipt. */
  daysBeforeSubmission: z.number().int(),
});
export type EngagementEvidence = z.infer<typeof engagementEvidenceSchema>;

const closedWonEvidenceSchema = z.object({
  kind: z.literal('closed-won-deal'),
  ...evidenceBase,
  dealId: z.string(),
  dealName: z.string(),
  closedAt: z.string(),
  amountUsdMinor: z.number().int().optional(),
});
export type ClosedWonEvidence = z.infer<typeof closedWonEvidenceSchema>;

const conflictEvidenceItemSchema = z.discriminatedUnion('kind', [
  registrationEvidenceSchema,
  openDealEvidenceSchema,
  engagementEvidenceSchema,
  closedWonEvidenceSchema,
]);
export type ConflictEvidenceItem = z.infer<typeof conflictEvidenceItemSchema>;

/** A rule that fired, with what it alone would have decided. */
const firedRuleSchema = z.object({
  ruleId: z.enum(conflictRuleIds),
  outcome: z.enum(conflictOutcomes),
  reason: z.string(),
  /** The relationship this rule allows if the registration is approved; null when it rejects. */
  relationshipType: relationshipTypeSchema.nullable(),
});
export type FiredRule = z.infer<typeof firedRuleSchema>;

/**
 * What, besides the conflict rules, keeps a registration from being auto-approved: a submitter
 * who is not at the partner company, a close date beyond the policy's horizon. Each sends it to
 * an approver with its reason; none refuses it.
 */
export const intakeFindingIds = ['submitter-not-at-partner', 'close-date-beyond-horizon'] as const;
export type IntakeFindingId = (typeof intakeFindingIds)[number];

const intakeFindingSchema = z.object({
  id: z.enum(intakeFindingIds),
  /** One plain sentence for emails and the approval page. */
  reason: z.string(),
});
export type IntakeFinding = z.infer<typeof intakeFindingSchema>;

/** The explainable result of the conflict check (DESIGN §3.2). */
export const conflictVerdictSchema = z.object({
  outcome: z.enum(conflictOutcomes),
  /** The deciding rule, or `no-conflict`. */
  ruleId: z.union([z.enum(conflictRuleIds), z.literal(noConflictRuleId)]),
  /** One plain sentence saying which rule decided and why. */
  reason: z.string(),
  /** The evidence of every rule that fired, in rule precedence. */
  evidence: z.array(conflictEvidenceItemSchema),
  /** Every rule that fired, deciding rule first. */
  firedRules: z.array(firedRuleSchema),
  /** The relationship the policy gives if approved (approvers may override with a reason); null on reject. */
  relationshipType: relationshipTypeSchema.nullable(),
  /** What approval under that relationship means for partner and direct rep; null on reject. */
  compensation: compensationSchema.nullable(),
  policyVersion: z.string(),
  /**
   * What else asks an approver to look (see {@link intakeFindingIds}); its reasons are also in
   * `reason`. Absent when nothing did, and in verdicts recorded before these were checked.
   */
  intakeFindings: z.array(intakeFindingSchema).optional(),
});
export type ConflictVerdict = z.infer<typeof conflictVerdictSchema>;
