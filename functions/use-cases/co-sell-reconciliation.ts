import type { CoSellReconciliationWatermarkStore } from '#ports/co-sell-reconciliation.ts';
import { CoSellThrottledError, CoSellUnavailableError } from '#ports/partner-central-errors.ts';
import { coSellOverview } from '#use-cases/co-sell-overview.ts';
import { type CoSellStatusDependencies, reconcileCoSell } from '#use-cases/co-sell-status.ts';
import { type ShareWithAwsDependencies, shareWithAws } from '#use-cases/share-with-aws.ts';

/**
 * How far before the last successful run's start the next run looks: an opportunity changed
 * while a run was listing (or whose `LastModifiedDate` Partner Central stamps a little late) is
 * listed again by the next run. Recording is idempotent, so looking twice records nothing twice.
 */
export const coSellReconciliationOverlapMs = 60 * 60 * 1000;

/**
 * How long after its approval a registration the policy selected may still be on its way to
 * AWS through the workflow's own step: the reconciliation shares only those approved before.
 */
export const coSellShareCatchUpAfterMs = 60 * 60 * 1000;

export type CoSellReconciliationDependencies = CoSellStatusDependencies & {
  readonly watermark: CoSellReconciliationWatermarkStore;
  /**
   * What sharing a registration takes (the policy, HubSpot for the customer's account); without
   * it the reconciliation only records AWS's answers.
   */
  readonly sharing?: ShareWithAwsDependencies | undefined;
};

export interface CoSellReconciliationOutcome {
  /** Opportunities changed after this time were listed; undefined on the first run (all of them). */
  readonly since: string | undefined;
  readonly checked: number;
  readonly recorded: number;
  /** Approved registrations the policy selected that had not been shared, shared by this run. */
  readonly shared: number;
  /** Of those, the ones still not shared (Partner Central refused, or was throttled: the next run tries again). */
  readonly stillNotShared: number;
  /** The watermark saved: this run's start. */
  readonly watermark: string;
}

/**
 * The scheduled catch-up of Partner Central's events: records every opportunity of the catalog
 * changed since the last successful run's start (less the overlap) as `recordCoSellStatus`
 * records it, then moves the watermark to this run's start. A run that fails leaves the
 * watermark where it was, so the next run covers the same ground again.
 */
export async function runCoSellReconciliation(
  deps: CoSellReconciliationDependencies,
  catalog: 'Sandbox' | 'AWS',
): Promise<CoSellReconciliationOutcome> {
  const startedAt = deps.now().toISOString();
  const previous = await deps.watermark.load();
  const since =
    previous === undefined
      ? undefined
      : new Date(Date.parse(previous) - coSellReconciliationOverlapMs).toISOString();
  const { checked, recorded } = await reconcileCoSell(deps, catalog, since);
  await deps.watermark.save(startedAt);
  const { shared, stillNotShared } =
    deps.sharing === undefined ? { shared: 0, stillNotShared: 0 } : await shareUnshared(deps.sharing);
  return { since, checked, recorded, shared, stillNotShared, watermark: startedAt };
}

/**
 * Shares every registration approved more than {@link coSellShareCatchUpAfterMs} ago whose
 * approval decided it goes to AWS and that has no `CoSellShared` on its deal, as the workflow's
 * step would have (a throttling spell that outlasted the step's retries leaves it so): the ACE
 * opportunity is looked up by the registration's id first, so none is created twice. A
 * registration Partner Central refuses is logged and left for the next run; throttling or an
 * outage stops this run's sharing (the next run carries on).
 */
async function shareUnshared(
  deps: ShareWithAwsDependencies,
): Promise<{ shared: number; stillNotShared: number }> {
  const now = deps.now();
  const at = { asOf: now.toISOString(), knownAt: now.toISOString() };
  const latest = new Date(now.getTime() - coSellShareCatchUpAfterMs).toISOString();
  const due = (await coSellOverview(deps.ledger, at)).notShared.filter(
    (registration) =>
      registration.selected && registration.approvedAt !== undefined && registration.approvedAt <= latest,
  );
  let shared = 0;
  for (const [index, registration] of due.entries()) {
    try {
      const outcome = await shareWithAws(deps, registration.registrationId, { lookUpFirst: true });
      if (outcome.outcome === 'shared' || outcome.outcome === 'already-shared') shared += 1;
    } catch (error) {
      if (error instanceof CoSellThrottledError || error instanceof CoSellUnavailableError) {
        deps.logger.warn('co-sell catch-up stopped: Partner Central is throttling or unavailable', {
          registrationId: registration.registrationId,
          left: due.length - index,
        });
        break;
      }
      throw error;
    }
  }
  if (due.length > 0) deps.logger.info('co-sell catch-up done', { due: due.length, shared });
  return { shared, stillNotShared: due.length - shared };
}
