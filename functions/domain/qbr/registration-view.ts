import * as z from 'zod';
import { registrationProgressSchema } from '#domain/registration-progress.ts';

/**
 * The parts of a registrations-table record the pre-QBR report reads: when it was submitted,
 * whether intake rejected it, the breakdown fields of its details and the workflow's progress.
 * Records are checked against this at the edge (the table scan), so one malformed record is
 * named instead of silently skewing the funnel.
 */
export const qbrRegistrationSchema = z.object({
  registrationId: z.string().min(1),
  submittedAt: z.iso.datetime({ offset: true }),
  status: z.string().min(1),
  details: z
    .object({
      partnerDomain: z.string(),
      customerCountry: z.string().optional(),
      campaignId: z.string().optional(),
      cloudMarketplace: z.string().optional(),
    })
    .optional(),
  progress: registrationProgressSchema.optional(),
});
export type QbrRegistration = z.infer<typeof qbrRegistrationSchema>;
