import {
  type CrmEventSettings,
  type DealFacts,
  type MergedDealRecord,
  mergeEntries,
  namesNoLabel,
  needsDealFacts,
  partnerLabelEntries,
  toLedgerEntry,
  uniqueInCanonicalOrder,
} from '#domain/crm-events/crm-event-entries.ts';
import { stageOutcomes } from '#domain/crm-events/deal-stage-outcomes.ts';
import type { CrmEvent } from '#domain/crm-events/hubspot-crm-event.ts';
import type { LedgerEntry, LedgerEntryInput } from '#domain/ledger/entry.ts';
import { correctedEntries, projectOpportunity } from '#domain/ledger/projection.ts';
import { type RelationshipType, relationshipTypes } from '#domain/relationship-type.ts';
import type { CrmDealLookup } from '#ports/crm-deal-lookup.ts';
import { crmNames } from '#ports/hubspot.ts';
import type { LedgerStore } from '#ports/ledger.ts';
import type { LedgerAuthenticator } from '#ports/ledger-authenticator.ts';
import { appendEntryOnce, readChain } from './ledger-append.ts';

export interface RecordCrmEventsDependencies {
  readonly store: LedgerStore;
  /** The ledger key: every entry recorded carries its MAC. */
  readonly ledgerKey: LedgerAuthenticator;
  readonly deals: CrmDealLookup;
  /**
   * Currency, rates and partner labels; its won and lost stages judge only a stage that none of the
   * portal's pipelines has (the default pipeline's, unless given): every stage a pipeline has is
   * judged by its metadata.
   */
  readonly settings: CrmEventSettings;
  /** System time of the entries. */
  readonly now: () => Date;
  /** Deals appended to at the same time (entries of one deal are always appended in order). @default 8 */
  readonly concurrency?: number;
}

interface CrmEventsOutcome {
  /** Events in the request. */
  readonly received: number;
  /** Distinct events (by object, property, value and occurredAt). */
  readonly unique: number;
  /** New ledger entries (a closing stage gives two: the stage change and the outcome). */
  readonly recorded: number;
  /** Entries the ledger already had (earlier deliveries). */
  readonly alreadyRecorded: number;
  /** Events Dealreg does not record (other properties, unlabelled associations, deletions). */
  readonly ignored: number;
  /** Events that should be recorded but could not be, each with the reason. */
  readonly skipped: readonly { readonly event: string; readonly reason: string }[];
}

/**
 * Settings with the partner labels `dealreg hubspot setup` creates (and their relationship names),
 * the default pipeline's `closedwon` / `closedlost` as the closing stages of a stage the portal's
 * pipelines do not have, and USD as the portal currency unless given.
 */
export function crmEventSettings(overrides: Partial<CrmEventSettings> = {}): CrmEventSettings {
  const partnerLabels = new Map<string, RelationshipType>();
  for (const relationship of relationshipTypes) {
    const [label, name] = crmNames.partnerLabels[relationship];
    partnerLabels.set(label.toLowerCase(), relationship);
    partnerLabels.set(name.toLowerCase(), relationship);
  }
  return {
    defaultCurrency: 'USD',
    usdRates: {},
    wonStages: new Set(['closedwon']),
    lostStages: new Set(['closedlost']),
    partnerLabels,
    ...overrides,
  };
}

/**
 * The settings with the closing stages of the stages the batch's deals moved to, as the portal's
 * deal pipelines say now ("CRM API | Pipelines": a closed stage of probability 1.0 is won, 0.0
 * lost), in every pipeline. The pipelines are the adapter's kept copy; a stage that copy does not
 * have (added since it was read) has them read again, once, before it is judged. A stage no
 * pipeline has even then is judged by the configured stages and, when not one of them, reported.
 */
async function withPortalStages(
  deps: RecordCrmEventsDependencies,
  unique: readonly { key: string; event: CrmEvent }[],
): Promise<{ settings: CrmEventSettings; unknown: { event: string; reason: string }[] }> {
  const named = new Map<string, string[]>();
  for (const { key, event } of unique) {
    if (event.kind !== 'property' || event.property !== 'dealstage' || event.value === '') continue;
    named.set(event.value, [...(named.get(event.value) ?? []), key]);
  }
  if (named.size === 0) return { settings: deps.settings, unknown: [] };
  let outcomes = stageOutcomes(await deps.deals.dealPipelines());
  if ([...named.keys()].some((stage) => !outcomes.has(stage))) {
    outcomes = stageOutcomes(await deps.deals.dealPipelines({ fresh: true }));
  }
  const wonStages = new Set<string>();
  const lostStages = new Set<string>();
  const unknown: { event: string; reason: string }[] = [];
  for (const [stage, keys] of named) {
    const outcome =
      outcomes.get(stage) ??
      (deps.settings.wonStages.has(stage) ? 'won' : deps.settings.lostStages.has(stage) ? 'lost' : undefined);
    if (outcome === 'won') wonStages.add(stage);
    else if (outcome === 'lost') lostStages.add(stage);
    else if (outcome === undefined) {
      for (const key of keys) {
        unknown.push({
          event: key,
          reason: `deal stage ${stage} is in none of the portal's deal pipelines; whether the deal closed is not recorded`,
        });
      }
    }
  }
  return { settings: { ...deps.settings, wonStages, lostStages }, unknown };
}

