import { loadPolicy } from '#domain/policy/load-policy.ts';
import { PolicyValidationError } from '#domain/policy/policy-validation-error.ts';

/** The messages `loadPolicy` refuses a policy with, or none when it accepts it. */
export function policyProblems(source: unknown): readonly string[] {
  try {
    loadPolicy(source);
    return [];
  } catch (error) {
    if (error instanceof PolicyValidationError) return error.messages;
    throw error;
  }
}
