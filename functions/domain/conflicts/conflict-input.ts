import * as z from 'zod';

const isoInstantSchema = z.iso.datetime({ offset: true });
const usdMinorSchema = z.number().int().nonnegative();

/** Who registered which customer: what every registration the check compares carries. */
const registrationPartiesSchema = z.object({
  registrationId: z.string().min(1),
  /** The HubSpot company id of the partner. */
  partnerId: z.string().min(1),
  /** Registrable domain of the partner, e.g. `cloudpartner.io`. */
  partnerDomain: z.string().min(1),
  partnerName: z.string().optional(),
  /** Registrable domain of the customer, e.g. `acme.com`. */
  customerDomain: z.string().min(1),
  /** The customer name for matching: case-folded, legal suffixes removed (`customerCompanyKey`). */
  customerCompanyName: z.string().min(1),
});

/** The registration being checked, after normalisation (DESIGN §3.2 step 1). */
export const registrationUnderCheckSchema = registrationPartiesSchema.extend({
  /**
   * As for every registration, but empty when the name gives nothing to match by (an AWS
   * referral's name comes from AWS, not through intake, which refuses such a name): the customer
   * is then matched by its domain alone.
   */
  customerCompanyName: z.string(),
  amountUsdMinor: usdMinorSchema,
  /**
   * ISO-8601: when Dealreg first received the registration. "Earlier" and every look-back window
   * go by it, never by the time the submission claims.
   */
  receivedAt: isoInstantSchema,
});
export type RegistrationUnderCheck = z.infer<typeof registrationUnderCheckSchema>;

/**
 * Where a registration stands. `submitted` and `in-review` wait for a decision; `approved`
 * holds the customer until it expires. The rest hold nothing.
 */
export const registrationStatuses = [
  'submitted',
  'in-review',
  'approved',
  'rejected',
  'expired',
  'withdrawn',
] as const;
export type RegistrationStatus = (typeof registrationStatuses)[number];

/** Another registration for the same customer (by domain or similar company name). */
const otherRegistrationSchema = registrationPartiesSchema.extend({
  status: z.enum(registrationStatuses),
  /** ISO-8601: when Dealreg first received it. */
  receivedAt: isoInstantSchema,
  approvedAt: isoInstantSchema.optional(),
  /** When an approved registration stops holding the customer. */
  expiresAt: isoInstantSchema.optional(),
  /**
   * Its conflict check was recorded before this one's and cleared it for automatic approval
   * without seeing this registration (`check-order.ts`): it came first, whatever the receipt
   * times of two registrations checked moments apart say.
   */
  checkedFirst: z.literal(true).optional(),
});
export type OtherRegistration = z.infer<typeof otherRegistrationSchema>;

/** An open HubSpot deal of the customer company. */
const openDealSchema = z.object({
  dealId: z.string().min(1),
  dealName: z.string(),
  ownerId: z.string().optional(),
  ownerName: z.string().optional(),
  /** Whether the owner is on the direct sales team (not a partner manager). */
  ownerIsDirectRep: z.boolean(),
  stage: z.string().optional(),
  createdAt: isoInstantSchema.optional(),
  amountUsdMinor: usdMinorSchema.optional(),
});
export type OpenDeal = z.infer<typeof openDealSchema>;

/** A call, meeting, email, note or task a direct rep logged with the customer company. */
const directEngagementSchema = z.object({
  engagementId: z.string().min(1),
  type: z.enum(['call', 'meeting', 'email', 'note', 'task']),
  ownerId: z.string().optional(),
  ownerName: z.string().optional(),
  occurredAt: isoInstantSchema,
});
export type DirectEngagement = z.infer<typeof directEngagementSchema>;

/** A deal the customer company closed as won. */
const closedWonDealSchema = z.object({
  dealId: z.string().min(1),
  dealName: z.string(),
  closedAt: isoInstantSchema,
  amountUsdMinor: usdMinorSchema.optional(),
});
export type ClosedWonDeal = z.infer<typeof closedWonDealSchema>;

/**
 * What the evidence-gathering ports found about the customer. Gatherers may return more than
 * the policy's windows cover; the check itself applies the look-back windows, so the verdict
 * explains exactly what counted.
 */
export const conflictEvidenceSchema = z.object({
  otherRegistrations: z.array(otherRegistrationSchema).default([]),
  /**
   * The customer's other domains: those its HubSpot company holds besides the one registered
   * (`domain` and `hs_additional_domains`), as registrable domains. A registration of one of
   * them is of the same customer, as one of the registered domain is.
   */
  customerDomains: z.array(z.string().min(1)).default([]),
  openDeals: z.array(openDealSchema).default([]),
  directEngagements: z.array(directEngagementSchema).default([]),
  closedWonDeals: z.array(closedWonDealSchema).default([]),
});
export type ConflictEvidence = z.input<typeof conflictEvidenceSchema>;
