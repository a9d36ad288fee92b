import { z } from 'zod';
import {
  applyPolicyDefault,
  approvalStateSchema,
  askApprover,
  askPartnerForInformation,
  awaitDecision,
  decisionOutputSchema,
  declineUnanswered,
  escalateApproval,
  recordApproverDecision,
  remindApprover,
  resumeApproval,
} from './approval-loop.ts';
import { checkRegistrationConflicts, normaliseRegistration } from './assess-registration.ts';
import type { RegistrationWorkflowDependencies } from './dependencies.ts';
import {
  approveAutomatically,
  expireRegistration,
  extendValidity,
  notifyApproved,
  notifyDeclined,
  notifyExtensionRefused,
  registerInHubSpot,
  rejectAutomatically,
  warnOfExpiry,
} from './registration-outcome.ts';

const registrationId = z.string().min(1);
const taskToken = z.string().min(1);
const reason = z.string().min(1);

/**
 * The input of every task of the registration workflow: the step to run and what it needs. The
 * state machine (workflows/registration-workflow.ts) passes exactly these shapes.
 */
export const registrationStepSchema = z.discriminatedUnion('step', [
  z.object({ step: z.literal('normalise'), registrationId }),
  z.object({ step: z.literal('check-conflicts'), registrationId }),
  z.object({ step: z.literal('approve-automatically'), registrationId, reason }),
  z.object({ step: z.literal('reject-automatically'), registrationId, reason }),
  z.object({ step: z.literal('ask-approver'), registrationId }),
  z.object({ step: z.literal('await-decision'), registrationId, approvalId: z.string().min(1), taskToken }),
  z.object({ step: z.literal('remind-approver'), registrationId, approval: approvalStateSchema }),
  z.object({ step: z.literal('escalate'), registrationId, approval: approvalStateSchema }),
  z.object({ step: z.literal('apply-policy-default'), registrationId, approval: approvalStateSchema }),
  z.object({
    step: z.literal('record-decision'),
    registrationId,
    approval: approvalStateSchema,
    decision: decisionOutputSchema,
  }),
  z.object({
    step: z.literal('ask-partner-for-information'),
    registrationId,
    approval: approvalStateSchema,
    decision: decisionOutputSchema,
    taskToken,
  }),
  z.object({
    step: z.literal('resume-approval'),
    registrationId,
    approval: approvalStateSchema,
    answer: z.object({ resubmissionId: z.string().min(1) }),
  }),
  z.object({ step: z.literal('decline-unanswered'), registrationId }),
  z.object({ step: z.literal('register-in-hubspot'), registrationId }),
  z.object({ step: z.literal('tell-partner-approved'), registrationId }),
  z.object({ step: z.literal('tell-partner-declined'), registrationId }),
  z.object({ step: z.literal('warn-of-expiry'), registrationId, taskToken }),
  z.object({ step: z.literal('extend-validity'), registrationId }),
  z.object({
    step: z.literal('tell-partner-extension-refused'),
    registrationId,
    decision: decisionOutputSchema,
  }),
  z.object({ step: z.literal('expire'), registrationId }),
]);
export type RegistrationStep = z.infer<typeof registrationStepSchema>;
export type RegistrationStepName = RegistrationStep['step'];

/** A task sent input the step does not accept: a mismatch between the state machine and the code. */
export class InvalidStepInputError extends Error {
  override readonly name = 'InvalidStepInputError';
}

/** Runs one step of the registration workflow and answers what the state machine reads next. */
export async function runRegistrationStep(
  deps: RegistrationWorkflowDependencies,
  input: unknown,
): Promise<unknown> {
  const parsed = registrationStepSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`,
    );
    throw new InvalidStepInputError(
      `the workflow task input is not a registration step — ${problems.join('; ')}`,
    );
  }
  const event = parsed.data;
  const id = event.registrationId;
  switch (event.step) {
    case 'normalise':
      return normaliseRegistration(deps, id);
    case 'check-conflicts':
      return checkRegistrationConflicts(deps, id);
    case 'approve-automatically':
      return approveAutomatically(deps, id, event.reason);
    case 'reject-automatically':
      return rejectAutomatically(deps, id, event.reason);
    case 'ask-approver':
      return askApprover(deps, id);
    case 'await-decision':
      return awaitDecision(deps, event);
    case 'remind-approver':
      return remindApprover(deps, id, event.approval);
    case 'escalate':
      return escalateApproval(deps, id, event.approval);
    case 'apply-policy-default':
      return applyPolicyDefault(deps, id, event.approval);
    case 'record-decision':
      return recordApproverDecision(deps, id, event);
    case 'ask-partner-for-information':
      return askPartnerForInformation(deps, id, event);
    case 'resume-approval':
      return resumeApproval(deps, id, event);
    case 'decline-unanswered':
      return declineUnanswered(deps, id);
    case 'register-in-hubspot':
      return registerInHubSpot(deps, id);
    case 'tell-partner-approved':
      return notifyApproved(deps, id);
    case 'tell-partner-declined':
      return notifyDeclined(deps, id);
    case 'warn-of-expiry':
      return warnOfExpiry(deps, id, event.taskToken);
    case 'extend-validity':
      return extendValidity(deps, id);
    case 'tell-partner-extension-refused': {
      const { decision } = event.decision;
      const refusalReason =
        decision.choice.outcome === 'approve'
          ? 'no reason given'
          : 'reason' in decision.choice
            ? decision.choice.reason
            : decision.choice.question;
      return notifyExtensionRefused(deps, id, {
        decidedBy: decision.decidedBy,
        decidedAt: decision.decidedAt,
        reason: refusalReason,
      });
    }
    case 'expire':
      return expireRegistration(deps, id);
  }
}
