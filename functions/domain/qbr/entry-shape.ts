import { entryTypes, type LedgerEntry } from '#domain/ledger/entry.ts';
import { relationshipTypes } from '#domain/relationship-type.ts';

const knownTypes: ReadonlySet<string> = new Set(entryTypes);
const relationships: ReadonlySet<string> = new Set(relationshipTypes);
const instant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isText = (value: unknown) => typeof value === 'string' && value.length > 0;
const isCount = (value: unknown) => Number.isSafeInteger(value) && (value as number) >= 0;
const isMoney = (value: unknown) =>
  isObject(value) &&
  isCount(value.amountMinor) &&
  isCount(value.usdMinor) &&
  typeof value.currency === 'string' &&
  typeof value.usdRate === 'string';
const isCustomer = (value: unknown) => isObject(value) && isText(value.domain);
const isSpend = (value: unknown) =>
  value === undefined || (isObject(value) && isText(value.amount) && isText(value.currency));
const isCoSellDecision = (value: unknown) =>
  value === undefined || (isObject(value) && typeof value.share === 'boolean' && isText(value.reason));

/**
 * Whether `raw` has every field the pre-QBR report reads, of the right kind: entry type, chain
 * keys, instants, money, relationships. A quick check for entries whose hash chain is verified
 * (the ledger sealed them only after validating them with its schema); anything that fails it
 * goes through the schema, which names the problem.
 */
export function hasEntryShape(raw: unknown): raw is LedgerEntry {
  if (!isObject(raw)) return false;
  const { type } = raw;
  if (typeof type !== 'string' || !knownTypes.has(type)) return false;
  if (!isText(raw.opportunityId) || !Number.isSafeInteger(raw.sequence) || (raw.sequence as number) < 1)
    return false;
  if (typeof raw.effectiveAt !== 'string' || !instant.test(raw.effectiveAt)) return false;
  if (typeof raw.recordedAt !== 'string' || !instant.test(raw.recordedAt)) return false;
  switch (type) {
    case 'RegistrationApproved':
      return (
        isText(raw.registrationId) &&
        isText(raw.partnerId) &&
        isCustomer(raw.customer) &&
        relationships.has(raw.relationshipType as string) &&
        (raw.estimatedAmount === undefined || isMoney(raw.estimatedAmount)) &&
        isCoSellDecision(raw.coSell)
      );
    case 'PartnerAttached':
      return (
        isText(raw.partnerId) && isCustomer(raw.customer) && relationships.has(raw.relationshipType as string)
      );
    case 'PartnerDetached':
      return isText(raw.partnerId);
    case 'OpportunityCreated':
      return isCustomer(raw.customer) && (raw.amount === undefined || isMoney(raw.amount));
    case 'StageChanged':
      return isText(raw.stage);
    case 'AmountChanged':
    case 'ClosedWon':
      return isMoney(raw.amount);
    case 'CloseDateChanged':
      return isText(raw.closeDate);
    case 'RegistrationExpired':
      return isText(raw.registrationId) && isText(raw.partnerId);
    case 'InvestmentRecorded':
      return (
        isText(raw.investmentId) &&
        isText(raw.investmentType) &&
        isText(raw.campaignId) &&
        isMoney(raw.amount)
      );
    case 'CoSellShared':
      return (
        isText(raw.registrationId) &&
        isText(raw.aceOpportunityId) &&
        isSpend(raw.expectedMonthlySpend) &&
        (raw.contractMonths === undefined ||
          (Number.isSafeInteger(raw.contractMonths) && (raw.contractMonths as number) >= 1))
      );
    case 'CoSellStatusChanged':
      return isText(raw.aceOpportunityId) && isSpend(raw.expectedMonthlySpend);
    case 'Correction':
      return Number.isSafeInteger(raw.supersedesSequence) && isObject(raw.changes);
    default:
      return true;
  }
}
