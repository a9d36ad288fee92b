import { calendarDateOf } from '#domain/business-hours/calendar-date.ts';
import type { FiscalQuarter } from '#domain/ledger/fiscal-quarter.ts';
import { formatMoney, minorUnitDigits } from '#domain/money.ts';
import { claimedTimeFindings } from './claimed-time-findings.ts';
import { type CrmDeal, type CrmDealsRead, dealOwnerWords } from './crm-deal.ts';
import { dollars } from './funnel.ts';
import { type OpportunityFacts, type PartnerLink, wonUsdMinor } from './opportunity-facts.ts';
import { type AttributionDefinitions, classify, wonIn } from './quarter-figures.ts';
import type { QbrRegistration } from './registration-view.ts';
import {
  type CroViewStatus,
  type DifferenceDeal,
  type Finding,
  type QbrException,
  rankFindings,
} from './report.ts';
import type { SlaCase } from './sla.ts';
import type { SnapshotDifference } from './snapshot.ts';

/** A chain `ledger verify` found broken (its first bad entry). */
export interface BrokenChain {
  readonly opportunityId: string;
  readonly sequence: number;
  readonly problem: string;
  readonly detail: string;
}

/** A closed quarter whose recomputed figures differ from its frozen snapshot. */
export interface RetroactiveChange {
  readonly quarter: string;
  readonly frozenAt: string;
  /** True when the snapshot was frozen under another policy version (the definitions may have moved the figure, not the history). */
  readonly policyChanged?: boolean;
  readonly differences: readonly SnapshotDifference[];
}

interface FindingInputs {
  readonly quarter: FiscalQuarter;
  readonly asOf: string;
  readonly definitions: AttributionDefinitions;
  readonly croDealProperty: string;
  readonly facts: readonly OpportunityFacts[];
  readonly records: readonly QbrRegistration[];
  /** HubSpot's current deals; without them the drift checks are skipped. */
  readonly crm: CrmDealsRead | undefined;
  readonly broken: readonly BrokenChain[];
  readonly retroactive: readonly RetroactiveChange[];
  readonly differenceDeals: readonly DifferenceDeal[];
  /** Whether the CRO view could be computed (a DEFINITION_MISMATCH names the cause when not). */
  readonly croView?: CroViewStatus | undefined;
  readonly exceptions: readonly QbrException[];
  /** The approvals the SLA figures count; breached ones become SLA_BREACH findings. */
  readonly slaCases: readonly SlaCase[];
  /** An approved registration with no opportunity this many days after approval is an orphan. */
  readonly orphanAfterDays: number;
  /** Partners' names by HubSpot company id, to name them in findings' text; an unnamed one shows its id. */
  readonly partnerNames?: ReadonlyMap<string, string> | undefined;
}

/** How a finding's text names a partner: by name when the report knows it, else by its id. */
type PartnerNamer = (partnerId: string) => string;

/** Partners with their relationships, in words: `Northwind Cloud as sourced, Cloudwise as influenced`. */
function linksWords(links: readonly PartnerLink[], name: PartnerNamer): string {
  return links.length === 0
    ? 'none'
    : links.map((link) => `${name(link.partnerId)} as ${link.relationshipType}`).join(', ');
}

const dayMs = 86_400_000;
const iso = (value: string) => new Date(value).toISOString();

function linksText(links: readonly PartnerLink[]): string {
  return links.length === 0
    ? 'none'
    : links.map((link) => `${link.partnerId}:${link.relationshipType}`).join(', ');
}

function integrityFindings(broken: readonly BrokenChain[]): Finding[] {
  return broken.map((chain) => ({
    code: 'LEDGER_INTEGRITY',
    severity: 'critical',
    opportunityId: chain.opportunityId,
    detail: `The ledger chain of opportunity ${chain.opportunityId} is broken at entry #${chain.sequence} (${chain.problem}): ${chain.detail}. Its entries from #${chain.sequence} on count in no figure of this report.`,
    evidence: { sequence: chain.sequence, problem: chain.problem },
    fix: 'Run `dealreg ledger verify`, restore the table from point-in-time recovery to before the change, and leave this opportunity out of the deck until the chain verifies.',
  }));
}

/** A partner as HubSpot holds it on a deal; a null relationship is an unlabelled mirror. */
interface HubSpotPartner {
  readonly partnerId: string;
  readonly relationshipType: string | null;
  readonly label?: string | undefined;
}

