import { ChainVerifier, type VerifyReport } from '#domain/ledger/chain-verifier.ts';
import { newestDigestSeries } from '#domain/ledger/digest-rules.ts';
import { type LedgerEntry, ledgerEntrySchema } from '#domain/ledger/entry.ts';
import { parseFiscalQuarter } from '#domain/ledger/fiscal-quarter.ts';
import type { AsOf } from '#domain/ledger/projection.ts';
import type { LoadedPolicy } from '#domain/policy/load-policy.ts';
import { attributionDefinitions, finishQbrReport, prepareQbrReport } from '#domain/qbr/compute-report.ts';
import type { CrmDeal, CrmDealsRead, CrmOwner } from '#domain/qbr/crm-deal.ts';
import { hasEntryShape } from '#domain/qbr/entry-shape.ts';
import type { BrokenChain, RetroactiveChange } from '#domain/qbr/findings.ts';
import { isQuarterClosed, lastInstantOf, shiftQuarter } from '#domain/qbr/fiscal-calendar.ts';
import { type OpportunityFacts, opportunityFacts } from '#domain/qbr/opportunity-facts.ts';
import { quarterFigures } from '#domain/qbr/quarter-figures.ts';
import { reportedAt } from '#domain/qbr/registration-view.ts';
import type { DigestStatus, QbrReport } from '#domain/qbr/report.ts';
import { compareWithSnapshot, type QbrSnapshot } from '#domain/qbr/snapshot.ts';
import {
  crmNames,
  type Deal,
  type DealDirectory,
  type Owner,
  type PartnerDealAssociation,
  type PortalSchemaAdmin,
} from '#ports/hubspot.ts';
import type { DigestStore, LedgerStore } from '#ports/ledger.ts';
import type { QbrSnapshotStore, RegistrationHistory } from '#ports/qbr.ts';
import { loadDigests } from './ledger-digest.ts';
import { digestsOfAnotherLedger, otherLedgerWarning } from './ledger-verify.ts';

/** Where a long run is, for a progress bar. */
export interface QbrProgress {
  readonly phase: 'ledger' | 'registrations' | 'hubspot' | 'snapshots' | 'compute';
  readonly done: number;
  readonly total: number;
}

export interface BuildQbrReportDependencies {
  readonly ledger: LedgerStore;
  /** Ledger digests to verify the chains against; omitted, only the chains are checked. */
  readonly digests?: DigestStore | undefined;
  readonly registrations: RegistrationHistory;
  /**
   * HubSpot's deals and, when it can, their labelled partner associations (without them the
   * attribution is judged by Dealreg's mirrored deal properties, and the findings say so);
   * omitted, the CRM reconciliation (drift, CRO view) is skipped.
   */
  readonly deals?: ReconciledDeals | undefined;
  /**
   * The portal's deal property definitions, to tell a CRO property missing in HubSpot from one
   * that is empty; omitted, only the values are judged.
   */
  readonly dealProperties?: Pick<PortalSchemaAdmin, 'listPropertyNames'> | undefined;
  /** Frozen closed quarters; omitted, RETROACTIVE_CHANGE is not checked and nothing is frozen. */
  readonly snapshots?: QbrSnapshotStore | undefined;
  readonly policy: LoadedPolicy;
  readonly now?: (() => Date) | undefined;
  readonly onProgress?: ((progress: QbrProgress) => void) | undefined;
  /** @default 30 */
  readonly orphanAfterDays?: number | undefined;
  /** The HubSpot portal (hub) id, so findings link to deal records; omitted: no links. */
  readonly hubspotPortalId?: number | undefined;
  /**
   * HubSpot's owners, to name the deal owner a drift finding asks to act; each owner is read once
   * per report. Omitted: findings say "the deal owner" with the owner id.
   */
  readonly owners?: DealOwnerDirectory | undefined;
  /** Deals per HubSpot read call (each call is split into batches of 100 by the adapter). @default 2000 */
  readonly dealsPerCall?: number | undefined;
  /** Read calls in flight at once; the adapter's limiter keeps them under the portal's limit. @default 3 */
  readonly dealCallConcurrency?: number | undefined;
}

interface BuildQbrReportRequest {
  /** `YYYY-QN` on the policy's fiscal calendar. */
  readonly quarter: string;
  /** The moment the report is as of, on both time axes. */
  readonly asOf: Date;
}

/** A request the report cannot be built for (bad quarter or moment). */
export class QbrRequestError extends Error {
  override readonly name = 'QbrRequestError';
}

