import type { Compensation } from '#domain/policy/compensation.ts';
import type { RelationshipType } from '#domain/policy/policy-schema.ts';
import type { RegistrationStatus } from './conflict-input.ts';

export type ConflictOutcome = 'clear' | 'needs-review' | 'reject';

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

interface EvidenceBase {
  /** The rule this evidence made fire. */
  readonly ruleId: ConflictRuleId;
  /** One plain sentence for emails and the approval page. */
  readonly detail: string;
}

export interface RegistrationEvidence extends EvidenceBase {
  readonly kind: 'registration';
  readonly registrationId: string;
  readonly partnerId: string;
  readonly partnerDomain: string;
  readonly partnerName?: string;
  readonly status: RegistrationStatus;
  readonly submittedAt: string;
  readonly approvedAt?: string;
  readonly expiresAt?: string;
  /** How it was recognised as the same customer. */
  readonly matchedBy: 'domain' | 'company-name';
  /** Company-name similarity, 0–1. */
  readonly similarity: number;
}

export interface OpenDealEvidence extends EvidenceBase {
  readonly kind: 'open-deal';
  readonly dealId: string;
  readonly dealName: string;
  readonly ownerId?: string;
  readonly ownerName?: string;
  readonly stage?: string;
  readonly createdAt?: string;
  readonly amountUsdMinor?: number;
}

export interface EngagementEvidence extends EvidenceBase {
  readonly kind: 'engagement';
  readonly engagementId: string;
  readonly type: string;
  readonly ownerId?: string;
  readonly ownerName?: string;
  readonly occurredAt: string;
  /** Whole days between the engagement and the submission. */
  readonly daysBeforeSubmission: number;
}

export interface ClosedWonEvidence extends EvidenceBase {
  readonly kind: 'closed-won-deal';
  readonly dealId: string;
  readonly dealName: string;
  readonly closedAt: string;
  readonly amountUsdMinor?: number;
}

export type ConflictEvidenceItem =
  | RegistrationEvidence
  | OpenDealEvidence
  | EngagementEvidence
  | ClosedWonEvidence;

/** A rule that fired, with what it alone would have decided. */
export interface FiredRule {
  readonly ruleId: ConflictRuleId;
  readonly outcome: ConflictOutcome;
  readonly reason: string;
  /** The relationship this rule allows if the registration is approved; null when it rejects. */
  readonly relationshipType: RelationshipType | null;
}

/**
 * The explainable result of the conflict check (DESIGN §3.2), stored with the registration and
 * shown to the approver.
 */
export interface ConflictVerdict {
  readonly outcome: ConflictOutcome;
  /** The deciding rule, or `no-conflict`. */
  readonly ruleId: VerdictRuleId;
  /** One plain sentence saying which rule decided and why. */
  readonly reason: string;
  /** The evidence of every rule that fired, in rule precedence. */
  readonly evidence: readonly ConflictEvidenceItem[];
  /** Every rule that fired, deciding rule first. */
  readonly firedRules: readonly FiredRule[];
  /** The relationship the policy gives if approved (approvers may override with a reason); null on reject. */
  readonly relationshipType: RelationshipType | null;
  /** What approval under that relationship means for partner and direct rep; null on reject. */
  readonly compensation: Compensation | null;
  readonly policyVersion: string;
}
