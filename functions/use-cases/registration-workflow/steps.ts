import * as z from 'zod';
import { shareWithAws } from '#use-cases/share-with-aws.ts';
import { applyPolicyDefault } from './apply-policy-default.ts';
import { type ApprovalState, approvalStateSchema, decisionOutputSchema } from './approval-state.ts';
import { askApprover } from './ask-approver.ts';
import { askPartnerForInformation, declineUnanswered } from './ask-partner-for-information.ts';
import { checkDealStage } from './check-deal-stage.ts';
import { checkRegistrationConflicts } from './check-for-channel-conflict.ts';
import { approveAutomatically, rejectAutomatically } from './decide-automatically.ts';
import type { RegistrationWorkflowDependencies } from './dependencies.ts';
import { escalateApproval } from './escalate-to-next-approver.ts';
import { expireRegistration } from './expire-registration.ts';
import { extendValidity } from './extend-validity.ts';
import { normaliseRegistration } from './normalise-registration.ts';
import { recordApproverDecision } from './record-approver-decision.ts';
import { registerInHubSpot } from './register-deal-in-hubspot.ts';
import { remindApprover } from './remind-approver.ts';
import { resumeApproval } from './resume-approval.ts';
import { type RegistrationStepName, registrationStepNames } from './step-names.ts';
import { notifyApproved, notifyDeclined, notifyExtensionRefused } from './tell-partner-the-decision.ts';
import { awaitDecision } from './wait-for-approver-decision.ts';
import { warnOfExpiry } from './warn-partner-of-expiry.ts';

/** A task sent input the step does not accept: a mismatch between the state machine and the code. */
class InvalidStepInputError extends Error {
  override readonly name = 'InvalidStepInputError';
}

type Deps = RegistrationWorkflowDependencies;

/** Runs one step on the task's input, which it validates first against `inputSchema`. */
type RegistrationStepHandler = ((deps: Deps, input: unknown) => Promise<unknown>) & {
  readonly inputSchema: z.ZodType;
};

function parseStepInput<Schema extends z.ZodType>(schema: Schema, input: unknown): z.output<Schema> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`);
  throw new InvalidStepInputError(
    `the workflow task input is not a registration step — ${problems.join('; ')}`,
  );
}

/** A step taking the input `schema` describes (the registration id and what else the task sends). */
function step<Schema extends z.ZodType>(
  schema: Schema,
  run: (deps: Deps, input: z.output<Schema>) => Promise<unknown>,
): RegistrationStepHandler {
  return Object.assign((deps: Deps, input: unknown) => run(deps, parseStepInput(schema, input)), {
    inputSchema: schema,
  });
}

const text = z.string().min(1);
const registration = z.object({ registrationId: text });
const approvalLoop = registration.extend({ approval: approvalStateSchema });
const decided = approvalLoop.extend({ decision: decisionOutputSchema });

/** A step that needs only the registration id. */
const ofRegistration = (run: (deps: Deps, registrationId: string) => Promise<unknown>) =>
  step(registration, (deps, input) => run(deps, input.registrationId));

/** A step of the approval loop: the registration id and the loop's state. */
const ofApprovalLoop = (
  run: (deps: Deps, registrationId: string, approval: ApprovalState) => Promise<unknown>,
) => step(approvalLoop, (deps, input) => run(deps, input.registrationId, input.approval));

/**
 * Every step of the registration workflow by the name the state machine
 * (workflows/registration-workflow.ts) sends, with the input that task passes.
 */
const registrationSteps = {
  normalise: ofRegistration(normaliseRegistration),
  'check-conflicts': ofRegistration(checkRegistrationConflicts),
  'approve-automatically': step(registration.extend({ reason: text }), (deps, input) =>
    approveAutomatically(deps, input.registrationId, input.reason),
  ),
  'reject-automatically': step(registration.extend({ reason: text }), (deps, input) =>
    rejectAutomatically(deps, input.registrationId, input.reason),
  ),
  'ask-approver': ofRegistration(askApprover),
  'await-decision': step(registration.extend({ approvalId: text, taskToken: text }), awaitDecision),
  'remind-approver': ofApprovalLoop(remindApprover),
  escalate: ofApprovalLoop(escalateApproval),
  'apply-policy-default': ofApprovalLoop(applyPolicyDefault),
  'record-decision': step(decided, (deps, input) =>
    recordApproverDecision(deps, input.registrationId, input),
  ),
  'ask-partner-for-information': step(decided.extend({ taskToken: text }), (deps, input) =>
    askPartnerForInformation(deps, input.registrationId, input),
  ),
  'resume-approval': step(
    approvalLoop.extend({ answer: z.object({ resubmissionId: text }) }),
    (deps, input) => resumeApproval(deps, input.registrationId, input),
  ),
  'decline-unanswered': ofRegistration(declineUnanswered),
  'register-in-hubspot': ofRegistration(registerInHubSpot),
  // The execution keeps only the outcome and the ACE id; the reason is in the step's log.
  'share-with-aws': ofRegistration(async (deps, registrationId) => {
    const shared = await shareWithAws(deps, registrationId);
    return {
      outcome: shared.outcome,
      ...('aceOpportunityId' in shared ? { aceOpportunityId: shared.aceOpportunityId } : {}),
    };
  }),
  'tell-partner-approved': ofRegistration(notifyApproved),
  'tell-partner-declined': ofRegistration(notifyDeclined),
  'check-deal-stage': ofRegistration(checkDealStage),
  'warn-of-expiry': step(registration.extend({ taskToken: text }), (deps, input) =>
    warnOfExpiry(deps, input.registrationId, input.taskToken),
  ),
  'extend-validity': ofRegistration(extendValidity),
  'tell-partner-extension-refused': step(
    registration.extend({ decision: decisionOutputSchema }),
    (deps, input) => notifyExtensionRefused(deps, input.registrationId, input.decision),
  ),
  expire: ofRegistration(expireRegistration),
} satisfies Record<RegistrationStepName, RegistrationStepHandler>;

const stepNameSchema = z.object({ step: z.enum(registrationStepNames) });

/**
 * The task input a step accepts, its `step` name included: what the state machine's task for it
 * must send (the infrastructure tests check the deployed definition against it).
 */
export function registrationStepInputSchema(name: RegistrationStepName): z.ZodType {
  return z.intersection(stepNameSchema, registrationSteps[name].inputSchema);
}

/** Runs one step of the registration workflow and answers what the state machine reads next. */
export async function runRegistrationStep(deps: Deps, input: unknown): Promise<unknown> {
  const { step: name } = parseStepInput(stepNameSchema, input);
  return registrationSteps[name](deps, input);
}