/** Reads a HubSpot owner by id; null when HubSpot has no such owner. */
export interface DealOwnerDirectory {
  owner(ownerId: string): Promise<Owner | null>;
}

/**
 * The owners of the deals read, each owner id read once however many deals it owns. An owner
 * that cannot be read is left out: the findings then name the owner id, and the report stands.
 */
async function readOwners(
  directory: DealOwnerDirectory,
  deals: Iterable<CrmDeal>,
): Promise<Map<string, CrmOwner | null>> {
  const ids = new Set<string>();
  for (const deal of deals) if (typeof deal.ownerId === 'string') ids.add(deal.ownerId);
  const owners = new Map<string, CrmOwner | null>();
  const all = [...ids].sort();
  for (let start = 0; start < all.length; start += OWNERS_AT_ONCE) {
    await Promise.all(
      all.slice(start, start + OWNERS_AT_ONCE).map(async (id) => {
        try {
          const owner = await directory.owner(id);
          const name = [owner?.firstName, owner?.lastName].filter((part) => part?.trim()).join(' ');
          owners.set(id, owner === null ? null : { name: name === '' ? null : name, email: owner.email });
        } catch {
          // Not read: the finding names the owner id instead of the person.
        }
      }),
    );
  }
  return owners;
}

/** Owner reads in flight at once (the adapter's limiter keeps them under the portal's limit). */
const OWNERS_AT_ONCE = 8;

/** What the reconciliation reads of HubSpot's deals. */
export type ReconciledDeals = Pick<DealDirectory, 'batchReadDeals'> &
  Partial<Pick<DealDirectory, 'partnerAssociationsOfDeals'>>;

/** The deal properties the reconciliation reads. */
export function reconciliationProperties(croProperty: string): string[] {
  return [
    ...new Set([
      'dealname',
      'amount',
      'deal_currency_code',
      'dealstage',
      'closedate',
      'hs_is_closed',
      'hs_is_closed_won',
      'hubspot_owner_id',
      crmNames.deal.registrationId,
      crmNames.deal.partnerCompanyId,
      crmNames.deal.partnerRelationship,
      croProperty,
    ]),
  ];
}

function toCrmDeal(
  deal: Deal,
  croProperty: string,
  partnerAssociations: ReadonlyMap<string, PartnerDealAssociation[]> | undefined,
): CrmDeal {
  const flag = deal.properties.hs_is_closed_won;
  const closed = deal.properties.hs_is_closed;
  return {
    id: deal.id,
    name: deal.name,
    amount: deal.amount,
    currency: deal.currency,
    stageId: deal.stageId,
    closedWon: flag === 'true' ? true : flag === 'false' ? false : null,
    closed: closed === 'true' ? true : closed === 'false' ? false : null,
    registrationId: deal.registrationId,
    partnerCompanyId: deal.partnerCompanyId,
    partnerRelationship: deal.partnerRelationship,
    croValue: deal.properties[croProperty] ?? null,
    ownerId: deal.ownerId,
    partnerAssociations:
      partnerAssociations === undefined ? undefined : (partnerAssociations.get(deal.id) ?? []),
  };
}

/**
 * Reads every deal by id, `perCall` ids per adapter call and `concurrency` calls at once, so
 * the adapter's limiter always has batches queued (the run stays at the rate-limit floor) while
 * progress is reported call by call.
 */
async function readCrmDeals(
  deals: ReconciledDeals,
  ids: readonly string[],
  croProperty: string,
  options: {
    perCall?: number | undefined;
    concurrency?: number | undefined;
    onProgress?: ((done: number) => void) | undefined;
  } = {},
): Promise<CrmDealsRead> {
  const perCall = options.perCall ?? 2_000;
  const properties = reconciliationProperties(croProperty);
  const slices: string[][] = [];
  for (let start = 0; start < ids.length; start += perCall) slices.push(ids.slice(start, start + perCall));
  const found = new Map<string, CrmDeal>();
  const missing = new Set<string>();
  let next = 0;
  let done = 0;
  const worker = async () => {
    for (let index = next++; index < slices.length; index = next++) {
      const slice = slices[index] ?? [];
      const [answer, partners] = await Promise.all([
        deals.batchReadDeals(slice, properties),
        deals.partnerAssociationsOfDeals?.(slice),
      ]);
      for (const deal of answer.deals) found.set(deal.id, toCrmDeal(deal, croProperty, partners));
      for (const id of answer.missing) missing.add(id);
      done += slice.length;
      options.onProgress?.(done);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 3) }, worker));
  return { deals: found, missing };
}