/** The mirrored deal properties Dealreg writes beside the label (`partnerCompanyId:relationship`). */
const partnerProperty = 'dealreg_partner_relationship';

function propertyText(deal: CrmDeal): string {
  return deal.partnerCompanyId === null
    ? 'none'
    : `${deal.partnerCompanyId}:${deal.partnerRelationship ?? 'unlabelled'}`;
}

function heldWords(partners: readonly HubSpotPartner[], name: PartnerNamer): string {
  return partners.length === 0
    ? 'none'
    : partners
        .map(
          (held) =>
            `${name(held.partnerId)} as ${held.relationshipType ?? 'unlabelled'}${held.label === undefined ? '' : ` ("${held.label}")`}`,
        )
        .join(', ');
}

function heldText(partners: readonly HubSpotPartner[]): string {
  return partners.length === 0
    ? 'none'
    : partners
        .map(
          (held) =>
            `${held.partnerId}:${held.relationshipType ?? 'unlabelled'}${held.label === undefined ? '' : ` ("${held.label}")`}`,
        )
        .join(', ');
}

/**
 * The partner attribution HubSpot holds for the deal. The labelled partner ↔ deal association
 * is HubSpot's record of it (what users see and change on the deal); Dealreg's own deal
 * properties only copy it for searching, so they are read only when the associations were not,
 * and otherwise reported as stale where they differ from the label.
 */
function hubspotAttribution(deal: CrmDeal): {
  readonly source: string;
  readonly fromLabels: boolean;
  readonly partners: readonly HubSpotPartner[];
  readonly staleProperty?: string | undefined;
  /** The partner the stale property names, to word it in the text. */
  readonly stalePartner?: HubSpotPartner | undefined;
} {
  if (deal.partnerAssociations === undefined) {
    return {
      source: `deal property ${partnerProperty} (Dealreg's copy; associations not read)`,
      fromLabels: false,
      partners:
        deal.partnerCompanyId === null
          ? []
          : [{ partnerId: deal.partnerCompanyId, relationshipType: deal.partnerRelationship }],
    };
  }
  const partners = deal.partnerAssociations.map((association) => ({
    partnerId: association.companyId,
    relationshipType: association.relationship,
    label: association.label,
  }));
  const propertyAgrees =
    deal.partnerCompanyId === null
      ? partners.length === 0
      : partners.some(
          (held) =>
            held.partnerId === deal.partnerCompanyId &&
            (deal.partnerRelationship === null || held.relationshipType === deal.partnerRelationship),
        );
  return {
    source: 'partner association label',
    fromLabels: true,
    partners,
    staleProperty: propertyAgrees ? undefined : propertyText(deal),
    stalePartner:
      propertyAgrees || deal.partnerCompanyId === null
        ? undefined
        : { partnerId: deal.partnerCompanyId, relationshipType: deal.partnerRelationship },
  };
}

/**
 * The partner relationship of an opportunity as approved, as the ledger holds it now and as
 * HubSpot shows it: a relabel or removal in HubSpot after approval, or a HubSpot partner the
 * ledger does not have, is drift.
 */
