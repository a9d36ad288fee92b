import type * as z from 'zod';
import { InvalidFormError } from './errors.ts';

/** Longest text a page's form accepts in one field; the pages' text areas say so too. */
export const maxTextLength = 2000;

/** Reads a page's form with `schema`; throws `InvalidFormError` naming each missing or invalid field. */
export function readForm<Schema extends z.ZodType>(schema: Schema, fields: unknown): z.output<Schema> {
  const parsed = schema.safeParse(fields);
  if (!parsed.success) {
    throw new InvalidFormError(
      parsed.error.issues.map((issue) => ({ field: issue.path.join('.') || 'form', message: issue.message })),
    );
  }
  return parsed.data;
}