/**
 * One pass over the ledger: every raw item goes through the chain verifier (hashes, links,
 * gaps, digests — what `ledger verify` checks) and, when readable, into its chain. Entries whose
 * shape is right are taken as they are (the chain check vouches for them); the rest go through
 * the entry schema, and unreadable ones are left to the verifier's report.
 */
async function readAndVerifyLedger(
  store: LedgerStore,
  digests: DigestStore | undefined,
): Promise<{ chains: Map<string, LedgerEntry[]>; verification: VerifyReport; digests: DigestStatus }> {
  const verifier = new ChainVerifier();
  // Digests before a new series describe an earlier ledger (as verify reads them).
  const {
    series: loaded,
    earlier,
    startedBy,
  } = newestDigestSeries(digests === undefined ? [] : (await loadDigests(digests)).loaded);
  for (const { name, digest } of loaded) verifier.expectDigest(digest, name);
  const chains = new Map<string, LedgerEntry[]>();
  await store.scanRaw((items) => {
    for (const item of items) {
      verifier.add(item);
      let entry: LedgerEntry;
      if (hasEntryShape(item)) entry = item;
      else {
        const parsed = ledgerEntrySchema.safeParse(item);
        if (!parsed.success) continue;
        entry = parsed.data;
      }
      const chain = chains.get(entry.opportunityId);
      if (chain === undefined) chains.set(entry.opportunityId, [entry]);
      else chain.push(entry);
    }
  });
  const verification = verifier.finish();
  if (loaded.length === 0) {
    return {
      chains,
      verification,
      digests: { status: 'none', detail: 'no digests to check the ledger against' },
    };
  }
  if (!digestsOfAnotherLedger(verification, true)) {
    const uncovered = verification.heads.filter(
      (head) =>
        !loaded.some(({ digest }) => digest.heads.some((item) => item.opportunityId === head.opportunityId)),
    ).length;
    return {
      chains,
      verification,
      digests: {
        status: 'checked',
        detail: `checked against ${loaded.length} digest(s)${uncovered === 0 ? '' : `; no digest for ${uncovered} chain(s) yet (begun after the latest digest)`}${startedBy === undefined ? '' : `; the digests were started over at ${startedBy.name}, and the ${earlier} before it describe an earlier ledger`}`,
      },
    };
  }
  // The digests describe another ledger: check the chains again without them, as verify does.
  const alone = new ChainVerifier();
  await store.scanRaw((items) => {
    for (const item of items) alone.add(item);
  });
  return {
    chains,
    verification: alone.finish(),
    digests: {
      status: 'other-ledger',
      detail: otherLedgerWarning(verification.digestsChecked, verification.digestHeadsExpected),
    },
  };
}

/**
 * The chains as the figures may count them: a broken chain keeps only the entries before its first
 * bad one, since that entry fails the ledger check and every later one chains from it. Returns the
 * entries left out that were recorded by asOf (later ones count in no figure of this report anyway).
 */
function verifiedEntries(
  chains: ReadonlyMap<string, readonly LedgerEntry[]>,
  broken: readonly BrokenChain[],
  asOf: string,
): { chains: Map<string, LedgerEntry[]>; excluded: number } {
  const firstBad = new Map(broken.map((chain) => [chain.opportunityId, chain.sequence]));
  const trusted = new Map<string, LedgerEntry[]>();
  let excluded = 0;
  for (const [id, chain] of chains) {
    const from = firstBad.get(id);
    if (from === undefined) {
      trusted.set(id, [...chain]);
      continue;
    }
    const kept = chain.filter((entry) => entry.sequence < from);
    excluded += chain.filter((entry) => entry.sequence >= from && entry.recordedAt <= asOf).length;
    trusted.set(id, kept);
  }
  return { chains: trusted, excluded };
}

function projectAll(chains: ReadonlyMap<string, readonly LedgerEntry[]>, at: AsOf): OpportunityFacts[] {
  const facts: OpportunityFacts[] = [];
  for (const id of [...chains.keys()].sort()) facts.push(opportunityFacts(id, chains.get(id) ?? [], at));
  return facts;
}

