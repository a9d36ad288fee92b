import type { FiscalQuarter } from '#domain/ledger/fiscal-quarter.ts';
import { type QbrRegistration, reportedAt } from './registration-view.ts';
import type { Finding } from './report.ts';

function span(ms: number): string {
  const hours = Math.abs(ms) / 3_600_000;
  if (hours >= 48) return `${Math.floor(hours / 24)} days`;
  if (hours >= 1) return `${Math.floor(hours)} hour${Math.floor(hours) === 1 ? '' : 's'}`;
  const minutes = Math.max(1, Math.floor(Math.abs(ms) / 60_000));
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

const decided = (outcome: string, ruleId: string, relationship: string | null) =>
  `${outcome} (${ruleId}${relationship === null ? '' : `, ${relationship}`})`;

/**
 * Candidate policy exceptions: registrations received in the quarter (up to asOf) whose
 * submission claimed a time at which the conflict check would have decided otherwise
 * (`verdictUnderClaim`, recorded at the check). The verdict went by the receipt, so nothing was
 * decided on the claim; the finding is for the people who must explain the partner's behaviour.
 */
export function claimedTimeFindings(
  records: readonly QbrRegistration[],
  quarter: FiscalQuarter,
  asOf: string,
): Finding[] {
  const findings: Finding[] = [];
  for (const record of records) {
    const { verdict, verdictUnderClaim: claim } = record.progress ?? {};
    if (verdict === undefined || claim === undefined) continue;
    const receivedAt = reportedAt(record);
    if (receivedAt < quarter.start || receivedAt >= quarter.end || receivedAt > asOf) continue;
    const claimedAt = new Date(claim.claimedAt).toISOString();
    const gap = Date.parse(receivedAt) - Date.parse(claimedAt);
    findings.push({
      code: 'POLICY_EXCEPTION',
      severity: 'medium',
      registrationId: record.registrationId,
      detail:
        `Candidate exception: registration ${record.registrationId}'s submission states ${claimedAt}, ` +
        `${span(gap)} ${gap >= 0 ? 'before' : 'after'} Dealreg received it (${receivedAt}). ` +
        `At the stated time the conflict check would have decided ${decided(claim.outcome, claim.ruleId, claim.relationshipType)} ` +
        `instead of ${decided(verdict.outcome, verdict.ruleId, verdict.relationshipType)}; it was decided on the receipt.`,
      evidence: {
        receivedAt,
        claimedAt,
        verdictOutcome: verdict.outcome,
        verdictRuleId: verdict.ruleId,
        verdictRelationship: verdict.relationshipType,
        outcomeAtClaim: claim.outcome,
        ruleIdAtClaim: claim.ruleId,
        relationshipAtClaim: claim.relationshipType,
      },
      fix: 'Ask the partner why the submission states another time than when it reached us. Its place was taken at the receipt, so the decision stands; a partner who keeps stating earlier times is trying to jump the queue.',
    });
  }
  return findings;
}
