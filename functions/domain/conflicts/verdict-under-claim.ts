import * as z from 'zod';
import { type ConflictVerdict, conflictVerdictSchema } from './conflict-verdict.ts';

/**
 * What the conflict check would have decided had the registration's claimed submission time been
 * its place, kept when that differs from the verdict on its receipt (another outcome, rule or
 * relationship): a claim that would have changed a verdict, which the pre-QBR report names.
 */
export const verdictUnderClaimSchema = z.object({
  /** The time the submission claimed, ISO-8601. */
  claimedAt: z.iso.datetime(),
  outcome: conflictVerdictSchema.shape.outcome,
  ruleId: conflictVerdictSchema.shape.ruleId,
  relationshipType: conflictVerdictSchema.shape.relationshipType,
  reason: z.string(),
});
export type VerdictUnderClaim = z.infer<typeof verdictUnderClaimSchema>;

/**
 * The verdict under the claimed time, when it would have decided otherwise than the verdict on
 * the receipt: another outcome, deciding rule or relationship. Evidence alone differing (a call
 * inside one window and not the other) changes no decision and is not kept.
 */
export function verdictUnderClaim(
  onReceipt: ConflictVerdict,
  underClaim: ConflictVerdict,
  claimedAt: string,
): VerdictUnderClaim | undefined {
  if (
    underClaim.outcome === onReceipt.outcome &&
    underClaim.ruleId === onReceipt.ruleId &&
    underClaim.relationshipType === onReceipt.relationshipType
  ) {
    return undefined;
  }
  return {
    claimedAt,
    outcome: underClaim.outcome,
    ruleId: underClaim.ruleId,
    relationshipType: underClaim.relationshipType,
    reason: underClaim.reason,
  };
}
