import * as z from 'zod';
import { currencyCodeSchema, frozenMoneySchema } from '#domain/money.ts';
import { cloudMarketplaces } from '#domain/registration.ts';
import { relationshipTypeSchema } from '#domain/relationship-type.ts';

/**
 * The key of one hash chain. Normally a HubSpot deal (opportunity) id; investments that fund a
 * campaign rather than one opportunity live on the chain `campaign:<campaignId>`.
 */
export const chainIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9:_.-]{0,127}$/, 'expected an opportunity id (letters, digits, : _ . -)');

/** An instant, normalised to UTC with milliseconds so that string order is time order. */
export const instantSchema = z.iso
  .datetime({ offset: true })
  .transform((value) => new Date(value).toISOString());

/** An instant exactly as the ledger stores it (already normalised). */
export const storedInstantSchema = z.iso.datetime({ precision: 3 });

export const sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, 'expected a SHA-256 hex digest');

/** An HMAC-SHA256 tag, hex: the ledger writer's MAC over an entry's place and hash (`entry-mac.ts`). */
export const macHexSchema = z.string().regex(/^[0-9a-f]{64}$/, 'expected an HMAC-SHA256 hex tag');

const customerSchema = z.strictObject({
  domain: z.string().min(1),
  name: z.string().min(1).optional(),
});
export type Customer = z.infer<typeof customerSchema>;

const idSchema = z.string().min(1).max(256);

/** An opportunity's id in AWS Partner Central: `O` and digits. */
const aceOpportunityIdSchema = z
  .string()
  .regex(/^O[0-9]{1,19}$/, 'expected a Partner Central opportunity id (O and digits)');

/**
 * The expected customer spend per month of an ACE opportunity (Partner Central's
 * `ExpectedCustomerSpend`, `Frequency: Monthly`), as a decimal in its currency.
 */
const monthlySpendSchema = z.strictObject({
  amount: z
    .string()
    .regex(/^(0|[1-9][0-9]{0,30})(\.[0-9]{1,3})?$/, 'expected a decimal amount such as 10000.50'),
  currency: currencyCodeSchema,
});

/** Payload of each entry type (DESIGN §3.4), without the chain bookkeeping. */
const payloads = {
  RegistrationApproved: {
    registrationId: idSchema,
    partnerId: idSchema,
    customer: customerSchema,
    relationshipType: relationshipTypeSchema,
    campaignId: idSchema.optional(),
    cloudMarketplace: z.enum(cloudMarketplaces).optional(),
    estimatedAmount: frozenMoneySchema.optional(),
    decidedBy: z.string().min(1),
    policyVersion: z.string().min(1).optional(),
    /**
     * Whether the policy in force shared the registration with AWS Partner Central, and why not
     * when it did not; recorded only while co-sell is on. Entries written before Dealreg recorded
     * it have none.
     */
    coSell: z.strictObject({ share: z.boolean(), reason: z.string().min(1).max(1_000) }).optional(),
  },
  PartnerAttached: {
    partnerId: idSchema,
    customer: customerSchema,
    relationshipType: relationshipTypeSchema,
    registrationId: idSchema.optional(),
    campaignId: idSchema.optional(),
    investmentId: idSchema.optional(),
  },
  PartnerDetached: {
    partnerId: idSchema,
    relationshipType: relationshipTypeSchema.optional(),
    reason: z.string().min(1).optional(),
  },
  OpportunityCreated: {
    customer: customerSchema,
    dealName: z.string().min(1).optional(),
    stage: z.string().min(1).optional(),
    amount: frozenMoneySchema.optional(),
    closeDate: z.iso.date().optional(),
  },
  StageChanged: { stage: z.string().min(1), previousStage: z.string().min(1).optional() },
  AmountChanged: { amount: frozenMoneySchema },
  CloseDateChanged: { closeDate: z.iso.date() },
  ClosedWon: { amount: frozenMoneySchema },
  ClosedLost: { reason: z.string().min(1).optional() },
  RegistrationExpired: { registrationId: idSchema, partnerId: idSchema },
  InvestmentRecorded: {
    investmentId: idSchema,
    investmentType: z.string().min(1),
    campaignId: idSchema,
    partnerId: idSchema.optional(),
    amount: frozenMoneySchema,
  },
  /** The registration became an opportunity in AWS Partner Central (ACE), and was or was not submitted to AWS. */
  CoSellShared: {
    registrationId: idSchema,
    aceOpportunityId: aceOpportunityIdSchema,
    catalog: z.enum(['Sandbox', 'AWS']),
    submittedToAws: z.boolean(),
    /** The expected monthly spend Dealreg sent (absent on entries recorded before it was kept). */
    expectedMonthlySpend: monthlySpendSchema.optional(),
    /** The months the registered amount was spread over to give that spend. */
    contractMonths: z.int().min(1).max(144).optional(),
  },
  /**
   * AWS's review or the stage of the ACE opportunity changed, as Partner Central reported it
   * (`effectiveAt` is Partner Central's last-modified time). Values are Partner Central's words.
   */
  CoSellStatusChanged: {
    aceOpportunityId: aceOpportunityIdSchema,
    reviewStatus: z.string().min(1).max(100).optional(),
    stage: z.string().min(1).max(100).optional(),
    reviewComments: z.string().min(1).max(2_000).optional(),
    /**
     * AWS's reason code for a `Rejected` or `Action Required` review (`LifeCycle.ReviewStatusReason`,
     * "LifeCycle" in the AWS Partner Central API reference); absent on entries recorded before it was kept.
     */
    reviewStatusReason: z.string().min(1).max(500).optional(),
    /** The expected monthly spend, when Partner Central reported one that differs from the last recorded. */
    expectedMonthlySpend: monthlySpendSchema.optional(),
  },
  Correction: {
    /** Sequence number (on the same chain) of the entry this one supersedes. */
    supersedesSequence: z.int().min(1),
    reason: z.string().min(1),
    approver: z.string().min(1),
    /** Replacement values by field path (`amount.amountMinor`); applied over the superseded entry. */
    changes: z.record(z.string().min(1), z.unknown()).refine((value) => Object.keys(value).length > 0, {
      message: 'a correction must change at least one field',
    }),
  },
} as const;

