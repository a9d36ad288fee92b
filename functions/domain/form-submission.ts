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
  pageUrl: z.string().max(2048, 'pageUrl is at most 2048 characters').optional(),
  values: z
    .array(
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
    )
    .max(200, 'a submission has at most 200 values')
    // Stored whole with the registration, which has to fit a DynamoDB item (400 KB).
    .refine(
      (values) =>
        values.reduce((bytes, { name, value }) => bytes + utf8.encode(name + value).length, 0) <=
        maxValuesBytes,
      `the values are at most ${maxValuesBytes / 1024} KB together`,
    ),
});

export type FormSubmission = z.infer<typeof formSubmissionSchema>;

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
