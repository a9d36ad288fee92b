import {
  type ConflictEvidenceItem,
  type ConflictOutcome,
  type ConflictVerdict,
  conflictVerdictSchema,
  type IntakeFindingId,
  noConflictRuleId,
  type VerdictRuleId,
} from '#domain/conflicts/conflict-verdict.ts';
import { html, type SafeHtml } from '#rendering/html.ts';
import { formatCalendarDate, usd } from './email-text.ts';
import { emailStyle } from './layout.ts';
import { type Row, rowsHtml, rowsText } from './summary-rows.ts';

/** The conflict check as the emails show it: the verdict's outcome, rule and reason, and its evidence. */

/** A verdict an approver is asked to act on: one that allows approval, so it has compensation. */
export const reviewableVerdictSchema = conflictVerdictSchema.superRefine((verdict, context) => {
  if (verdict.relationshipType === null || verdict.compensation === null) {
    context.addIssue({
      code: 'custom',
      path: ['compensation'],
      message:
        'an approver is only asked about a verdict that allows approval (relationship and compensation)',
    });
  }
});

const outcomeNames: Readonly<Record<ConflictOutcome, string>> = {
  clear: 'No conflict',
  'needs-review': 'Needs review',
  reject: 'Reject',
};

const ruleNames: Readonly<Record<VerdictRuleId, string>> = {
  duplicate: 'Duplicate registration',
  'competing-partner': 'Competing partner',
  'direct-activity': 'Direct-rep activity',
  'existing-customer': 'Existing customer',
  'no-conflict': 'No rule fired',
};

/** A conflict check's outcome as people read it: `Needs review`. */
export function conflictOutcomeName(outcome: ConflictOutcome): string {
  return outcomeNames[outcome];
}

/** A conflict rule as people read it: `Direct-rep activity`. */
export function conflictRuleName(ruleId: VerdictRuleId): string {
  return ruleNames[ruleId];
}

const intakeFindingNames: Readonly<Record<IntakeFindingId, string>> = {
  'submitter-not-at-partner': 'submitter not at the partner company',
  'close-date-beyond-horizon': 'close date beyond the horizon',
};

/** The intake findings as people read them: `Intake check: submitter not at the partner company (submitter-not-at-partner)`. */
function intakeCheck(verdict: ConflictVerdict): string | undefined {
  const findings = verdict.intakeFindings ?? [];
  if (findings.length === 0) return undefined;
  return `Intake check: ${findings.map((finding) => `${intakeFindingNames[finding.id]} (${finding.id})`).join('; ')}`;
}

/**
 * What decided the verdict, as people read it, and what else applied. When no conflict rule asked
 * for review (none fired, or the deciding one was clear on its own, as the expansion rule may be)
 * but an intake finding did, the finding is what decided, so it is named rather than a rule beside
 * "Needs review"; the rule, if any, follows as `also`. Emails and pages both show it.
 */
export function verdictDecidedBy(verdict: ConflictVerdict): {
  readonly rule: string;
  readonly also?: string;
} {
  const intake = intakeCheck(verdict);
  const conflictRule = `${ruleNames[verdict.ruleId]} (${verdict.ruleId})`;
  if (intake === undefined) return { rule: conflictRule };
  if (verdict.ruleId === noConflictRuleId) return { rule: intake };
  if (verdict.firedRules[0]?.outcome === 'clear') {
    return { rule: intake, also: `${conflictRule}, no conflict on its own` };
  }
  return { rule: conflictRule, also: intake };
}

/** The verdict's headline rows: outcome, what decided it (and what else applied), reason. */
function verdictRows(verdict: ConflictVerdict): Row[] {
  const { rule, also } = verdictDecidedBy(verdict);
  return [
    ['Outcome', outcomeNames[verdict.outcome]],
    ['Rule', rule],
    ...(also === undefined ? [] : [['Also', also] as Row]),
    ['Reason', verdict.reason],
  ];
}

