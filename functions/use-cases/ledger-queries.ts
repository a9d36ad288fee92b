import { type LedgerEntry, ledgerEntrySchema } from '#domain/ledger/entry.ts';
import { InvalidLedgerEntryError } from '#domain/ledger/errors.ts';
import type { FiscalQuarter } from '#domain/ledger/fiscal-quarter.ts';
import { canonicalJson } from '#domain/ledger/hash.ts';
import {
  type AsOf,
  type OpportunityState,
  projectLedger,
  projectOpportunity,
} from '#domain/ledger/projection.ts';
import { describeIssues } from '#domain/ledger/seal.ts';
import type { LedgerIndexKey, LedgerStore, RawLedgerItem } from '#ports/ledger.ts';
import { readChain } from './ledger-append.ts';

export { readChain as opportunityHistory };

/** Which opportunities a report covers. */
interface AttributionFilter {
  readonly partnerId?: string | undefined;
  readonly campaignId?: string | undefined;
  readonly quarter?: FiscalQuarter | undefined;
}

/** The ledger's answer to "what did we believe, as of when": one state per opportunity. */
interface LedgerReport {
  readonly asOf: string;
  readonly knownAt: string;
  readonly filter: {
    partnerId?: string | undefined;
    campaignId?: string | undefined;
    quarter?: string | undefined;
  };
  readonly opportunities: readonly OpportunityState[];
}

function parseAll(items: readonly RawLedgerItem[]): LedgerEntry[] {
  return items.map((item) => {
    const result = ledgerEntrySchema.safeParse(item);
    if (!result.success) {
      throw new InvalidLedgerEntryError(
        [
          `stored entry ${String(item.opportunityId)}#${String(item.sequence)} is unreadable (run ledger verify)`,
          ...describeIssues(result.error),
        ],
        { cause: result.error },
      );
    }
    return result.data;
  });
}

/** One opportunity as of a moment on both time axes. */
export async function opportunityAsOf(
  store: LedgerStore,
  opportunityId: string,
  at: AsOf,
): Promise<OpportunityState> {
  return projectOpportunity(opportunityId, await readChain(store, opportunityId), at);
}

/** Entries carrying a partner, campaign or month key, in business-time order. */
export async function entriesBy(store: LedgerStore, key: LedgerIndexKey): Promise<LedgerEntry[]> {
  return parseAll(await store.queryIndexRaw(key));
}

/**
 * The UTC months (`YYYY-MM`, as the ledger's month index keys entries) that [start, end) touches:
 * a quarter cut in New York ends at 05:00 UTC on the first of the next UTC month.
 */
function utcMonthsOf(quarter: FiscalQuarter): string[] {
  const months: string[] = [];
  const last = new Date(Date.parse(quarter.end) - 1).toISOString().slice(0, 7);
  for (let month = quarter.start.slice(0, 7); month <= last; ) {
    months.push(month);
    const [year, monthOfYear] = month.split('-').map(Number) as [number, number];
    month = monthOfYear === 12 ? `${year + 1}-01` : `${year}-${String(monthOfYear + 1).padStart(2, '0')}`;
  }
  return months;
}

/** Whether a stored instant falls in the quarter's [start, end). */
function withinQuarter(effectiveAt: unknown, quarter: FiscalQuarter): boolean {
  const at = Date.parse(String(effectiveAt));
  return at >= Date.parse(quarter.start) && at < Date.parse(quarter.end);
}

async function chainIdsFor(store: LedgerStore, filter: AttributionFilter): Promise<Set<string> | undefined> {
  const keys: LedgerIndexKey[][] = [];
  if (filter.partnerId !== undefined) keys.push([{ partnerId: filter.partnerId }]);
  if (filter.campaignId !== undefined) keys.push([{ campaignId: filter.campaignId }]);
  const quarter = filter.quarter;
  if (quarter !== undefined) keys.push(utcMonthsOf(quarter).map((month) => ({ effectiveMonth: month })));
  if (keys.length === 0) return undefined;
  let result: Set<string> | undefined;
  for (const group of keys) {
    const ids = new Set<string>();
    for (const key of group)
      for (const item of await store.queryIndexRaw(key)) {
        // The month index is by UTC month; the quarter runs midnight to midnight in its own zone.
        if ('effectiveMonth' in key && quarter !== undefined && !withinQuarter(item.effectiveAt, quarter))
          continue;
        ids.add(String(item.opportunityId));
      }
    result = result === undefined ? ids : new Set([...result].filter((id) => ids.has(id)));
  }
  return result;
}

function involves(state: OpportunityState, filter: AttributionFilter): boolean {
  const { partnerId, campaignId } = filter;
  const partnerOk =
    partnerId === undefined ||
    state.attributions.some((record) => record.partnerId === partnerId) ||
    state.registrations.some((registration) => registration.partnerId === partnerId) ||
    state.investments.some((investment) => investment.partnerId === partnerId);
  const campaignOk =
    campaignId === undefined ||
    state.attributions.some((record) => record.campaignId === campaignId) ||
    state.registrations.some((registration) => registration.campaignId === campaignId) ||
    state.investments.some((investment) => investment.campaignId === campaignId);
  return partnerOk && campaignOk;
}

/**
 * The state of every attribution (optionally only a partner's, a campaign's or a fiscal
 * quarter's opportunities) at business time `asOf` as known at system time `knownAt`,
 * corrections applied. Filtered reports read only the chains the indexes point to.
 */
export async function attributionsAsOf(
  store: LedgerStore,
  at: AsOf,
  filter: AttributionFilter = {},
): Promise<LedgerReport> {
  const ids = await chainIdsFor(store, filter);
  let entries: LedgerEntry[];
  if (ids === undefined) {
    const items: RawLedgerItem[] = [];
    await store.scanRaw((page) => {
      for (const item of page) items.push(item);
    });
    entries = parseAll(items);
  } else {
    entries = [];
    for (const id of [...ids].sort()) entries.push(...(await readChain(store, id)));
  }
  const opportunities = projectLedger(entries, at).filter((state) => involves(state, filter));
  return {
    asOf: at.asOf,
    knownAt: at.knownAt,
    filter: {
      partnerId: filter.partnerId,
      campaignId: filter.campaignId,
      quarter: filter.quarter?.label,
    },
    opportunities,
  };
}

/** The report as canonical JSON (RFC 8785): the same ledger prefix always gives the same bytes. */
export function renderLedgerReport(report: LedgerReport): string {
  return canonicalJson(report);
}
