import * as z from 'zod';
import { claimAsSent } from './submission-time.ts';

/**
 * One HubSpot form submission, as the workflow webhook posts it and as the Forms API lists it
 * (`{conversionId, submittedAt, values: [{name, value}], pageUrl}`), so push and pull share this
 * parser. Only the envelope is checked here; the registration fields are checked by
 * `evaluateSubmission`, the claimed time by `checkSubmittedAt` against the receipt.
 *
 * `submittedAt` is whatever the sender claimed (HubSpot's public submit API lets the caller set
 * it): kept as sent, in a form the registrations table can store (`claimAsSent`), so a
 * submission with a claim Dealreg refuses is still stored, as rejected with the reason.
 */
const maxValueLength = 65_536;
const maxValuesBytes = 256 * 1024;
const utf8 = new TextEncoder();

/** The longest page URL a stored submission keeps. */
const maxPageUrlLength = 2048;

/**
 * A submission's page URL as Dealreg keeps it: whole up to 2,048 characters; a longer one without
 * its query and fragment (what makes a landing page's URL long), or left out if that is still
 * too long. Nothing else about the submission depends on it.
 */
function keptPageUrl(pageUrl: string): string | undefined {
  if (pageUrl.length <= maxPageUrlLength) return pageUrl;
  const page = pageUrl.split(/[?#]/, 1)[0] ?? '';
  return page.length <= maxPageUrlLength ? page : undefined;
}

export const formSubmissionSchema = z.object({
  conversionId: z
    .string({ error: 'conversionId must be a string' })
    .trim()
    .min(1, 'conversionId must not be empty')
    .max(128, 'conversionId is at most 128 characters')
    .regex(/^[A-Za-z0-9._:-]*$/, 'conversionId may only contain letters, digits and . _ : -'),
  submittedAt: z.unknown().optional().transform(claimAsSent),
  formGuid: z.string().trim().max(100, 'formGuid is at most 100 characters').optional(),
  portalId: z.union([z.number().int(), z.string().trim().max(32)]).optional(),
  // The page the form was on, kept to link the partner back to it. A landing page's tracking
  // parameters can make its URL longer than Dealreg keeps: the submission is still taken (the
  // Forms API lists it whatever its length), with the page's URL cut to fit (`keptPageUrl`).
  pageUrl: z.string().transform(keptPageUrl).optional(),
  values: z.array(
    z.object({
      name: z
        .string({ error: 'every value needs a name' })
        .trim()
        .min(1, 'a value name must not be empty')
        .max(100, 'a value name is at most 100 characters'),
      // As long as HubSpot lets a form field's value be (string property values are up to
      // 65,536 characters, HubSpot "Properties" guide), so nothing a partner can submit on the
      // form is refused here: a field longer than Dealreg keeps is refused by
      // `evaluateSubmission`, naming the field, and the partner is told.
      value: z
        .string({ error: 'every value must be a string' })
        .max(maxValueLength, 'a value is at most 65,536 characters'),
    }),
    { error: 'values must be a list of {name, value}' },
  ),
  // Any number and size of values is taken: a submission larger than Dealreg keeps is still
  // taken in, refused with the reason and cut to fit (`fitForStorage`), never dropped.
});

export type FormSubmission = z.infer<typeof formSubmissionSchema>;

/** The most values a stored submission keeps. */
export const maxStoredValues = 200;
/** The most bytes of names and values a stored submission keeps, so its registration fits a DynamoDB item (400 KB). */
export const maxStoredValuesBytes = maxValuesBytes;

const bytesOf = (text: string) => utf8.encode(text).length;

/** The longest start of `text` at most `bytes` long in UTF-8, never splitting a character. */
function utf8Prefix(text: string, bytes: number): string {
  let used = 0;
  let end = 0;
  for (const character of text) {
    const size = bytesOf(character);
    if (used + size > bytes) break;
    used += size;
    end += character.length;
  }
  return text.slice(0, end);
}

/**
 * A submission as the registrations table can keep it: the whole of it when it has at most 200
 * values of at most 256 KB together; otherwise its first values up to those limits (the last one
 * kept shortened when it would pass 256 KB), with `refusal` saying what was cut, for intake to
 * refuse the registration with — nothing a partner submitted is dropped without their being told.
 */
export function fitForStorage(submission: FormSubmission): {
  readonly submission: FormSubmission;
  readonly refusal?: string | undefined;
} {
  const { values } = submission;
  const totalBytes = values.reduce((bytes, { name, value }) => bytes + bytesOf(name + value), 0);
  if (values.length <= maxStoredValues && totalBytes <= maxStoredValuesBytes) return { submission };
  const kept: { name: string; value: string }[] = [];
  let used = 0;
  let shortened = false;
  for (const entry of values.slice(0, maxStoredValues)) {
    const size = bytesOf(entry.name + entry.value);
    if (used + size <= maxStoredValuesBytes) {
      kept.push(entry);
      used += size;
      continue;
    }
    const room = maxStoredValuesBytes - used - bytesOf(entry.name);
    if (room > 0) {
      kept.push({ name: entry.name, value: utf8Prefix(entry.value, room) });
      shortened = true;
    }
    break;
  }
  const tooMany = values.length > maxStoredValues;
  const kb = Math.ceil(totalBytes / 1024);
  const refusal = tooMany
    ? `The submission has ${values.length} values${totalBytes > maxStoredValuesBytes ? `, ${kb} KB together` : ''}; Dealreg keeps at most ${maxStoredValues} (${maxStoredValuesBytes / 1024} KB together)`
    : `The submission has ${values.length} values, ${kb} KB together; Dealreg keeps at most ${maxStoredValuesBytes / 1024} KB (${maxStoredValues} values)`;
  return {
    submission: { ...submission, values: kept },
    refusal: `${refusal}: the registration is refused, and only its first ${kept.length} values are kept${shortened ? ', the last of them shortened' : ''}. Submit the form again with ${tooMany ? 'fewer' : 'shorter'} answers.`,
  };
}

/** A problem with one part of a request, named so the sender can fix it. */
export interface RequestProblem {
  readonly path: string;
  readonly message: string;
}

/** Turns zod issues into `{path, message}` problems with dotted paths (`values.3.value`). */
export function problemsFrom(error: z.ZodError): RequestProblem[] {
  return error.issues.map((issue) => ({
    path: issue.path.length === 0 ? '(body)' : issue.path.map(String).join('.'),
    message: issue.message,
  }));
}
