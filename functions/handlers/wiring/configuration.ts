import * as z from 'zod';
import { formFieldMappingSchema } from '#domain/form-field-mapping.ts';
import { type LoadedPolicy, loadPolicy } from '#domain/policy/load-policy.ts';
import { field } from '#domain/policy/policy-fields.ts';
import { PolicyValidationError } from '#domain/policy/policy-validation-error.ts';

import { ConfigurationError } from './configuration-error.ts';

export { ConfigurationError };

/**
 * The function's environment, with the policy baked into its bundle. The constructs have esbuild
 * replace the expression `process.env.DEALREG_POLICY` with the policy validated at synth time
 * (one deployment, one policy version, and no 4 KB environment to outgrow); reading the
 * environment object as a whole would never see that replacement, so the expression is written
 * out here, once. Outside a bundle it reads the variable (the local stack and tests set it).
 */
function deployedEnvironment(): Readonly<Record<string, string | undefined>> {
  return { ...process.env, DEALREG_POLICY: process.env.DEALREG_POLICY };
}

/**
 * Reads a function's settings from its environment with a zod schema, failing at cold start with
 * every missing or invalid variable named.
 */
export function readEnvironment<Shape extends z.ZodRawShape>(
  shape: Shape,
  environment: Readonly<Record<string, string | undefined>> = deployedEnvironment(),
): z.infer<z.ZodObject<Shape>> {
  const result = z.object(shape).safeParse(environment);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigurationError(`the function is misconfigured — ${problems.join('; ')}`);
  }
  checkPolicyVersion((result.data as { DEALREG_POLICY?: unknown }).DEALREG_POLICY, environment);
  return result.data;
}

/**
 * Reads the settings of an optional part of a function (`what`, for the message) like
 * {@link readEnvironment}: `undefined` when none of its variables is set, its settings when they
 * all are, and a cold-start failure naming every missing or invalid variable when only some are
 * (a half-configured part would otherwise be skipped without a word). The policy baked into a
 * bundle is always there, so `DEALREG_POLICY` alone does not switch the part on.
 */
export function readOptionalEnvironment<Shape extends z.ZodRawShape>(
  what: string,
  shape: Shape,
  environment: Readonly<Record<string, string | undefined>> = deployedEnvironment(),
): z.infer<z.ZodObject<Shape>> | undefined {
  const set = Object.keys(shape).filter(
    (name) => name !== 'DEALREG_POLICY' && environment[name] !== undefined,
  );
  if (set.length === 0) return undefined;
  try {
    return readEnvironment(shape, environment);
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    throw new ConfigurationError(`${error.message} (${what} is half-configured: ${set.join(', ')} set)`, {
      cause: error,
    });
  }
}

/**
 * The stack declares the version of the policy it deployed (`DEALREG_POLICY_VERSION`); the policy
 * in the function's code must be that one. A bundle built from another policy (a stale asset, a
 * hand-uploaded zip) would otherwise decide registrations under rules nobody deployed.
 */
function checkPolicyVersion(
  policy: unknown,
  environment: Readonly<Record<string, string | undefined>>,
): void {
  const declared = environment.DEALREG_POLICY_VERSION;
  if (declared === undefined || policy === undefined) return;
  const baked = (policy as LoadedPolicy).policyVersion;
  if (baked !== declared) {
    throw new ConfigurationError(
      `the function is misconfigured — DEALREG_POLICY_VERSION: the stack deployed policy ${declared}, ` +
        `but the function's code carries policy ${baked}; deploy the stack again so both come from one policy file`,
    );
  }
}

/** A required, non-empty environment variable. */
export const requiredSetting = z.string({ error: 'is not set' }).trim().min(1, 'is empty');

/** A required whole number above zero (a portal id, a request budget), parsed. */
export const positiveWholeNumberSetting = requiredSetting
  .regex(/^[1-9]\d*$/, 'must be a positive whole number')
  .transform(Number);

/** A required whole number, zero or more, parsed. */
export const wholeNumberSetting = requiredSetting
  .regex(/^(?:0|[1-9]\d*)$/, 'must be a whole number, zero or more')
  .transform(Number);

/** An optional JSON environment variable, parsed. */
/** An IANA time zone name, as the policy's `calendar.timeZone` takes it. */
export const timeZoneSetting = requiredSetting.pipe(field.timeZone());

export const jsonSetting = z
  .string()
  .optional()
  .transform((text, context) => {
    if (text === undefined || text.trim() === '') return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      context.addIssue({ code: 'custom', message: `is not valid JSON (${(error as Error).message})` });
      return z.NEVER;
    }
  });

/**
 * `FORM_FIELD_MAPPING`: optional JSON mapping registration fields to the portal's form field
 * names, checked like the deployment checks it; absent means the default mapping.
 */
export const formFieldMappingSetting = jsonSetting.transform((value, context) => {
  const mapping = formFieldMappingSchema.safeParse(value ?? {});
  if (mapping.success) return mapping.data;
  for (const issue of mapping.error.issues) {
    context.addIssue({ code: 'custom', message: `${issue.path.join('.') || 'mapping'}: ${issue.message}` });
  }
  return z.NEVER;
});

/**
 * `DEALREG_POLICY`: the policy of this deployment (validated when the stack was synthesised),
 * loaded with every default filled in; each problem is named like a missing setting.
 */
export const policySetting = requiredSetting.transform((text, context): LoadedPolicy => {
  try {
    return loadPolicy(text);
  } catch (error) {
    const problems = error instanceof PolicyValidationError ? error.messages : [(error as Error).message];
    for (const message of problems) context.addIssue({ code: 'custom', message });
    return z.NEVER;
  }
});
