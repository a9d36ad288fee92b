import { createHash } from 'node:crypto';
import type { Customer, LedgerEntry, LedgerEntryInput } from '#domain/ledger/entry.ts';
import type { Attribution } from '#domain/ledger/projection.ts';
import { type AmountFreezeResult, freezeAmount } from '#domain/money.ts';
import type { RelationshipType } from '#domain/relationship-type.ts';
import type { CrmEvent } from './hubspot-crm-event.ts';

/** What HubSpot currently says about a deal, read once per batch for the events that need it. */
export interface DealFacts {
  readonly name: string | null;
  /** The deal amount as HubSpot stores it (a decimal string), or null when unset. */
  readonly amount: string | null;
  /** `deal_currency_code`, or null for the portal's company currency. */
  readonly currency: string | null;
  /** `dealstage`, the stage id, or null when unset (absent when not read). */
  readonly stage?: string | null;
  /** `closedate` as HubSpot stores it (ISO or epoch milliseconds), or null when unset (absent when not read). */
  readonly closeDate?: string | null;
  /** The deal's customer: its associated company that is not a partner (the primary one first). */
  readonly customer: Customer | undefined;
  /** The labels of each company associated with the deal (company id → labels), as HubSpot has them now. */
  readonly companyLabels?: ReadonlyMap<string, readonly string[]>;
}

/** How CRM events become ledger entries in this deployment. */
export interface CrmEventSettings {
  /** Currency of deals without `deal_currency_code` (the portal's company currency). */
  readonly defaultCurrency: string;
  /** USD per one unit of each currency (decimal strings); USD is always 1. */
  readonly usdRates: Readonly<Record<string, string>>;
  /**
   * Deal stages that mean closed-won and closed-lost. The use case sets them per batch from the
   * portal's pipeline stage metadata, in every pipeline; configured ones judge only a stage no
   * pipeline of the portal has.
   */
  readonly wonStages: ReadonlySet<string>;
  readonly lostStages: ReadonlySet<string>;
  /** Deal↔company association labels that make the company a partner of the deal, by label (lower-case). */
  readonly partnerLabels: ReadonlyMap<string, RelationshipType>;
}

/** What became of one event. */
type EventDisposition =
  | {
      readonly outcome: 'entry';
      readonly entry: LedgerEntryInput;
      /** A second fact of the same event (a closing stage is a stage change and an outcome). */
      readonly followedBy?: LedgerEntryInput;
      /** Why a second fact it implies could not be recorded. */
      readonly skipped?: string;
    }
  /** Nothing to record by design (a property or association Dealreg does not track). */
  | { readonly outcome: 'ignored'; readonly reason: string }
  /** Should be recorded but cannot be with what HubSpot told us; reported, never silently dropped. */
  | { readonly outcome: 'skipped'; readonly reason: string };

/** Who records CRM-event entries. */
const crmEventsRecorder = 'crm-events';

const maxKeyPart = 160;

/** Long values (a deal name, say) are hashed so the key stays within the ledger's limit. */
function keyPart(value: string): string {
  return value.length <= maxKeyPart ? value : `sha256-${createHash('sha256').update(value).digest('hex')}`;
}

/**
 * The identity of an event for de-duplication: (object, property, value, occurredAt). HubSpot's
 * `eventId` is not unique and a redelivered event may carry another, so it is not part of it.
 */
function eventKey(event: CrmEvent): string {
  const at = String(event.occurredAt);
  switch (event.kind) {
    case 'created':
      return `deal:${event.dealId}:creation::${at}`;
    case 'property':
      return `deal:${event.dealId}:${keyPart(event.property)}:${keyPart(event.value)}:${at}`;
    case 'association': {
      const type = event.typeId === undefined ? `label=${keyPart(event.label ?? '')}` : String(event.typeId);
      return `deal:${event.dealId}:company-association:${event.companyId}/${type}/${event.removed ? 'removed' : 'added'}:${at}`;
    }
    case 'merge':
      return `deal:${event.dealId}:merge:${keyPart(event.mergedDealIds.join(','))}:${at}`;
    case 'other':
      return `deal:${event.dealId}:${keyPart(event.subscriptionType)}::${at}`;
  }
}

/** Within one instant: the deal exists first; a relabel detaches the old label before attaching the new. */
function rank(event: CrmEvent): number {
  if (event.kind === 'created') return 0;
  if (event.kind === 'association') return event.removed ? 1 : 2;
  if (event.kind === 'property') return 3;
  if (event.kind === 'merge') return 4;
  return 5;
}

/**
 * The batch's distinct events in one canonical order — by deal, business time, then a fixed
 * order of kinds and keys — so the same set of events is appended in the same order however
 * HubSpot shuffled or repeated it.
 */
