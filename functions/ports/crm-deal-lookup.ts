import type { DealFacts } from '#domain/crm-events/crm-event-entries.ts';
import type { StageMetadata } from '#domain/crm-events/deal-stage-outcomes.ts';

/** Port: what the CRM-events use case reads from HubSpot: one batch read per request, not per event. */
export interface CrmDealLookup {
  /** Current facts of each deal; deals HubSpot no longer has are absent from the map. */
  describeDeals(dealIds: readonly string[]): Promise<ReadonlyMap<string, DealFacts>>;
  /** Label of each deal→company association type id (null for unlabelled types). */
  dealToCompanyLabels(): Promise<ReadonlyMap<number, string | null>>;
  /**
   * The stages of every deal pipeline of the portal, kept for a bounded time; `fresh` reads them
   * again now (a stage the kept copy does not have).
   */
  dealPipelines(options?: {
    readonly fresh?: boolean;
  }): Promise<readonly { readonly stages: readonly StageMetadata[] }[]>;
}