/**
 * The ledger's integrity as of the moment: chains and entries recorded by then, and the broken
 * chains whose first bad entry was among them (or could not be read at all), so entries recorded
 * later do not change the figures of an earlier report. A broken chain the ledger no longer holds
 * (a digest recorded it; or its items cannot be read) is a chain too: counted in `chains`, as
 * `ledger verify` counts it, so `broken` never exceeds `chains`.
 */
function integrityAsOf(
  chains: ReadonlyMap<string, readonly LedgerEntry[]>,
  broken: readonly BrokenChain[],
  asOf: string,
): { chains: number; chainsNotInLedger: number; entries: number; broken: BrokenChain[] } {
  let chainCount = 0;
  let entries = 0;
  const lastKnown = new Map<string, number>();
  for (const [id, chain] of chains) {
    let known = 0;
    let last = 0;
    for (const entry of chain) {
      if (entry.recordedAt > asOf) continue;
      known += 1;
      last = Math.max(last, entry.sequence);
    }
    if (known === 0) continue;
    chainCount += 1;
    entries += known;
    lastKnown.set(id, last);
  }
  const relevant = broken.filter((chain) => {
    const last = lastKnown.get(chain.opportunityId);
    return (
      !chains.has(chain.opportunityId) ||
      (last !== undefined && last >= chain.sequence) ||
      chain.problem === 'malformed'
    );
  });
  const notInLedger = relevant.filter((chain) => !lastKnown.has(chain.opportunityId)).length;
  return { chains: chainCount + notInLedger, chainsNotInLedger: notInLedger, entries, broken: relevant };
}

/**
 * Builds the pre-QBR report of a quarter as of a moment:
 * 1. start reading HubSpot's current deals of the ledger's opportunities, 100 per request under
 *    the limiter (the slow part, so everything else runs meanwhile);
 * 2. read the ledger once, verifying its hash chains (and digests) as `ledger verify` does, and
 *    project every chain as of the moment (business and system time);
 * 3. read the registrations table;
 * 4. compare closed quarters with their frozen snapshots, and freeze newly closed ones;
 * 5. compute the metrics that need no HubSpot data (funnel, ROI, SLA), then, once the deals are
 *    read, the attribution views and the findings.
 * Deterministic for the same asOf: entries recorded or effective later change nothing.
 */