function attributionDrift(
  facts: OpportunityFacts,
  deal: CrmDeal | undefined,
  name: PartnerNamer,
  owner: string,
): Finding | undefined {
  const approved = facts.registrations.filter(
    (registration) => registration.status === 'approved' && registration.relationshipType !== undefined,
  );
  const reasons: string[] = [];
  for (const registration of approved) {
    const current = facts.activePartners.filter((link) => link.partnerId === registration.partnerId);
    if (current.length === 0)
      reasons.push(
        `registration ${registration.registrationId} approved ${name(registration.partnerId)} as ${registration.relationshipType}, but the ledger shows that partner removed since`,
      );
    else if (!current.some((link) => link.relationshipType === registration.relationshipType))
      reasons.push(
        `registration ${registration.registrationId} approved ${name(registration.partnerId)} as ${registration.relationshipType}, but it is now labelled ${current.map((link) => link.relationshipType).join('+')}`,
      );
  }
  const hubspot = deal === undefined ? undefined : hubspotAttribution(deal);
  if (hubspot !== undefined) {
    const agrees = (link: PartnerLink, held: HubSpotPartner) =>
      link.partnerId === held.partnerId &&
      (held.relationshipType === null || link.relationshipType === held.relationshipType);
    const unknown = hubspot.partners.filter(
      (held) => !facts.activePartners.some((link) => agrees(link, held)),
    );
    if (unknown.length > 0)
      reasons.push(
        `HubSpot's ${hubspot.source} shows ${heldWords(unknown, name)}, the ledger ${linksWords(facts.activePartners, name)}`,
      );
    else if (hubspot.partners.length === 0 && facts.activePartners.length > 0 && approved.length > 0)
      reasons.push(
        `HubSpot shows no ${hubspot.source} on the deal, the ledger ${linksWords(facts.activePartners, name)}`,
      );
    else if (hubspot.fromLabels && approved.length > 0) {
      const absent = facts.activePartners.filter(
        (link) => !hubspot.partners.some((held) => agrees(link, held)),
      );
      if (absent.length > 0)
        reasons.push(
          `the ledger has ${linksWords(absent, name)}, which HubSpot's ${hubspot.source} does not show`,
        );
    }
    if (reasons.length > 0 && hubspot.stalePartner !== undefined)
      reasons.push(
        `Dealreg's deal property still says ${heldWords([hubspot.stalePartner], name)}, a copy the label change left behind`,
      );
  }
  if (reasons.length === 0) return undefined;
  const first = approved[0];
  return {
    code: 'ATTRIBUTION_DRIFT',
    severity: 'high',
    opportunityId: facts.opportunityId,
    registrationId: first?.registrationId,
    detail: `Partner attribution of ${facts.dealName ?? facts.opportunityId} drifted: ${reasons.join('; ')}.`,
    evidence: {
      approved:
        approved
          .map((registration) => `${registration.partnerId}:${registration.relationshipType}`)
          .join(', ') || 'none',
      ledgerNow: linksText(facts.activePartners),
      hubspotReadFrom: hubspot?.source ?? null,
      hubspotNow: hubspot === undefined ? null : heldText(hubspot.partners),
      dealPropertyNow: deal === undefined ? null : propertyText(deal),
    },
    fix: `Ask ${owner} who changed the partner association and why; restore the approved label in HubSpot, or record the change as a correction approved by the channel lead so both systems agree.`,
  };
}

const digitsByCurrency = new Map<string, number>();

/** Minor-unit digits of a currency, asked of Intl once per currency (a formatter per deal is slow). */
function currencyDigits(currency: string): number {
  let digits = digitsByCurrency.get(currency);
  if (digits === undefined) {
    digits = minorUnitDigits(currency);
    digitsByCurrency.set(currency, digits);
  }
  return digits;
}

function amountDrift(
  facts: OpportunityFacts,
  deal: CrmDeal,
  quarter: FiscalQuarter,
  owner: string,
): Finding | undefined {
  const ledger = facts.amount;
  if (ledger === undefined && deal.amount === null) return undefined;
  const currency = deal.currency ?? ledger?.currency ?? 'USD';
  let hubspotMinor: number | null = null;
  try {
    hubspotMinor = deal.amount === null ? null : Math.round(deal.amount * 10 ** currencyDigits(currency));
  } catch {
    hubspotMinor = null;
  }
  const same = ledger !== undefined && hubspotMinor === ledger.amountMinor && currency === ledger.currency;
  if (same) return undefined;
  const ledgerText =
    ledger === undefined
      ? 'no amount'
      : formatMoney({ minorUnits: ledger.amountMinor, currency: ledger.currency });
  const hubspotText =
    deal.amount === null
      ? 'no amount'
      : hubspotMinor === null
        ? `${deal.amount} ${currency}`
        : formatMoney({ minorUnits: hubspotMinor, currency });
  return {
    code: 'AMOUNT_DRIFT',
    severity: wonIn(facts, quarter) ? 'high' : 'medium',
    opportunityId: facts.opportunityId,
    detail: `The amount of ${facts.dealName ?? facts.opportunityId} differs: ledger ${ledgerText}, HubSpot ${hubspotText}.`,
    evidence: {
      ledgerAmountMinor: ledger?.amountMinor ?? null,
      ledgerCurrency: ledger?.currency ?? null,
      ledgerUsd: ledger === undefined ? null : dollars(ledger.usdMinor),
      hubspotAmount: deal.amount,
      hubspotCurrency: deal.currency,
    },
    fix: `Check the CRM-events webhook deliveries for this deal; if HubSpot is right, the next amount change reaches the ledger — otherwise ask ${owner} to correct the deal in HubSpot before the meeting.`,
  };
}

