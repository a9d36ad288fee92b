import * as z from 'zod';
import type { RegistrationFieldName } from '#domain/form-field-mapping.ts';
import { registrationProgressSchema } from '#domain/registration-progress.ts';
import { priorityTime } from '#domain/submission-time.ts';

/**
 * The parts of a registrations-table record the pre-QBR report reads: when Dealreg received it,
 * the time its submission claimed, whether intake rejected it, the breakdown fields of its
 * details and the workflow's progress. Records are checked against this at the edge (the table
 * scan), so one malformed record is named instead of silently skewing the funnel.
 *
 * The report places a registration at its receipt (`priorityTime`). The claimed time is read as
 * text and never decides anything: a claim of the year 10000 stored before claims were checked
 * is no reason to stop the report.
 */
export const qbrRegistrationSchema = z
  .object({
    registrationId: z.string().min(1),
    /** When Dealreg first received it; every registration intake stored has one. */
    receivedAt: z.iso.datetime({ offset: true }).optional(),
    /** The time its submission claimed, as stored (absent when the claim was no date). */
    submittedAt: z.string().optional(),
    status: z.string().min(1),
    details: z
      .object({
        partnerDomain: z.string(),
        customerCompanyName: z.string().optional(),
        customerDomain: z.string().optional(),
        customerCountry: z.string().optional(),
        campaignId: z.string().optional(),
        cloudMarketplace: z.string().optional(),
      })
      .optional(),
    progress: registrationProgressSchema.optional(),
    /**
     * The form submission as received. Only read for a submission intake refused, which has no
     * details: its form values still say which partner and campaign it came from.
     */
    submission: z
      .object({ values: z.array(z.object({ name: z.string(), value: z.unknown() })).optional() })
      .optional()
      .catch(undefined),
  })
  .refine((record) => priorityTime(record) !== undefined, {
    message: 'has neither a receipt time (receivedAt) nor a claimed time (submittedAt) that is a date',
    path: ['receivedAt'],
  });
export type QbrRegistration = z.infer<typeof qbrRegistrationSchema>;

/** When the report places a registration: its receipt (or, without one, a claim that is a date). */
export function reportedAt(record: QbrRegistration): string {
  // The schema refuses a record that has neither.
  return priorityTime(record) ?? '';
}

/**
 * A field of the registration as its form submission gave it (trimmed; undefined when absent or
 * empty), read through the form field mapping: what a refused submission still tells.
 */
export function submittedField(
  record: QbrRegistration,
  field: RegistrationFieldName,
  mapping: Readonly<Record<RegistrationFieldName, string>>,
): string | undefined {
  const value = record.submission?.values?.find((item) => item.name === mapping[field])?.value;
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}
