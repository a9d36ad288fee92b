/**
 * A HubSpot deal as the reconciliation compares it with the ledger: read now, in its own words
 * (deal currency, stage id), plus the CRO view's property. The use case maps the CRM port's deals
 * into this, so the domain never sees the CRM client.
 */
/** One labelled partner ↔ deal association in HubSpot. */
export interface CrmPartnerAssociation {
  readonly companyId: string;
  /** The relationship the label stands for (sourced, influenced, resell, referral). */
  readonly relationship: string;
  /** The label as HubSpot shows it, e.g. "Influenced partner". */
  readonly label: string;
}

export interface CrmDeal {
  readonly id: string;
  readonly name: string | null;
  /** Decimal amount in the deal currency, as HubSpot stores it. */
  readonly amount: number | null;
  readonly currency: string | null;
  readonly stageId: string | null;
  /** HubSpot's own closed-won flag of the stage; null when unknown. */
  readonly closedWon: boolean | null;
  /**
   * HubSpot's own closed flag of the stage (`hs_is_closed`, from the stage's metadata in whichever
   * pipeline the deal is: closed and not won is closed lost); null or undefined when unknown.
   */
  readonly closed?: boolean | null | undefined;
  readonly registrationId: string | null;
  /**
   * The partner Dealreg mirrored on the deal's own properties (`dealreg_partner_company_id`,
   * `dealreg_partner_relationship`) when it labelled the association: a copy for searching, which
   * a change of label in HubSpot leaves behind.
   */
  readonly partnerCompanyId: string | null;
  readonly partnerRelationship: string | null;
  /**
   * The partner companies HubSpot associates with the deal under a Dealreg partner label: the
   * attribution as HubSpot holds it. Undefined when the associations were not read (the
   * reconciliation then falls back to the mirrored properties and says so).
   */
  readonly partnerAssociations?: readonly CrmPartnerAssociation[] | undefined;
  /** Value of the CRO view's deal property (`definitions.croView.dealProperty`). */
  readonly croValue: string | null;
  /** The deal's HubSpot owner (`hubspot_owner_id`); null when unassigned, undefined when not read. */
  readonly ownerId?: string | null | undefined;
}

/** A HubSpot owner as the report names them. */
export interface CrmOwner {
  readonly name: string | null;
  readonly email: string | null;
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
  /**
   * The deals' owners by owner id, read once per report: null when HubSpot has no such owner,
   * absent when the owners were not read (or the read failed).
   */
  readonly owners?: ReadonlyMap<string, CrmOwner | null> | undefined;
}

/**
 * Who owns a deal, as a finding names the person to ask: the owner's name, else their email,
 * with "(the deal owner)"; "the deal owner (unassigned)" when HubSpot assigns nobody.
 */
export function dealOwnerWords(deal: CrmDeal | undefined, crm: CrmDealsRead | undefined): string {
  if (deal === undefined || deal.ownerId === undefined) return 'the deal owner';
  if (deal.ownerId === null) return 'the deal owner (unassigned)';
  const owners = crm?.owners;
  if (owners === undefined || !owners.has(deal.ownerId))
    return `the deal owner (HubSpot owner ${deal.ownerId})`;
  const owner = owners.get(deal.ownerId);
  if (owner === null || owner === undefined)
    return `the deal owner (unassigned: HubSpot has no owner ${deal.ownerId} any more)`;
  const who = owner.name ?? owner.email;
  return who === null ? `the deal owner (HubSpot owner ${deal.ownerId})` : `${who} (the deal owner)`;
}
