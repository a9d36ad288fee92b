/**
 * What every step of the pre-QBR workflow shares: the check of its input and the run it works on.
 * Each step lives in its own file so a function's bundle carries only its step (the report
 * builder's charts and the email templates stay out of the due check).
 */
import * as z from 'zod';

/** A step was given input it cannot act on; the message names the field. */
export class QbrStepInputError extends Error {
  override readonly name = 'QbrStepInputError';
}

/** The step's input checked with a schema, or a {@link QbrStepInputError} naming every problem. */
export function parseStepInput<Schema extends z.ZodType>(
  step: string,
  schema: Schema,
  input: unknown,
): z.output<Schema> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`);
  throw new QbrStepInputError(`${step}: ${problems.join('; ')}`, { cause: parsed.error });
}

export const quarterSchema = z.string().regex(/^\d{4}-Q[1-4]$/, 'expected a quarter such as 2026-Q4');
export const momentSchema = z.iso.datetime({ offset: true, error: 'expected an ISO-8601 moment' });

/** Which report a step works on. */
export const runSchema = z.strictObject({ quarter: quarterSchema, asOf: momentSchema });
export type QbrRun = z.infer<typeof runSchema>;
