import { createRequire } from 'node:module';

/** What asl-validator reports (the package ships no type declarations). */
export interface AslValidation {
  readonly isValid: boolean;
  readonly errors: ReadonlyArray<{ readonly 'Error code': string; readonly Message: string }>;
}

type AslValidator = (
  definition: unknown,
  options?: { checkPaths?: boolean; checkArn?: boolean },
) => AslValidation;

const aslValidator = createRequire(import.meta.url)('asl-validator') as AslValidator;

/**
 * Validates an Amazon States Language document with asl-validator (JSON schema, paths, ARNs,
 * transitions). Works on a copy: the validator writes default query languages into its input.
 */
export function validateAsl(definition: unknown): AslValidation {
  return aslValidator(structuredClone(definition));
}
