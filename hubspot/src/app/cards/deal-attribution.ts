/**
 * What Dealreg's `GET /hubspot/deal-card?dealId=…` answers (`DealAttributionCard` in
 * functions/domain/deal-card/deal-attribution-card.ts, declared again here because HubSpot builds
 * this folder on its own), and the words the card shows for it.
 */

export type RelationshipType = 'sourced' | 'influenced' | 'resell' | 'referral';

export interface PartnerAttributionRow {
  readonly partnerId: string;
  readonly partnerName: string | null;
  readonly relationshipType: RelationshipType;
  readonly since: string;
  readonly until: string | null;
  readonly current: boolean;
  readonly registrationId: string | null;
  readonly ruleId: string | null;
}

export interface RegistrationRow {
  readonly registrationId: string;
  readonly partnerId: string;
  readonly partnerName: string | null;
  readonly status: string;
  readonly ruleId: string | null;
  readonly ruleReason: string | null;
  readonly slaDeadline: string | null;
  readonly decidedWithinSla: boolean | null;
  readonly decidedAt: string | null;
  readonly decidedThrough: string | null;
  readonly expiresAt: string | null;
}

export interface LedgerBadge {
  readonly status: 'verified' | 'verified-without-digests' | 'not-verified' | 'no-entries';
  readonly entries: number;
  readonly problem: string | null;
}

export interface DealAttributionCard {
  readonly dealId: string;
  readonly dealName: string | null;
  readonly state: 'attributed' | 'empty';
  readonly attributions: readonly PartnerAttributionRow[];
  readonly registrations: readonly RegistrationRow[];
  readonly ledger: LedgerBadge;
}

/**
 * `relationshipTypeLabels` of functions/domain/relationship-type.ts, which this folder cannot
 * import (HubSpot builds it alone); test/unit/hubspot/relationship-labels.test.ts holds the two equal.
 */
const relationshipLabels: Record<RelationshipType, string> = {
  sourced: 'Partner-sourced',
  influenced: 'Partner-influenced',
  resell: 'Resell',
  referral: 'Referral',
};

const ruleLabels: Record<string, string> = {
  'no-conflict': 'No conflict',
  duplicate: 'Duplicate',
  'competing-partner': 'Competing partner',
  'direct-activity': 'Direct activity',
  'existing-customer': 'Existing customer',
};

const statusLabels: Record<string, string> = {
  'in-review': 'In review',
  'awaiting-information': 'Awaiting information',
  approved: 'Approved',
  declined: 'Declined',
  expired: 'Expired',
  merged: 'Merged',
};

const channelLabels: Record<string, string> = {
  auto: 'automatically',
  page: 'by an approver',
  'sla-default': 'by the SLA default',
};

export const relationshipLabel = (type: RelationshipType): string => relationshipLabels[type] ?? type;
export const ruleLabel = (ruleId: string | null): string =>
  ruleId === null ? '—' : (ruleLabels[ruleId] ?? ruleId);
export const statusLabel = (status: string): string => statusLabels[status] ?? status;
export const channelLabel = (channel: string | null): string =>
  channel === null ? '' : (channelLabels[channel] ?? channel);

/** The partner as the card names it: its company name, or its HubSpot company id. */
export const partnerLabel = (row: { partnerName: string | null; partnerId: string }): string =>
  row.partnerName ?? `Company ${row.partnerId}`;

/** A moment in the portal's time zone, such as `25 Nov 2026, 10:00`. */
export function moment(iso: string | null, timeZone: string): string {
  if (iso === null) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  try {
    return new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(
      date,
    );
  } catch {
    return new Intl.DateTimeFormat('en-GB', {
      dateStyle: 'medium',
      timeStyle: 'short',
      timeZone: 'UTC',
    }).format(date);
  }
}

/** The badge's words and colour. */
export function badge(ledger: LedgerBadge): {
  readonly text: string;
  readonly variant: 'success' | 'warning' | 'error' | 'default';
} {
  switch (ledger.status) {
    case 'verified':
      return { text: 'Ledger verified', variant: 'success' };
    case 'verified-without-digests':
      return { text: 'Ledger verified (no digest yet)', variant: 'warning' };
    case 'not-verified':
      return { text: 'Ledger not verified', variant: 'error' };
    case 'no-entries':
      return { text: 'No ledger entries', variant: 'default' };
  }
}