function stageDrift(
  facts: OpportunityFacts,
  deal: CrmDeal,
  quarter: FiscalQuarter,
  owner: string,
): Finding | undefined {
  const ledgerWon = facts.outcome === 'won';
  const outcomeDiffers = deal.closedWon !== null && deal.closedWon !== ledgerWon;
  const stageDiffers = facts.stage !== undefined && deal.stageId !== null && facts.stage !== deal.stageId;
  if (!outcomeDiffers && !stageDiffers) return undefined;
  return {
    code: 'STAGE_DRIFT',
    severity: outcomeDiffers && (ledgerWon ? wonIn(facts, quarter) : true) ? 'high' : 'medium',
    opportunityId: facts.opportunityId,
    detail: outcomeDiffers
      ? `${facts.dealName ?? facts.opportunityId} is ${ledgerWon ? 'closed-won' : facts.outcome} in the ledger but ${deal.closedWon ? 'closed-won' : 'not closed-won'} in HubSpot (stage ${deal.stageId ?? 'none'}).`
      : `${facts.dealName ?? facts.opportunityId} is in stage ${facts.stage} in the ledger but ${deal.stageId} in HubSpot.`,
    evidence: {
      ledgerStage: facts.stage ?? null,
      ledgerOutcome: facts.outcome,
      hubspotStage: deal.stageId,
      hubspotClosedWon: deal.closedWon,
    },
    fix: `Replay the missed stage change: check the CRM-events webhook subscription and its failed deliveries, then confirm the stage with ${owner}.`,
  };
}

/**
 * The label of the fiscal quarter holding calendar month `YYYY-MM`, counted from `quarter` (same
 * fiscal calendar: quarters are three months each, labelled by the fiscal year they end in).
 */
function quarterLabelOfMonth(quarter: FiscalQuarter, month: string): string {
  const index = (value: string) => Number(value.slice(0, 4)) * 12 + Number(value.slice(5, 7)) - 1;
  const first = quarter.months[0] ?? month;
  const offset = Math.floor((index(month) - index(first)) / 3);
  const match = /^(\d{4})-Q([1-4])$/.exec(quarter.label);
  if (match === null) return quarter.label;
  const at = Number(match[1]) * 4 + Number(match[2]) - 1 + offset;
  return `${Math.floor(at / 4)}-Q${(at % 4) + 1}`;
}

/**
 * CLOSE_DATE_MISMATCH: a won deal whose close date in HubSpot is in another quarter than the
 * moment it was won. The report counts revenue by the moment of the stage change to closed-won
 * (a close date can be edited afterwards, and counting by it would let revenue be back-dated into
 * a closed quarter), but HubSpot's deal reports group by close date, so the CRO's quarter and this
 * one disagree by the deal's amount until someone decides which date is right. Raised in both
 * quarters: the one that counts the revenue and the one the close date names.
 */
function closeDateMismatch(
  facts: OpportunityFacts,
  quarter: FiscalQuarter,
  owner: string,
): Finding | undefined {
  const { closedAt, closeDate } = facts;
  if (facts.outcome !== 'won' || closedAt === undefined || closeDate === undefined) return undefined;
  const countedHere = wonIn(facts, quarter);
  const datedHere = quarter.months.includes(closeDate.slice(0, 7));
  if (countedHere === datedHere) return undefined;
  const wonOn = calendarDateOf(closedAt, quarter.timeZone);
  // The close date HubSpot sets itself when a deal moves to closed-won is the moment of the move;
  // recorded as its UTC date, it can fall a day from the local one across a quarter's edge.
  if (closeDate === wonOn || closeDate === closedAt.slice(0, 10)) return undefined;
  const countedIn = countedHere ? quarter.label : quarterLabelOfMonth(quarter, wonOn.slice(0, 7));
  const datedIn = datedHere ? quarter.label : quarterLabelOfMonth(quarter, closeDate.slice(0, 7));
  const deal = facts.dealName ?? facts.opportunityId;
  const amount = formatMoney({ minorUnits: wonUsdMinor(facts), currency: 'USD' });
  const changed =
    facts.closeDateSetAt === undefined
      ? ''
      : ` (set on ${calendarDateOf(facts.closeDateSetAt, quarter.timeZone)})`;
  return {
    code: 'CLOSE_DATE_MISMATCH',
    severity: 'high',
    opportunityId: facts.opportunityId,
    detail: countedHere
      ? `${deal} was won on ${wonOn}, so its ${amount} counts in ${quarter.label} here, but its close date in HubSpot is ${closeDate}${changed}, in ${datedIn}: HubSpot's reports, which group deals by close date, count it in ${datedIn}, not ${quarter.label}.`
      : `${deal}'s close date in HubSpot is ${closeDate}${changed}, in ${quarter.label}, so HubSpot's reports count its ${amount} in ${quarter.label}; it was won on ${wonOn}, and this report counts it in ${countedIn}, not here.`,
    evidence: {
      wonAt: closedAt,
      wonOn,
      closeDate,
      closeDateSetAt: facts.closeDateSetAt ?? null,
      countedIn,
      closeDateQuarter: datedIn,
      wonUsd: dollars(wonUsdMinor(facts)),
    },
    fix: `Ask ${owner} which date is right. If the deal was won on ${wonOn}, set its close date back to ${wonOn} in HubSpot so HubSpot also counts it in ${countedIn}. If it really closed on ${closeDate}, the stage change to closed-won was recorded on the wrong day: have the channel lead approve a correction of its ClosedWon entry's effectiveAt (dealreg ledger correct --opportunity ${facts.opportunityId} …; an edited close date alone never moves revenue, so it cannot be back-dated) and present the move between ${countedIn} and ${datedIn} as a restatement.`,
  };
}

