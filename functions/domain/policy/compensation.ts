import * as z from 'zod';
import { formatMoney } from '#domain/money.ts';
import { type RelationshipType, relationshipTypeSchema } from '#domain/relationship-type.ts';
import type { Policy } from './policy-schema.ts';

/** What a relationship type means in money for the partner and for the direct rep. */
export const compensationSchema = z.object({
  relationshipType: relationshipTypeSchema,
  label: z.string(),
  partner: z.object({
    kind: z.enum(['margin', 'referral-fee', 'none']),
    percent: z.number(),
    /** The margin or fee on the registered amount, in US cents. */
    amountUsdMinor: z.number().int(),
  }),
  directRep: z.object({
    creditPercent: z.number(),
    /** The quota credit on the registered amount, in US cents. */
    creditUsdMinor: z.number().int(),
  }),
  /** One sentence for emails and pages, e.g. "Partner-sourced: the partner earns a 20% margin (USD 10,000.00); …". */
  summary: z.string(),
});
export type Compensation = z.infer<typeof compensationSchema>;

function usd(minorUnits: number): string {
  return formatMoney({ minorUnits, currency: 'USD' });
}

/** The compensation consequence of approving `amountUsdMinor` under `relationshipType`. */
export function compensationFor(
  policy: Policy,
  relationshipType: RelationshipType,
  amountUsdMinor: number,
): Compensation {
  const terms = policy.relationshipTypes[relationshipType];
  const partnerPercent = terms.partnerCompensation === 'none' ? 0 : terms.partnerPercent;
  const partnerAmount = Math.round((amountUsdMinor * partnerPercent) / 100);
  const repCredit = Math.round((amountUsdMinor * terms.directRepCreditPercent) / 100);
  const partnerText =
    terms.partnerCompensation === 'none'
      ? 'the partner earns no margin or fee'
      : `the partner earns a ${partnerPercent}% ${terms.partnerCompensation === 'margin' ? 'margin' : 'referral fee'} (${usd(partnerAmount)})`;
  return {
    relationshipType,
    label: terms.label,
    partner: { kind: terms.partnerCompensation, percent: partnerPercent, amountUsdMinor: partnerAmount },
    directRep: { creditPercent: terms.directRepCreditPercent, creditUsdMinor: repCredit },
    summary: `${terms.label}: ${partnerText}; the direct rep is credited ${terms.directRepCreditPercent}% (${usd(repCredit)}).`,
  };
}
