/**
 * A HubSpot deal as the reconciliation compares it with the ledger: read now, in its own words
 * (deal currency, stage id), plus the CRO view's property. The use case maps the CRM port's deals
 * into this, so the domain never sees the CRM client.
 */
export interface CrmDeal {
  readonly id: string;
  readonly name: string | null;
  /** Decimal amount in the deal currency, as HubSpot stores it. */
  readonly amount: number | null;
  readonly currency: string | null;
  readonly stageId: string | null;
  /** HubSpot's own closed-won flag of the stage; null when unknown. */
  readonly closedWon: boolean | null;
  readonly registrationId: string | null;
  /** The partner Dealreg mirrored on the deal (company id and relationship label). */
  readonly partnerCompanyId: string | null;
  readonly partnerRelationship: string | null;
  /** Value of the CRO view's deal property (`definitions.croView.dealProperty`). */
  readonly croValue: string | null;
}

/** What the reconciliation read from HubSpot: the deals found and the ids it does not know. */
export interface CrmDealsRead {
  readonly deals: ReadonlyMap<string, CrmDeal>;
  readonly missing: ReadonlySet<string>;
  /**
   * Whether the portal defines the CRO view's deal property; undefined when the portal's
   * properties were not read (the figure is then judged by the values alone).
   */
  readonly croPropertyDefined?: boolean | undefined;
}