export async function buildQbrReport(
  deps: BuildQbrReportDependencies,
  request: BuildQbrReportRequest,
): Promise<QbrReport> {
  const { policy, policyVersion } = deps.policy;
  const fiscalStart = policy.reporting.fiscalYearStartMonth;
  // Quarters run midnight to midnight in the policy calendar's zone, as the CRO's dashboards count them.
  const timeZone = policy.calendar.timeZone;
  let quarter: ReturnType<typeof parseFiscalQuarter>;
  try {
    quarter = parseFiscalQuarter(request.quarter, fiscalStart, timeZone);
  } catch (error) {
    throw new QbrRequestError(`quarter: ${(error as Error).message}`, { cause: error });
  }
  if (Number.isNaN(request.asOf.getTime())) throw new QbrRequestError('asOf: not a valid date');
  const asOf = request.asOf.toISOString();
  if (asOf < quarter.start) {
    throw new QbrRequestError(
      `asOf ${asOf} is before ${quarter.label} starts (${quarter.start}): nothing to report yet`,
    );
  }
  const progress = deps.onProgress ?? (() => undefined);
  const now = deps.now ?? (() => new Date());
  const definitions = attributionDefinitions(policy);
  const croProperty = policy.definitions.croView.dealProperty;

  // HubSpot is the bottleneck (a rate limit, not CPU): its reads start first, from the chain
  // index, and run while the ledger is verified and projected.
  let crmRead: Promise<CrmDealsRead> | undefined;
  if (deps.deals !== undefined) {
    const deals = deps.deals;
    const properties = deps.dealProperties;
    crmRead = (async () => {
      // A portal that will not list its properties (a missing scope) leaves the figure judged by its values.
      const defined = properties
        ?.listPropertyNames('deals')
        .then((names) => names.includes(croProperty))
        .catch(() => undefined);
      const ids = (await deps.ledger.listChainIds()).filter((id) => !id.startsWith('campaign:')).sort();
      progress({ phase: 'hubspot', done: 0, total: ids.length });
      const read = await readCrmDeals(deals, ids, croProperty, {
        perCall: deps.dealsPerCall,
        concurrency: deps.dealCallConcurrency,
        onProgress: (done) => progress({ phase: 'hubspot', done, total: ids.length }),
      });
      const owners =
        deps.owners === undefined ? undefined : await readOwners(deps.owners, read.deals.values());
      return { ...read, croPropertyDefined: await defined, owners };
    })();
    // Awaited below; until then a failure must not surface as an unhandled rejection.
    crmRead.catch(() => undefined);
  }

  progress({ phase: 'ledger', done: 0, total: 1 });
  const { chains: read, verification, digests } = await readAndVerifyLedger(deps.ledger, deps.digests);
  const integrity = integrityAsOf(read, verification.broken, asOf);
  // Numbers must hold up: an entry that fails the ledger check counts in no figure (the
  // LEDGER_INTEGRITY finding and the integrity headline say how many were left out, and why).
  const { chains, excluded } = verifiedEntries(read, integrity.broken, asOf);
  const at: AsOf = { asOf, knownAt: asOf };
  const facts = projectAll(chains, at).filter((item) => item.entries > 0);
  progress({ phase: 'ledger', done: 1, total: 1 });

  progress({ phase: 'registrations', done: 0, total: 1 });
  const registrations = (await deps.registrations.listRegistrations()).filter(
    (record) => reportedAt(record) <= asOf,
  );
  progress({ phase: 'registrations', done: 1, total: 1 });

  const retroactive: RetroactiveChange[] = [];
  const toFreeze: QbrSnapshot[] = [];
  if (deps.snapshots !== undefined) {
    const store = deps.snapshots;
    const frozen = await store.list();
    progress({ phase: 'snapshots', done: 0, total: frozen.length });
    const snapshots: QbrSnapshot[] = [];
    for (const label of frozen) {
      const snapshot = await store.read(label);
      if (snapshot !== undefined) snapshots.push(snapshot);
    }
    for (const [index, snapshot] of snapshots.entries()) {
      // Recomputed on the boundaries it was frozen with: a snapshot frozen before quarters followed the
      // calendar's zone (no timeZone recorded) was cut at UTC midnight, and moving the cut is not a
      // rewrite of history.
      const closed = parseFiscalQuarter(snapshot.quarter, fiscalStart, snapshot.timeZone ?? 'UTC');
      // A snapshot frozen after asOf did not exist then: comparing would make the report depend on when it is run.
      if (new Date(snapshot.frozenAt).toISOString() > asOf || !isQuarterClosed(closed, request.asOf))
        continue;
      const figures = quarterFigures(
        projectAll(chains, { asOf: lastInstantOf(closed), knownAt: asOf }),
        closed,
        definitions,
      );
      const differences = compareWithSnapshot(snapshot, figures);
      if (differences.length > 0)
        retroactive.push({
          quarter: snapshot.quarter,
          frozenAt: snapshot.frozenAt,
          policyChanged: snapshot.policyVersion !== policyVersion,
          differences,
        });
      progress({ phase: 'snapshots', done: index + 1, total: frozen.length });
    }
    // The report's quarter (once over) and the one before it are frozen the first time they are
    // reported closed — written below, once the run has succeeded. Not while a chain is broken:
    // its altered entries would become the figures later reports are held to; the first run after
    // the ledger is restored freezes them.
    const intact = integrity.broken.length === 0;
    for (const candidate of intact ? [shiftQuarter(quarter.label, -1, fiscalStart, timeZone), quarter] : []) {
      if (!isQuarterClosed(candidate, request.asOf) || frozen.includes(candidate.label)) continue;
      toFreeze.push({
        quarter: candidate.label,
        frozenAt: asOf,
        policyVersion,
        timeZone: candidate.timeZone,
        figures: quarterFigures(
          projectAll(chains, { asOf: lastInstantOf(candidate), knownAt: asOf }),
          candidate,
          definitions,
        ),
      });
    }
  }

  // Everything that does not need HubSpot is computed while its reads go on; what does comes after.
  const prepared = prepareQbrReport({
    quarter,
    asOf,
    generatedAt: now().toISOString(),
    policy,
    policyVersion,
    facts,
    registrations,
    integrity: { ...integrity, excludedEntries: excluded, digests },
    retroactive,
    orphanAfterDays: deps.orphanAfterDays ?? 30,
    hubspotPortalId: deps.hubspotPortalId,
  });
  const crm = await crmRead;
  progress({ phase: 'compute', done: 0, total: 1 });
  const report = finishQbrReport(prepared, crm);
  for (const snapshot of toFreeze) await deps.snapshots?.write(snapshot);
  progress({ phase: 'compute', done: 1, total: 1 });
  return report;
}