async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * Records one Webhooks API batch in the ledger (DESIGN §3.5):
 * 1. keep each distinct event once, in a canonical order (HubSpot shuffles and repeats);
 * 2. read, in one go, the facts of the deals whose events need them (customer, currency, amount)
 *    and the association labels the events did not name; a deal without a customer company in
 *    HubSpot keeps the customer the ledger already has for it;
 * 3. map every event to its ledger entry, with `occurredAt` as business time;
 * 4. append each deal's entries in order, deals side by side; an event already in the ledger
 *    (an earlier delivery) is not appended again.
 * A failure to read HubSpot or write the ledger throws: the whole batch is answered 5xx and
 * HubSpot delivers it again, which step 4 makes harmless.
 */
export async function recordCrmEvents(
  deps: RecordCrmEventsDependencies,
  events: readonly CrmEvent[],
): Promise<CrmEventsOutcome> {
  const unique = uniqueInCanonicalOrder(events);
  const { settings, unknown } = await withPortalStages(deps, unique);

  const dealIds = [
    ...new Set(
      unique.filter(({ event }) => needsDealFacts(event, settings)).map(({ event }) => event.dealId),
    ),
  ];
  const unlabelled = unique.some(
    ({ event }) => event.kind === 'association' && event.label === undefined && event.typeId !== undefined,
  );
  // HubSpot's association events name no label: each deal↔company pair is brought to its labels
  // as HubSpot has them now, once, at the pair's latest event of the batch.
  const latestOfPair = new Map<string, string>();
  for (const { key, event } of unique) {
    if (event.kind === 'association' && namesNoLabel(event)) latestOfPair.set(pairOf(event), key);
  }
  const [facts, labels] = await Promise.all([
    dealIds.length > 0 ? deps.deals.describeDeals(dealIds) : new Map<string, DealFacts>(),
    unlabelled ? deps.deals.dealToCompanyLabels() : new Map<number, string | null>(),
  ]);

  // A partner labelled on a deal without a customer company still has the customer the ledger
  // already knows for that opportunity (from its registration or creation).
  const customerless = [
    ...new Set(
      unique
        .filter(({ event }) => event.kind === 'association' && !event.removed)
        .map(({ event }) => event.dealId)
        .filter((dealId) => facts.get(dealId)?.customer === undefined),
    ),
  ];
  const known = new Map(facts);
  // Each deal's chain is read at most once per batch, for its customer or its partners.
  const everything = { asOf: '9999-12-31T23:59:59.999Z', knownAt: '9999-12-31T23:59:59.999Z' };
  const chains = new Map<string, Promise<LedgerEntry[]>>();
  const chainOf = (dealId: string) => {
    let chain = chains.get(dealId);
    if (chain === undefined) {
      chain = readChain(deps.store, dealId);
      chains.set(dealId, chain);
    }
    return chain;
  };
  const stateOf = async (dealId: string) => projectOpportunity(dealId, await chainOf(dealId), everything);
  // What the ledger has on a deal a merge took away: its partners, and its registrations' approvals
  // with their sharing with AWS.
  const mergedRecord = async (dealId: string): Promise<MergedDealRecord> => {
    const state = await stateOf(dealId);
    const approved = new Set(
      state.registrations
        .filter((registration) => registration.status === 'approved')
        .map((registration) => registration.registrationId),
    );
    const entries = correctedEntries(await chainOf(dealId), everything.knownAt).entries.sort(
      (a, b) => a.sequence - b.sequence,
    );
    const shared = new Set(
      entries.flatMap((entry) =>
        entry.type === 'CoSellShared' && approved.has(entry.registrationId) ? [entry.aceOpportunityId] : [],
      ),
    );
    const carried = entries.filter(
      (entry) =>
        ((entry.type === 'RegistrationApproved' || entry.type === 'CoSellShared') &&
          approved.has(entry.registrationId)) ||
        (entry.type === 'CoSellStatusChanged' && shared.has(entry.aceOpportunityId)),
    );
    return {
      dealId,
      activeAttributions: state.attributions.filter((attribution) => attribution.active),
      carried,
    };
  };
  for (const dealId of customerless) {
    const { customer } = await stateOf(dealId);
    if (customer === undefined) continue;
    known.set(dealId, { name: null, amount: null, currency: null, ...facts.get(dealId), customer });
  }

  // A creation records the stage, amount and close date HubSpot has now only where neither the
  // ledger nor the batch has that property's own history for the deal: a change HubSpot reported
  // (the creation's own property events included) is never overridden by a later value.
  const reported = new Set(
    unique.flatMap(({ event }) => (event.kind === 'property' ? [`${event.dealId}/${event.property}`] : [])),
  );
  const creationFacts = async (dealId: string, facts: DealFacts): Promise<DealFacts> => {
    const recorded = await stateOf(dealId);
    const unknown = (property: string, inLedger: unknown) =>
      inLedger === undefined && !reported.has(`${dealId}/${property}`);
    return {
      ...facts,
      stage: unknown('dealstage', recorded.stage) ? (facts.stage ?? null) : null,
      amount: unknown('amount', recorded.amount) ? facts.amount : null,
      closeDate: unknown('closedate', recorded.closeDate) ? (facts.closeDate ?? null) : null,
    };
  };

  const byDeal = new Map<string, LedgerEntryInput[]>();
  const skipped: { event: string; reason: string }[] = [...unknown];
  let ignored = 0;
  const add = (dealId: string, found: readonly LedgerEntryInput[]) => {
    const entries = byDeal.get(dealId);
    if (entries === undefined) byDeal.set(dealId, [...found]);
    else entries.push(...found);
  };
  for (const { key, event } of unique) {
    if (event.kind === 'association' && namesNoLabel(event)) {
      if (latestOfPair.get(pairOf(event)) !== key) continue;
      const inLedger = new Set(
        (await stateOf(event.dealId)).attributions
          .filter((attribution) => attribution.active && attribution.partnerId === event.companyId)
          .map((attribution) => attribution.relationshipType),
      );
      const resolved = partnerLabelEntries(key, event, known.get(event.dealId), inLedger, settings);
      if (resolved.skipped !== undefined) skipped.push({ event: key, reason: resolved.skipped });
      if (resolved.entries.length === 0 && resolved.skipped === undefined) ignored += 1;
      add(event.dealId, resolved.entries);
      continue;
    }
    if (event.kind === 'merge') {
      const records = await Promise.all(event.mergedDealIds.map(mergedRecord));
      const entries = mergeEntries(key, event, records);
      if (entries.length === 0) ignored += 1;
      for (const entry of entries) add(entry.opportunityId, [entry]);
      continue;
    }
    if (event.kind === 'created') {
      const facts = known.get(event.dealId);
      const creation = facts === undefined ? undefined : await creationFacts(event.dealId, facts);
      const disposition = toLedgerEntry(key, event, creation, settings);
      if (disposition.outcome === 'skipped') skipped.push({ event: key, reason: disposition.reason });
      else if (disposition.outcome === 'entry') {
        if (disposition.skipped !== undefined) skipped.push({ event: key, reason: disposition.skipped });
        add(event.dealId, [disposition.entry]);
      }
      continue;
    }
    const label =
      event.kind === 'association' && event.label === undefined && event.typeId !== undefined
        ? (labels.get(event.typeId) ?? undefined)
        : undefined;
    const disposition = toLedgerEntry(key, event, known.get(event.dealId), settings, label);
    if (disposition.outcome === 'ignored') ignored += 1;
    else if (disposition.outcome === 'skipped') skipped.push({ event: key, reason: disposition.reason });
    else {
      const found = [disposition.entry, ...(disposition.followedBy ? [disposition.followedBy] : [])];
      if (disposition.skipped !== undefined) skipped.push({ event: key, reason: disposition.skipped });
      add(event.dealId, found);
    }
  }

  let recorded = 0;
  let alreadyRecorded = 0;
  await inParallel([...byDeal.values()], deps.concurrency ?? 8, async (entries) => {
    for (const entry of entries) {
      const result = await appendEntryOnce(
        { store: deps.store, ledgerKey: deps.ledgerKey, now: deps.now },
        entry,
      );
      if (result.appended) recorded += 1;
      else alreadyRecorded += 1;
    }
  });

  return { received: events.length, unique: unique.length, recorded, alreadyRecorded, ignored, skipped };
}

/** A deal↔company pair of an association change. */
function pairOf(event: Extract<CrmEvent, { kind: 'association' }>): string {
  return `${event.dealId}/${event.companyId}`;
}
