import * as z from 'zod';
import { field } from '#domain/policy/policy-fields.ts';

/** Field schemas the email templates' inputs share, each naming the field in its message. */

/** An instant given as a Date or an ISO-8601 date-time with offset, read as a Date. */
export function momentSchema(name: string) {
  const error = `${name} must be an ISO-8601 date-time with an offset`;
  return z
    .union([z.date({ error }), z.iso.datetime({ offset: true, error })], { error })
    .transform((value) => (typeof value === 'string' ? new Date(value) : value));
}

/** An http or https link; `javascript:`, `data:` or `mailto:` are refused. */
export function webLinkSchema(name: string) {
  return z.url({ protocol: /^https?$/, error: `${name} must be an http or https URL` });
}

export const timeZoneSchema = field.timeZone();

/**
 * A check that at least one of two optional fields is given, the problem reported on the first:
 * how a partner can answer or act when either way will do.
 */
export function requireEither(first: string, second: string, message: string) {
  return (value: Readonly<Record<string, unknown>>, context: z.RefinementCtx): void => {
    if (value[first] === undefined && value[second] === undefined) {
      context.addIssue({ code: 'custom', path: [first], message });
    }
  };
}