/**
 * DEAL_DELETED_IN_HUBSPOT: a deal won in the quarter that HubSpot no longer has (its batch read
 * finds nothing; HubSpot keeps a deleted deal restorable for 90 days — HubSpot "Restore deleted
 * records"). The ledger recorded the win, so the revenue still counts here, and the finding says
 * so with the amount: HubSpot's reports leave it out, so this report's closed-won (and partner
 * revenue, when partners were attached) is above HubSpot's by that much until it is restored or
 * corrected.
 */
function dealDeletedInHubSpot(
  facts: OpportunityFacts,
  quarter: FiscalQuarter,
  crm: CrmDealsRead | undefined,
  definitions: AttributionDefinitions,
): Finding | undefined {
  if (crm === undefined || !crm.missing.has(facts.opportunityId) || !wonIn(facts, quarter)) return undefined;
  const usdMinor = wonUsdMinor(facts);
  const amount = formatMoney({ minorUnits: usdMinor, currency: 'USD' });
  const attribution = classify(facts.partnersAtClose, definitions);
  const figures = [
    'closed-won',
    ...(attribution === 'sourced' ? ['partner-sourced revenue'] : []),
    ...(attribution === 'influenced' ? ['partner-influenced revenue'] : []),
  ];
  const deal = facts.dealName ?? facts.opportunityId;
  return {
    code: 'DEAL_DELETED_IN_HUBSPOT',
    severity: 'high',
    opportunityId: facts.opportunityId,
    detail: `${deal} (HubSpot deal ${facts.opportunityId}), won on ${calendarDateOf(facts.closedAt ?? '', quarter.timeZone)}, is no longer in HubSpot. Its ${amount} still counts in this report's ${figures.join(' and ')} for ${quarter.label}, as the ledger recorded the win; HubSpot's reports no longer include it, so this report is ${amount} above HubSpot's.`,
    evidence: {
      hubspotDealId: facts.opportunityId,
      inHubSpot: false,
      stillCounted: true,
      wonAt: facts.closedAt ?? null,
      wonUsd: dollars(usdMinor),
      attribution,
      partnersAtClose: linksText(facts.partnersAtClose),
    },
    fix: `Find out who deleted it and why before the meeting. If by mistake, restore the deal from HubSpot's deleted deals (possible for 90 days) so both systems count it. If the deal was not really won, record a correction approved by the channel lead so the ledger stops counting its ${amount}; until one of these is done, present ${quarter.label} with this deal named as the difference from HubSpot.`,
  };
}

