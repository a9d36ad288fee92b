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

/**
 * The Task states, at any depth (Map item processors, Parallel branches), whose `Parameters` is
 * present but not an object. AWS Step Functions requires an object ("Parameters": a JSON object
 * of key-value pairs, Amazon States Language specification), yet asl-validator accepts a string:
 * CDK's `payloadResponseOnly` with `TaskInput.fromJsonPathAt('$')` renders `"Parameters": "$"`,
 * and the function then receives the literal string `"$"`.
 */
export function tasksWithNonObjectParameters(definition: unknown): string[] {
  const found: string[] = [];
  const visit = (machine: unknown): void => {
    const states = (machine as { States?: Record<string, Record<string, unknown>> }).States ?? {};
    for (const [name, state] of Object.entries(states)) {
      const parameters = state.Parameters;
      const isObject = typeof parameters === 'object' && parameters !== null && !Array.isArray(parameters);
      if (state.Type === 'Task' && parameters !== undefined && !isObject) found.push(name);
      if (state.ItemProcessor !== undefined) visit(state.ItemProcessor);
      if (state.Iterator !== undefined) visit(state.Iterator);
      for (const branch of (state.Branches as unknown[] | undefined) ?? []) visit(branch);
    }
  };
  visit(definition);
  return found;
}
