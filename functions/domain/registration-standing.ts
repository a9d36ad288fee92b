import * as z from 'zod';
import { type RegistrationProgress, workflowStatuses } from './registration-progress.ts';

/**
 * Where a registration stands, as the other registrations of its customer see it: the part of
 * its progress the conflict check and a resubmission compare. It is kept beside the progress and
 * changes only when one of these changes (a handful of times in a registration's life), whereas
 * the progress is rewritten at every step.
 */
export const registrationStandingSchema = z.object({
  /** Absent until the workflow ran its first step. */
  status: z.enum(workflowStatuses).optional(),
  /** The HubSpot company id and name of the partner, once the workflow found it. */
  partnerId: z.string().optional(),
  partnerName: z.string().optional(),
  approvedAt: z.iso.datetime().optional(),
  expiresAt: z.iso.datetime().optional(),
});
export type RegistrationStanding = z.infer<typeof registrationStandingSchema>;

/**
 * Whether a registration has ended for good: declined, expired, or merged into the registration
 * it answered. An ended registration never again holds its customer against another one.
 */
export function hasEnded(standing: Pick<RegistrationStanding, 'status'>): boolean {
  return standing.status === 'declined' || standing.status === 'expired' || standing.status === 'merged';
}

/** The standing a progress implies; attributes the progress does not have are left out. */
export function standingOf(progress: RegistrationProgress): RegistrationStanding {
  const { status, partnerId, partnerName, approvedAt, expiresAt } = progress;
  return {
    status,
    ...(partnerId === undefined ? {} : { partnerId }),
    ...(partnerName === undefined ? {} : { partnerName }),
    ...(approvedAt === undefined ? {} : { approvedAt }),
    ...(expiresAt === undefined ? {} : { expiresAt }),
  };
}

/**
 * Another registration of the same customer domain, as the customer-domain index holds it: who
 * registered which customer, when Dealreg received it, and where that registration stands.
 */
export const customerRegistrationSchema = z.object({
  registrationId: z.string().min(1),
  /** ISO-8601: when Dealreg first received it (the index's sort key). */
  receivedAt: z.string(),
  /** Registrable domain of the customer. */
  customerDomain: z.string().min(1),
  /** Registrable domain of the partner. */
  partnerDomain: z.string().min(1),
  /** The customer name for matching: case-folded, legal suffixes removed. */
  customerCompanyKey: z.string().min(1),
  standing: registrationStandingSchema.default({}),
});
export type CustomerRegistration = z.infer<typeof customerRegistrationSchema>;
