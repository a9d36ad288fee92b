import * as z from 'zod';
import type { ConflictVerdict } from '#domain/conflicts/conflict-verdict.ts';
import { departsFromVerdict } from '#domain/policy/registration-decision.ts';
import { type RelationshipType, relationshipTypes } from '#domain/relationship-type.ts';
import { InvalidFormError } from '#domain/signed-links/errors.ts';
import { maxTextLength, readForm } from '#domain/signed-links/page-form.ts';
import type { ApprovalChoice, FirstLevelApproval } from './approval-task.ts';

/** The buttons of the confirmation page; each posts its own `decision` value. */
const decisionButtons = ['approve', 'reject', 'request-info'] as const;

const text = z
  .string()
  .trim()
  .max(maxTextLength, { error: `must be at most ${maxTextLength} characters` })
  .optional()
  .transform((value) => (value === '' ? undefined : value));

const formSchema = z.object({
  decision: z.enum(decisionButtons, { error: 'must be one of the page buttons' }),
  /** The relationship to approve under; the verdict's when left out. */
  relationshipType: z.preprocess(
    (value) => (value === '' ? undefined : value),
    z.enum(relationshipTypes, { error: `must be one of ${relationshipTypes.join(', ')}` }).optional(),
  ),
  reason: text,
  question: text,
});

/** The fields of a decision as posted by the page, before they are read. */
export interface DecisionFields {
  readonly decision?: string | undefined;
  readonly relationshipType?: string | undefined;
  readonly reason?: string | undefined;
  readonly question?: string | undefined;
}

/** The relationship a plain "Approve" gives: the verdict's, which the policy chose. */
export function policyRelationship(verdict: ConflictVerdict): ApprovalChoice & { outcome: 'approve' } {
  return { outcome: 'approve', relationshipType: verdict.relationshipType ?? 'influenced' };
}

/**
 * Reads the approver's choice from the page's fields. A rejection needs a reason, a request for
 * information needs the question, and an approval under another relationship type than the
 * verdict's (any type the policy prices, e.g. influenced where the policy gives sourced) needs
 * the reason for the exception. At the second level (`firstLevel`), approving under the first
 * level's relationship type confirms it: without a reason of their own, the first level's stands.
 * A question is refused on an extension, which is approved or refused as a whole, and once the
 * questions the policy allows at this level of the approval (`sla.maxQuestions`) are used.
 * Throws `InvalidFormError` naming each missing or invalid field.
 */
export function readDecision(
  fields: DecisionFields,
  verdict: ConflictVerdict,
  firstLevel?: FirstLevelApproval,
  asking: { readonly extension?: boolean; readonly questionsLeft?: number | undefined } = {},
): { choice: ApprovalChoice; exception: boolean } {
  const { decision, relationshipType: chosen, reason: given, question } = readForm(formSchema, fields);
  const missing = (field: string, message: string) => new InvalidFormError([{ field, message }]);
  switch (decision) {
    case 'request-info':
      if (asking.extension === true) {
        throw missing(
          'question',
          'cannot be asked about an extension request, which is approved or refused as a whole: approve or refuse it',
        );
      }
      if (asking.questionsLeft === 0) {
        throw missing(
          'question',
          'cannot be asked: the policy allows no more questions to the partner at this approval level (sla.maxQuestions); approve or reject the registration',
        );
      }
      if (question === undefined) throw missing('question', 'is required to ask the partner for information');
      return { choice: { outcome: 'request-info', question }, exception: false };
    case 'reject':
      if (given === undefined) throw missing('reason', 'is required to reject a registration');
      return {
        choice: { outcome: 'reject', reason: given },
        exception: departsFromVerdict(verdict, { decision: 'reject' }),
      };
    default: {
      const relationshipType: RelationshipType =
        chosen ?? firstLevel?.relationshipType ?? policyRelationship(verdict).relationshipType;
      const exception = departsFromVerdict(verdict, { decision: 'approve', relationshipType });
      const reason =
        given ?? (relationshipType === firstLevel?.relationshipType ? firstLevel.reason : undefined);
      if (exception && reason === undefined) {
        throw missing(
          'reason',
          `is required to approve as ${relationshipType} where the policy gives ${verdict.relationshipType ?? 'a rejection'}: say why (it is recorded as an exception to the rule)`,
        );
      }
      return {
        choice: { outcome: 'approve', relationshipType, reason },
        exception,
      };
    }
  }
}