function sourcedWithoutRegistration(
  facts: OpportunityFacts,
  deal: CrmDeal | undefined,
  definitions: AttributionDefinitions,
  quarter: FiscalQuarter,
  name: PartnerNamer,
): Finding | undefined {
  if (!wonIn(facts, quarter)) return undefined;
  const registered = new Set(facts.registrations.map((registration) => registration.partnerId));
  const unregistered = facts.partnersAtClose.filter(
    (link) => definitions.sourcedTypes.includes(link.relationshipType) && !registered.has(link.partnerId),
  );
  const hubspotSourced =
    deal !== undefined &&
    deal.partnerRelationship !== null &&
    definitions.sourcedTypes.includes(deal.partnerRelationship) &&
    deal.registrationId === null &&
    facts.registrations.length === 0;
  if (unregistered.length === 0 && !hubspotSourced) return undefined;
  const who =
    unregistered.length > 0
      ? linksWords(unregistered, name)
      : `${deal?.partnerCompanyId == null ? 'a partner' : name(deal.partnerCompanyId)} as ${deal?.partnerRelationship}`;
  return {
    code: 'SOURCED_WITHOUT_REGISTRATION',
    severity: 'high',
    opportunityId: facts.opportunityId,
    detail: `${facts.dealName ?? facts.opportunityId} counts as partner-sourced (${who}) but no approved registration backs it.`,
    evidence: {
      partnersAtClose: linksText(facts.partnersAtClose),
      registrations: facts.registrations.length,
      wonUsd: dollars(facts.amount?.usdMinor ?? 0),
      hubspotRegistrationId: deal?.registrationId ?? null,
    },
    fix: 'Have the partner submit the registration (it will be decided under the written rules) or relabel the relationship as influenced; until then leave the deal out of partner-sourced revenue.',
  };
}

function orphanRegistrations(inputs: FindingInputs): Finding[] {
  const { asOf, facts, records, orphanAfterDays, crm } = inputs;
  const cutoff = new Date(Date.parse(asOf) - orphanAfterDays * dayMs).toISOString();
  const findings: Finding[] = [];
  const seen = new Set<string>();
  const report = (registrationId: string, approvedAt: string, opportunityId: string | undefined) => {
    if (seen.has(registrationId)) return;
    seen.add(registrationId);
    const days = Math.floor((Date.parse(asOf) - Date.parse(approvedAt)) / dayMs);
    findings.push({
      code: 'ORPHAN_REGISTRATION',
      severity: 'medium',
      opportunityId,
      registrationId,
      detail: `Registration ${registrationId} was approved ${days} days ago and has no opportunity yet.`,
      evidence: {
        approvedAt,
        daysSinceApproval: days,
        dealInHubSpot:
          opportunityId === undefined || crm === undefined
            ? null
            : crm.deals.has(opportunityId)
              ? true
              : crm.missing.has(opportunityId)
                ? false
                : null,
      },
      fix: 'Ask the partner and the channel manager whether the deal is real; create the opportunity or let the registration expire so it stops holding the customer.',
    });
  };
  for (const item of facts) {
    if (item.campaignChain || item.created) continue;
    for (const registration of item.registrations) {
      if (registration.status !== 'approved' || registration.approvedAt === undefined) continue;
      if (registration.approvedAt <= cutoff)
        report(registration.registrationId, registration.approvedAt, item.opportunityId);
    }
  }
  // Built only when the registrations table has records (a ledger export alone has none).
  let byOpportunity: Map<string, OpportunityFacts> | undefined;
  let onCreatedChain: Set<string> | undefined;
  for (const record of records) {
    const progress = record.progress;
    if (progress?.status !== 'approved' || progress.approvedAt === undefined) continue;
    byOpportunity ??= new Map(facts.map((item) => [item.opportunityId, item]));
    onCreatedChain ??= new Set(
      facts.filter((item) => item.created).flatMap((item) => item.registrations.map((r) => r.registrationId)),
    );
    const approvedAt = iso(progress.approvedAt);
    if (approvedAt > asOf || approvedAt > cutoff) continue;
    const opportunity = progress.dealId === undefined ? undefined : byOpportunity.get(progress.dealId);
    if (opportunity?.created === true || onCreatedChain.has(record.registrationId)) continue;
    report(record.registrationId, approvedAt, progress.dealId);
  }
  return findings;
}

function expiredStillAttributed(
  facts: OpportunityFacts,
  deal: CrmDeal | undefined,
  name: PartnerNamer,
  quarter: FiscalQuarter,
): Finding[] {
  const findings: Finding[] = [];
  for (const registration of facts.registrations) {
    if (registration.status !== 'expired' || registration.expiredAt === undefined) continue;
    const expiredAt = registration.expiredAt;
    if (facts.outcome === 'won' && facts.closedAt !== undefined && facts.closedAt <= expiredAt) continue;
    const still = facts.activePartners.filter(
      (link) =>
        link.partnerId === registration.partnerId &&
        (link.registrationId === undefined || link.registrationId === registration.registrationId),
    );
    const inHubSpot =
      deal !== undefined &&
      hubspotAttribution(deal).partners.some((held) => held.partnerId === registration.partnerId);
    if (still.length === 0 && !inHubSpot) continue;
    findings.push({
      code: 'EXPIRED_STILL_ATTRIBUTED',
      severity: 'high',
      opportunityId: facts.opportunityId,
      registrationId: registration.registrationId,
      detail: `Registration ${registration.registrationId} expired on ${calendarDateOf(expiredAt, quarter.timeZone)}, but ${name(registration.partnerId)} is still attributed on ${facts.dealName ?? facts.opportunityId}${still.length === 0 ? ' in HubSpot' : ''}.`,
      evidence: {
        expiredAt,
        partnerId: registration.partnerId,
        ledgerNow: linksText(still),
        hubspotPartner: deal?.partnerCompanyId ?? null,
      },
      fix: 'Detach the partner (or approve an extension under the validity rule) so an expired registration earns no credit.',
    });
  }
  return findings;
}

