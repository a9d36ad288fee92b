import type { RegistrationProgress } from '#domain/registration-progress.ts';

/** The conflict check's verdict on a registration nobody else claims: clear, sourced, no evidence. */
export const clearVerdict: NonNullable<RegistrationProgress['verdict']> = {
  outcome: 'clear',
  ruleId: 'no-conflict',
  reason: 'No other partner, deal or direct-rep activity for this customer.',
  evidence: [],
  firedRules: [],
  relationshipType: 'sourced',
  compensation: null,
  policyVersion: 'sha256:0f3a9c1e5b7d',
};
