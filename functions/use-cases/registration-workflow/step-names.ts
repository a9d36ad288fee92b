/**
 * The steps of the registration workflow, by the name each task of the state machine sends the
 * steps function (`{"step": "check-conflicts", …}`). The state machine
 * (workflows/registration-workflow.ts) and the steps' dispatch table (steps.ts) are both typed by
 * this list, so a misspelt or missing step fails to compile. It imports nothing, so the CDK code
 * reads it without the use cases' dependencies.
 */
export const registrationStepNames = [
  'normalise',
  'check-conflicts',
  'approve-automatically',
  'reject-automatically',
  'ask-approver',
  'await-decision',
  'remind-approver',
  'escalate',
  'apply-policy-default',
  'record-decision',
  'ask-partner-for-information',
  'resume-approval',
  'decline-unanswered',
  'register-in-hubspot',
  'share-with-aws',
  'tell-partner-approved',
  'tell-partner-declined',
  'check-deal-stage',
  'warn-of-expiry',
  'extend-validity',
  'tell-partner-extension-refused',
  'expire',
] as const;

export type RegistrationStepName = (typeof registrationStepNames)[number];