/** One SLA_BREACH per breached approval of the SLA figures (the same cases the SLA table counts). */
function slaBreaches(cases: readonly SlaCase[]): Finding[] {
  const findings: Finding[] = [];
  for (const item of cases) {
    if (!item.breached) continue;
    const { record, deadline } = item;
    if (item.state === 'decided') {
      const decidedAt = item.decidedAt ?? '';
      findings.push({
        code: 'SLA_BREACH',
        severity: item.defaulted ? 'high' : 'medium',
        registrationId: record.registrationId,
        detail: item.defaulted
          ? `Nobody decided registration ${record.registrationId}; the policy default decided it at the final deadline after ${item.escalations} escalation(s).`
          : `Registration ${record.registrationId} was decided after its SLA deadline (${deadline} → ${decidedAt}).`,
        evidence: {
          requestedAt: item.requestedAt,
          deadline,
          decidedAt,
          reminders: item.reminders,
          escalations: item.escalations,
          defaulted: item.defaulted,
          decidedBy: record.progress?.decision?.decidedBy.email ?? null,
        },
        fix: 'Review the approver routing and coverage for this region and amount; agree the SLA with sales leadership again if deadlines are routinely missed.',
      });
    } else {
      findings.push({
        code: 'SLA_BREACH',
        severity: 'high',
        registrationId: record.registrationId,
        detail: `Registration ${record.registrationId} is still waiting for a decision past its SLA deadline ${deadline}.`,
        evidence: {
          requestedAt: item.requestedAt,
          deadline,
          reminders: item.reminders,
          escalations: item.escalations,
          status: record.progress?.decision === undefined ? (record.progress?.status ?? null) : 'in-review',
        },
        fix: 'Decide it now: the partner is waiting and the policy default will apply at the final deadline.',
      });
    }
  }
  return findings;
}

function exceptionFindings(exceptions: readonly QbrException[]): Finding[] {
  return exceptions.map((exception) => ({
    code: 'POLICY_EXCEPTION',
    severity: 'medium',
    registrationId: exception.registrationId,
    detail: `Registration ${exception.registrationId} was ${exception.decision} by ${exception.decidedBy}, departing from the ${exception.verdictRuleId} rule: ${exception.reason}`,
    evidence: {
      decidedBy: exception.decidedBy,
      decidedAt: exception.decidedAt,
      verdictRuleId: exception.verdictRuleId,
      decision: exception.decision,
    },
    fix: 'Be ready to explain this exception; if the rule keeps being overridden, change the rule in the policy rather than deciding case by case.',
  }));
}

/** The CRO view could not be computed: one finding naming the cause, instead of a figure of 0. */
function croViewFinding(croView: CroViewStatus | undefined, crm: CrmDealsRead | undefined): Finding[] {
  if (croView === undefined || croView.available || crm === undefined) return [];
  const property = croView.dealProperty;
  const missing = crm.croPropertyDefined === false;
  return [
    {
      code: 'DEFINITION_MISMATCH',
      severity: 'high',
      detail: `The CRO's partner revenue is not available: ${croView.unavailableReason}.`,
      evidence: {
        croProperty: property,
        cause: missing ? 'property missing in HubSpot' : 'property empty on every won deal',
        propertyInPortal: crm.croPropertyDefined ?? null,
        wonDealsInHubSpot: croView.wonDeals,
        wonDealsWithPropertyEmpty: croView.emptyOnWonDeals,
      },
      fix: missing
        ? `Ask the CRO's team which deal property their dashboards group partner revenue by and name it in the policy (definitions.croView.dealProperty), or create "${property}" in HubSpot and fill it on the quarter's deals.`
        : `Fill "${property}" on the quarter's won deals (or name the property the CRO's dashboards really use in definitions.croView.dealProperty) so the two views can be compared.`,
    },
  ];
}

