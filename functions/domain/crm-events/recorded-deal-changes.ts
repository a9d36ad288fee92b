/**
 * The HubSpot deal changes the CRM-events handler turns into ledger entries (DESIGN §3.5): a deal
 * created, its stage, amount or close date changed, a company associated or dissociated (a
 * partner label attached or removed), deals merged (their partners and registrations move to the
 * deal that remains). Every other change is answered as not recorded, so the HubSpot app
 * subscribes to exactly these (`hubspot/src/app/webhooks/`).
 */
export const recordedDealChanges = {
  creation: true,
  /** Deal properties whose changes become `StageChanged`, `AmountChanged` and `CloseDateChanged`. */
  properties: ['dealstage', 'amount', 'closedate'],
  /** Deal↔company association changes, which attach and detach partners. */
  associations: true,
  /** Deals merged into one, whose partners and registrations move to the deal that remains. */
  merges: true,
} as const;
