import type { CoSellReconciliationWatermarkStore } from '#ports/co-sell-reconciliation.ts';
import { type CoSellStatusDependencies, reconcileCoSell } from '#use-cases/co-sell-status.ts';

/**
 * How far before the last successful run's start the next run looks: an opportunity changed
 * while a run was listing (or whose `LastModifiedDate` Partner Central stamps a little late) is
 * listed again by the next run. Recording is idempotent, so looking twice records nothing twice.
 */
export const coSellReconciliationOverlapMs = 60 * 60 * 1000;

export type CoSellReconciliationDependencies = CoSellStatusDependencies & {
  readonly watermark: CoSellReconciliationWatermarkStore;
  /**
   * Shares what the workflow's step could not (`shareUnsharedRegistrations`, which needs the
   * policy and HubSpot for the customer's account); without it the reconciliation only records
   * AWS's answers.
   */
  readonly catchUp?:
    | (() => Promise<{ readonly shared: number; readonly stillNotShared: number }>)
    | undefined;
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
    deps.catchUp === undefined ? { shared: 0, stillNotShared: 0 } : await deps.catchUp();
  return { since, checked, recorded, shared, stillNotShared, watermark: startedAt };
}
