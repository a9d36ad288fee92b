import type { Compensation } from '#domain/policy/compensation.ts';
import { usd } from './email-text.ts';
import type { Row } from './summary-rows.ts';

const partnerPayNames: Readonly<Record<Compensation['partner']['kind'], string>> = {
  margin: 'margin',
  'referral-fee': 'referral fee',
  none: 'no margin or fee',
};

/** What a relationship type means in money, for the partner and for the direct rep. */
export function compensationRows(compensation: Compensation): Row[] {
  const { partner, directRep } = compensation;
  return [
    [
      'Partner earns',
      partner.kind === 'none'
        ? 'no margin or fee'
        : `${partner.percent}% ${partnerPayNames[partner.kind]} (${usd(partner.amountUsdMinor)})`,
    ],
    ['Direct rep credited', `${directRep.creditPercent}% of quota (${usd(directRep.creditUsdMinor)})`],
  ];
}