/** One evidence item as a sentence plus the facts behind it. */
function evidenceLines(item: ConflictEvidenceItem): { detail: string; facts: string } {
  const rule = ruleNames[item.ruleId];
  switch (item.kind) {
    case 'registration':
      return {
        detail: item.detail,
        facts: joinFacts([
          rule,
          `registration ${item.registrationId}`,
          `partner ${item.partnerName ? `${item.partnerName} (${item.partnerDomain})` : item.partnerDomain}`,
          `status ${item.status}`,
          item.receivedAt !== undefined
            ? `received ${formatCalendarDate(item.receivedAt)}`
            : item.submittedAt !== undefined && `submitted ${formatCalendarDate(item.submittedAt)}`,
          item.approvedAt && `approved ${formatCalendarDate(item.approvedAt)}`,
          item.expiresAt && `expires ${formatCalendarDate(item.expiresAt)}`,
          item.matchedBy === 'domain'
            ? 'matched by customer domain'
            : `matched by company name (similarity ${item.similarity.toFixed(2)})`,
        ]),
      };
    case 'open-deal':
      return {
        detail: item.detail,
        facts: joinFacts([
          rule,
          `open HubSpot deal "${item.dealName}" (${item.dealId})`,
          item.ownerName && `owner ${item.ownerName}`,
          item.stage && `stage ${item.stage}`,
          item.createdAt && `created ${formatCalendarDate(item.createdAt)}`,
          item.amountUsdMinor !== undefined && `amount ${usd(item.amountUsdMinor)}`,
        ]),
      };
    case 'engagement':
      return {
        detail: item.detail,
        facts: joinFacts([
          rule,
          `${item.type} ${item.engagementId}`,
          item.ownerName && `by ${item.ownerName}`,
          `on ${formatCalendarDate(item.occurredAt)}`,
          `${item.daysBeforeSubmission} day${item.daysBeforeSubmission === 1 ? '' : 's'} before submission`,
        ]),
      };
    case 'closed-won-deal':
      return {
        detail: item.detail,
        facts: joinFacts([
          rule,
          `closed-won deal "${item.dealName}" (${item.dealId})`,
          `closed ${formatCalendarDate(item.closedAt)}`,
          item.amountUsdMinor !== undefined && `amount ${usd(item.amountUsdMinor)}`,
        ]),
      };
  }
}

function joinFacts(facts: ReadonlyArray<string | false | undefined>): string {
  return facts.filter((fact): fact is string => typeof fact === 'string' && fact !== '').join(' · ');
}

export function verdictHtml(verdict: ConflictVerdict): SafeHtml {
  return html`<h3 style="${emailStyle.paragraph}font-weight:600;margin-bottom:8px;">Conflict check</h3>
${rowsHtml(verdictRows(verdict))}
${
  verdict.evidence.length === 0
    ? html`<p style="${emailStyle.paragraph}">No evidence: no rule found another registration, direct-rep activity or a recent closed-won deal.</p>`
    : html`<p style="${emailStyle.paragraph}margin-bottom:4px;"><strong>Evidence</strong></p>
<ul style="margin:0 0 16px 0;padding-left:20px;">
${verdict.evidence.map((item) => {
  const { detail, facts } = evidenceLines(item);
  return html`<li style="${emailStyle.paragraph}margin-bottom:8px;">${detail}<br><span style="${emailStyle.small}">${facts}</span></li>`;
})}
</ul>`
}`;
}

export function verdictText(verdict: ConflictVerdict): string {
  const evidence =
    verdict.evidence.length === 0
      ? 'Evidence: none (no rule found another registration, direct-rep activity or a recent closed-won deal).'
      : [
          'Evidence:',
          ...verdict.evidence.map((item, index) => {
            const { detail, facts } = evidenceLines(item);
            return `${index + 1}. ${detail}\n   ${facts}`;
          }),
        ].join('\n');
  return `CONFLICT CHECK\n${rowsText(verdictRows(verdict))}\n${evidence}`;
}