function definitionFindings(deals: readonly DifferenceDeal[], property: string): Finding[] {
  return deals.map((deal) => ({
    code: 'DEFINITION_MISMATCH',
    severity: 'high',
    opportunityId: deal.opportunityId,
    detail: `${deal.dealName} (${formatMoney({ minorUnits: Math.round(deal.amount * 100), currency: 'USD' })}): ${deal.explanation}`,
    evidence: {
      amount: deal.amount,
      ledgerRelationship: deal.ledgerRelationship,
      croCountsAsPartner: deal.croCountsAsPartner,
      croProperty: property,
    },
    fix: `Agree with the CRO's team which definition applies, then set ${property} in HubSpot or relabel the partner relationship so both views count this deal the same way.`,
  }));
}

function retroactiveFindings(changes: readonly RetroactiveChange[], timeZone: string): Finding[] {
  return changes.flatMap((change) =>
    change.differences.map((difference) => ({
      code: 'RETROACTIVE_CHANGE' as const,
      severity: 'critical' as const,
      opportunityId: difference.opportunityId,
      detail: `Closed quarter ${change.quarter} changed since it was frozen on ${calendarDateOf(change.frozenAt, timeZone)}: ${difference.figure}${difference.opportunityId === undefined ? '' : ` of ${difference.opportunityId}`} was ${difference.frozen ?? 'absent'}, is now ${difference.now ?? 'absent'}.`,
      evidence: {
        quarter: change.quarter,
        frozenAt: change.frozenAt,
        figure: difference.figure,
        frozen: difference.frozen,
        now: difference.now,
        policyChanged: change.policyChanged ?? false,
      },
      fix: change.policyChanged
        ? `The policy changed since ${change.quarter} was frozen: check whether the new definitions or a back-dated entry moved it (dealreg ledger show --opportunity …); present ${change.quarter} as reported then, and explain the restatement separately.`
        : `Find the back-dated entry or correction behind it (dealreg ledger show --opportunity …); present ${change.quarter} as reported then, and explain the restatement separately.`,
    })),
  );
}

/** Every finding of DESIGN §3.6, ranked critical first. */
export function reconcile(inputs: FindingInputs): Finding[] {
  const findings: Finding[] = [...integrityFindings(inputs.broken)];
  const name: PartnerNamer = (partnerId) => inputs.partnerNames?.get(partnerId) ?? partnerId;
  const brokenChains = new Set(inputs.broken.map((chain) => chain.opportunityId));
  for (const item of inputs.facts) {
    if (item.campaignChain) continue;
    const deal = inputs.crm?.deals.get(item.opportunityId);
    const owner = dealOwnerWords(deal, inputs.crm);
    const drift = attributionDrift(item, deal, name, owner);
    if (drift !== undefined) findings.push(drift);
    // A broken chain is projected only up to its first bad entry: comparing that with HubSpot
    // would report the break again as a missed change; LEDGER_INTEGRITY says what to do.
    if (deal !== undefined && !brokenChains.has(item.opportunityId)) {
      const amount = amountDrift(item, deal, inputs.quarter, owner);
      if (amount !== undefined) findings.push(amount);
      const stage = stageDrift(item, deal, inputs.quarter, owner);
      if (stage !== undefined) findings.push(stage);
    }
    const sourced = sourcedWithoutRegistration(item, deal, inputs.definitions, inputs.quarter, name);
    if (sourced !== undefined) findings.push(sourced);
    const closeDate = closeDateMismatch(item, inputs.quarter, owner);
    if (closeDate !== undefined) findings.push(closeDate);
    const deleted = dealDeletedInHubSpot(item, inputs.quarter, inputs.crm, inputs.definitions);
    if (deleted !== undefined) findings.push(deleted);
    findings.push(...expiredStillAttributed(item, deal, name, inputs.quarter));
  }
  findings.push(
    ...orphanRegistrations(inputs),
    ...slaBreaches(inputs.slaCases),
    ...exceptionFindings(inputs.exceptions),
    ...claimedTimeFindings(inputs.records, inputs.quarter, inputs.asOf),
    ...definitionFindings(inputs.differenceDeals, inputs.croDealProperty),
    ...croViewFinding(inputs.croView, inputs.crm),
    ...retroactiveFindings(inputs.retroactive, inputs.quarter.timeZone),
  );
  return rankFindings(findings);
}
