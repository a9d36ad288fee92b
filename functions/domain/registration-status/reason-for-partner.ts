import type { ConflictVerdict } from '#domain/conflicts/conflict-verdict.ts';
import { relationshipTypeLabels } from '#domain/relationship-type.ts';

/**
 * The conflict check's reason as the submitting partner may read it (status page, decision
 * email). Another partner's registration is that partner's business: the partner learns that
 * one came first and what that means for theirs, not whose it is or its reference. Approvers
 * still read the verdict's own reason.
 */
export function verdictReasonForPartner(
  verdict: Pick<ConflictVerdict, 'ruleId' | 'outcome' | 'relationshipType' | 'reason' | 'intakeFindings'>,
): string {
  if (verdict.ruleId !== 'competing-partner') return verdict.reason;
  const consequence =
    verdict.relationshipType === null
      ? 'later registrations for the same customer are rejected'
      : `this registration may be approved only as ${relationshipTypeLabels[verdict.relationshipType]}`;
  return [
    `Another partner registered this customer first; the first registration wins, so ${consequence}.`,
    ...(verdict.intakeFindings ?? []).map((finding) => finding.reason),
  ].join(' ');
}

/**
 * A decision's reason as the partner may read it: where it quotes the verdict's reason (an
 * automatic decision's does, and an approver's decision given without a reason of its own), that
 * reason as `verdictReasonForPartner` words it; an approver's own words stay as written.
 */
export function reasonForPartner(
  text: string,
  verdict: Parameters<typeof verdictReasonForPartner>[0] | undefined,
): string {
  if (verdict === undefined || verdict.ruleId !== 'competing-partner') return text;
  return text.replace(verdict.reason, () => verdictReasonForPartner(verdict));
}