export function uniqueInCanonicalOrder(events: readonly CrmEvent[]): { key: string; event: CrmEvent }[] {
  const byKey = new Map<string, CrmEvent>();
  for (const event of events) {
    const key = eventKey(event);
    if (!byKey.has(key)) byKey.set(key, event);
  }
  const compare = (a: { key: string; event: CrmEvent }, b: { key: string; event: CrmEvent }) =>
    a.event.dealId.length - b.event.dealId.length ||
    (a.event.dealId < b.event.dealId ? -1 : a.event.dealId > b.event.dealId ? 1 : 0) ||
    a.event.occurredAt - b.event.occurredAt ||
    rank(a.event) - rank(b.event) ||
    (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  return [...byKey.entries()].map(([key, event]) => ({ key, event })).sort(compare);
}

/** Whether mapping this event needs the deal's current facts from HubSpot. */
export function needsDealFacts(event: CrmEvent, settings: CrmEventSettings): boolean {
  if (event.kind === 'created') return true;
  if (event.kind === 'property') {
    return (
      event.property === 'amount' || (event.property === 'dealstage' && settings.wonStages.has(event.value))
    );
  }
  return event.kind === 'association' && (!event.removed || namesNoLabel(event));
}

/**
 * Whether an association change names neither its label nor its type: HubSpot's own events never
 * do ("Webhooks API", association change payloads), so what changed is read from the deal's
 * associations as they are now.
 */
export function namesNoLabel(event: CrmEvent): boolean {
  return event.kind === 'association' && event.label === undefined && event.typeId === undefined;
}

/**
 * The entries that bring the ledger's partner relationships of one deal↔company pair to the
 * partner labels the pair has in HubSpot now: every relationship the ledger has that HubSpot no
 * longer labels is detached, every newly labelled one attached. `key` is the pair's latest event;
 * each entry's source id adds its relationship, so a redelivery appends nothing.
 */
export function partnerLabelEntries(
  key: string,
  event: Extract<CrmEvent, { kind: 'association' }>,
  facts: DealFacts | undefined,
  inLedger: ReadonlySet<RelationshipType>,
  settings: CrmEventSettings,
): { readonly entries: LedgerEntryInput[]; readonly skipped?: string } {
  if (facts === undefined) {
    return { entries: [], skipped: `deal ${event.dealId} no longer exists in HubSpot` };
  }
  const inHubSpot = new Set<RelationshipType>();
  for (const label of facts.companyLabels?.get(event.companyId) ?? []) {
    const relationship = relationshipOfLabel(label, settings);
    if (relationship !== undefined) inHubSpot.add(relationship);
  }
  const common = (relationshipType: RelationshipType) => ({
    opportunityId: event.dealId,
    effectiveAt: new Date(event.occurredAt).toISOString(),
    recordedBy: crmEventsRecorder,
    sourceEventId: `${key}:${relationshipType}`,
    partnerId: event.companyId,
    relationshipType,
  });
  const entries: LedgerEntryInput[] = [];
  for (const relationshipType of [...inLedger].sort()) {
    if (inHubSpot.has(relationshipType)) continue;
    entries.push({
      type: 'PartnerDetached',
      ...common(relationshipType),
      reason: 'partner association label removed in HubSpot',
    });
  }
  const added = [...inHubSpot].filter((relationshipType) => !inLedger.has(relationshipType)).sort();
  if (added.length > 0 && facts.customer === undefined) {
    return {
      entries,
      skipped: `deal ${event.dealId} has no customer company with a domain; partner ${event.companyId} cannot be attached`,
    };
  }
  for (const relationshipType of added) {
    entries.push({
      type: 'PartnerAttached',
      ...common(relationshipType),
      customer: facts.customer as Customer,
    });
  }
  return { entries };
}

/** The partner relationship an association label stands for, if it is a partner label. */
function relationshipOfLabel(
  label: string | undefined,
  settings: CrmEventSettings,
): RelationshipType | undefined {
  if (label === undefined) return undefined;
  return settings.partnerLabels.get(label.trim().toLowerCase());
}

function money(amountText: string, currency: string, settings: CrmEventSettings): AmountFreezeResult {
  return freezeAmount(amountText, currency, settings.usdRates);
}

/**
 * A HubSpot date property value (epoch ms or ISO) as the calendar date it stands for (UTC), or
 * undefined when it is none the ledger can hold (a `YYYY-MM-DD` date: years 0000 to 9999; a
 * later one would make every delivery of its batch fail, and HubSpot retry it in vain).
 */
function calendarDate(value: string): string | undefined {
  const trimmed = value.trim();
  const date = /^\d{1,16}$/.test(trimmed) ? new Date(Number(trimmed)) : new Date(trimmed);
  if (Number.isNaN(date.getTime())) return undefined;
  const day = date.toISOString().slice(0, 10);
  return /^\d{4}-\d{2}-\d{2}$/.test(day) ? day : undefined;
}

/**
 * Maps one CRM event to the ledger entry it stands for (DESIGN §3.5), with the event's
 * `occurredAt` as business time and its key as the entry's source event id. `facts` are the
 * deal's current facts, required only when {@link needsDealFacts} says so; `label` is the
 * association's label when the event itself did not name it.
 */
export function toLedgerEntry(
  key: string,
  event: CrmEvent,
  facts: DealFacts | undefined,
  settings: CrmEventSettings,
  resolvedLabel?: string,
): EventDisposition {
  const common = {
    opportunityId: event.dealId,
    effectiveAt: new Date(event.occurredAt).toISOString(),
    recordedBy: crmEventsRecorder,
    sourceEventId: key,
  };
  const currency = facts?.currency?.trim().toUpperCase() || settings.defaultCurrency;
  switch (event.kind) {
    case 'other':
      return { outcome: 'ignored', reason: `${event.subscriptionType} is not recorded` };
    case 'merge':
      // What a merge moves is on the merged deals' chains: see mergeEntries.
      return { outcome: 'ignored', reason: 'a merge is recorded from the merged deals’ ledger chains' };
    case 'created': {
      if (facts === undefined)
        return { outcome: 'skipped', reason: `deal ${event.dealId} no longer exists in HubSpot` };
      if (facts.customer === undefined) {
        return {
          outcome: 'skipped',
          reason: `deal ${event.dealId} has no customer company with a domain; its creation cannot be attributed`,
        };
      }
      // The deal as HubSpot has it now goes on record with its creation, as the approval's own
      // entry would record it: whichever of the two is recorded first is the opportunity's
      // creation and the other is the same fact, so neither may leave out stage, amount or close
      // date. Changes HubSpot reports at or after the creation instant follow it.
      const amountText = facts.amount?.trim() ?? '';
      const amount = amountText === '' ? undefined : money(amountText, currency, settings);
      const closeDate = facts.closeDate ? calendarDate(facts.closeDate) : undefined;
      return {
        outcome: 'entry',
        entry: {
          type: 'OpportunityCreated',
          ...common,
          customer: facts.customer,
          dealName: facts.name || undefined,
          stage: facts.stage?.trim() || undefined,
          amount: amount !== undefined && 'money' in amount ? amount.money : undefined,
          closeDate,
        },
        ...(amount !== undefined && 'problem' in amount
          ? {
              skipped: `deal ${event.dealId}: ${amount.problem}; its amount is not recorded with its creation`,
            }
          : {}),
      };
    }
    case 'property': {
      if (event.property === 'dealstage') {
        if (event.value === '') return { outcome: 'ignored', reason: 'deal stage cleared' };
        const stageChanged: LedgerEntryInput = { type: 'StageChanged', ...common, stage: event.value };
        // The outcome is its own fact with its own identity, so a redelivery finds both.
        const outcome = { ...common, sourceEventId: `${key}:outcome` };
        if (settings.lostStages.has(event.value)) {
          return { outcome: 'entry', entry: stageChanged, followedBy: { type: 'ClosedLost', ...outcome } };
        }
        if (settings.wonStages.has(event.value)) {
          if (facts?.amount === null || facts?.amount === undefined || facts.amount.trim() === '') {
            return {
              outcome: 'entry',
              entry: stageChanged,
              skipped: `deal ${event.dealId} was won without an amount in HubSpot; ClosedWon not recorded`,
            };
          }
          const won = money(facts.amount, currency, settings);
          if ('problem' in won) {
            return {
              outcome: 'entry',
              entry: stageChanged,
              skipped: `deal ${event.dealId}: ${won.problem}; ClosedWon not recorded`,
            };
          }
          return {
            outcome: 'entry',
            entry: stageChanged,
            followedBy: { type: 'ClosedWon', ...outcome, amount: won.money },
          };
        }
        return { outcome: 'entry', entry: stageChanged };
      }
      if (event.property === 'amount') {
        if (event.value.trim() === '') return { outcome: 'ignored', reason: 'deal amount cleared' };
        const changed = money(event.value, currency, settings);
        if ('problem' in changed)
          return { outcome: 'skipped', reason: `deal ${event.dealId}: ${changed.problem}` };
        return { outcome: 'entry', entry: { type: 'AmountChanged', ...common, amount: changed.money } };
      }
      if (event.property === 'closedate') {
        if (event.value.trim() === '') return { outcome: 'ignored', reason: 'close date cleared' };
        const closeDate = calendarDate(event.value);
        if (closeDate === undefined) {
          return {
            outcome: 'skipped',
            reason: `deal ${event.dealId}: close date ${JSON.stringify(event.value)} is not a date of the years 0000 to 9999`,
          };
        }
        return { outcome: 'entry', entry: { type: 'CloseDateChanged', ...common, closeDate } };
      }
      return { outcome: 'ignored', reason: `deal property ${event.property} is not recorded` };
    }
    case 'association': {
      const relationshipType = relationshipOfLabel(event.label ?? resolvedLabel, settings);
      if (relationshipType === undefined) {
        return { outcome: 'ignored', reason: 'not a partner association label' };
      }
      if (event.removed) {
        return {
          outcome: 'entry',
          entry: {
            type: 'PartnerDetached',
            ...common,
            partnerId: event.companyId,
            relationshipType,
            reason: 'partner association label removed in HubSpot',
          },
        };
      }
      if (facts?.customer === undefined) {
        return {
          outcome: 'skipped',
          reason: `deal ${event.dealId} has no customer company with a domain; partner ${event.companyId} cannot be attached`,
        };
      }
      return {
        outcome: 'entry',
        entry: {
          type: 'PartnerAttached',
          ...common,
          partnerId: event.companyId,
          customer: facts.customer,
          relationshipType,
        },
      };
    }
  }
}

/** What the ledger has on a deal a merge took away, as known now. */
export interface MergedDealRecord {
  readonly dealId: string;
  /** The deal's partner attributions in effect now. */
  readonly activeAttributions: readonly Attribution[];
  /**
   * What follows its registrations still approved (not expired) to the deal that remains, as
   * recorded (corrections applied): their approvals, and the sharing with AWS of each and the
   * statuses Partner Central reported since.
   */
  readonly carried: readonly LedgerEntry[];
}

/**
 * The entries of deals merged in HubSpot ("Deals now support merging": the merged deals are no
 * longer visible and the remaining deal carries their history and associations). Each merged
 * deal's registrations still approved go on record on the remaining deal as approved then (with
 * their sharing with AWS and its statuses, each at its own business time), and each partner still
 * attributed on it moves, at the merge, to the remaining deal with its registration and campaign:
 * detached from the merged deal, attached to the remaining one. Each entry's source id names the
 * merge, the merged deal and what it moves, so a redelivery appends nothing.
 */
export function mergeEntries(
  key: string,
  event: Extract<CrmEvent, { kind: 'merge' }>,
  merged: readonly MergedDealRecord[],
): LedgerEntryInput[] {
  const effectiveAt = new Date(event.occurredAt).toISOString();
  const entries: LedgerEntryInput[] = [];
  for (const record of merged) {
    const from = `${key}:${record.dealId}`;
    for (const carried of record.carried) {
      const {
        opportunityId: _opportunityId,
        recordedBy: _recordedBy,
        sourceEventId: _sourceEventId,
        sequence: _sequence,
        recordedAt: _recordedAt,
        previousHash: _previousHash,
        hash: _hash,
        mac: _mac,
        effectiveMonth: _effectiveMonth,
        chainStart: _chainStart,
        ...payload
      } = carried;
      entries.push({
        ...payload,
        opportunityId: event.dealId,
        recordedBy: crmEventsRecorder,
        // The entry's place on the merged deal's chain names it for good.
        sourceEventId: `${from}:carried:${carried.sequence}`,
      } as LedgerEntryInput);
    }
    for (const attribution of record.activeAttributions) {
      const moved = `${from}:${attribution.partnerId}:${attribution.relationshipType}`;
      entries.push({
        type: 'PartnerDetached',
        opportunityId: record.dealId,
        effectiveAt,
        recordedBy: crmEventsRecorder,
        sourceEventId: `${moved}:detached`,
        partnerId: attribution.partnerId,
        relationshipType: attribution.relationshipType,
        reason: `deal ${record.dealId} merged into deal ${event.dealId} in HubSpot`,
      });
      if (attribution.customer === undefined) continue;
      entries.push({
        type: 'PartnerAttached',
        opportunityId: event.dealId,
        effectiveAt,
        recordedBy: crmEventsRecorder,
        sourceEventId: moved,
        partnerId: attribution.partnerId,
        customer: attribution.customer,
        relationshipType: attribution.relationshipType,
        registrationId: attribution.registrationId,
        campaignId: attribution.campaignId,
        investmentId: attribution.investmentId,
      });
    }
  }
  return entries;
}