type EntryType = keyof typeof payloads;
export const entryTypes = Object.keys(payloads) as EntryType[];

/**
 * Identity of the event an entry records (e.g. `deal:123:dealstage:closedwon:1767225600000`, a
 * workflow execution and step). When present, appending the same event again returns the entry
 * already recorded instead of adding a second one: redelivered webhooks and retried tasks are
 * recorded once.
 */
const sourceEventIdSchema = z.string().min(1).max(512).optional();

const inputCommon = {
  opportunityId: chainIdSchema,
  /** Business time: when this became true in the world. */
  effectiveAt: instantSchema,
  /** Who or what recorded it (`workflow`, `crm-events`, an approver's email). */
  recordedBy: z.string().min(1),
  sourceEventId: sourceEventIdSchema,
};

const storedCommon = {
  opportunityId: chainIdSchema,
  effectiveAt: storedInstantSchema,
  recordedBy: z.string().min(1),
  sourceEventId: sourceEventIdSchema,
  sequence: z.int().min(1),
  /** System time: when the ledger learnt it. */
  recordedAt: storedInstantSchema,
  previousHash: sha256HexSchema,
  hash: sha256HexSchema,
  /**
   * The writer's MAC over the chain id, sequence and hash (`entryMacMessage`), made with a key only
   * the ledger's writers can use. Not part of what `hash` covers. Absent only on entries written
   * before the key epoch (README, "How the ledger is protected").
   */
  mac: macHexSchema.optional(),
  /** Index attribute: `YYYY-MM` of `effectiveAt`, for quarter queries. */
  effectiveMonth: z.string().regex(/^\d{4}-\d{2}$/),
  /** Index attribute present only on a chain's first entry, so chains can be listed without a scan. */
  chainStart: z.literal('CHAIN').optional(),
};

function variant<T extends EntryType, C extends z.ZodRawShape>(type: T, common: C) {
  return z.strictObject({ type: z.literal(type), ...common, ...payloads[type] });
}

function union<C extends z.ZodRawShape>(common: C) {
  return z.discriminatedUnion('type', [
    variant('RegistrationApproved', common),
    variant('PartnerAttached', common),
    variant('PartnerDetached', common),
    variant('OpportunityCreated', common),
    variant('StageChanged', common),
    variant('AmountChanged', common),
    variant('CloseDateChanged', common),
    variant('ClosedWon', common),
    variant('ClosedLost', common),
    variant('RegistrationExpired', common),
    variant('InvestmentRecorded', common),
    variant('CoSellShared', common),
    variant('CoSellStatusChanged', common),
    variant('Correction', common),
  ]);
}

/** What a caller asks to append: the fact, its business time and who records it. */
export const ledgerEntryInputSchema = union(inputCommon);
export type LedgerEntryInput = z.input<typeof ledgerEntryInputSchema>;
export type ParsedLedgerEntryInput = z.output<typeof ledgerEntryInputSchema>;

/** An entry as stored: the fact plus sequence, system time and its link in the hash chain. */
export const ledgerEntrySchema = union(storedCommon);
export type LedgerEntry = z.infer<typeof ledgerEntrySchema>;

/** The fields a correction may not change: they identify the entry or belong to the chain. */
export const immutableFields: ReadonlySet<string> = new Set([
  'type',
  'opportunityId',
  'sequence',
  'recordedAt',
  'recordedBy',
  'sourceEventId',
  'previousHash',
  'hash',
  'mac',
  'effectiveMonth',
  'chainStart',
]);

/** The first hash of every chain. */
export const GENESIS_HASH = '0'.repeat(64);
