import { extensionRequestLink } from '#domain/extension-requests/extension-link.ts';
import { freezeAmount, freezeMoney, type Money, usdRateOf } from '#domain/ledger/money.ts';
import { minorUnitDigits } from '#domain/money.ts';
import { extendedValidityWindow, validityWindow } from '#domain/policy/registration-validity.ts';
import type { RegistrationDecision, RegistrationProgress } from '#domain/registration-progress.ts';
import { renderExpiryWarningEmail } from '#emails/expiry-warning.ts';
import { renderRegistrationDecisionEmail } from '#emails/registration-decision.ts';
import type { Deal } from '#ports/hubspot.ts';
import { appendEntry } from '#use-cases/ledger-append.ts';
import {
  loadRegistration,
  type RegistrationWorkflowDependencies,
  requireProgress,
  secondsUntil,
  type ValidRegistration,
} from './dependencies.ts';
import { registrationSummary } from './registration-summary.ts';

/** Who automatic decisions are recorded as. */
export const automaticDecider = { email: 'policy@dealreg.invalid', name: 'Dealreg policy (automatic)' };

/** The validity timers the workflow waits on after an approval or extension. */
export interface ValidityTimers {
  readonly warnAt: string;
  readonly expiresAt: string;
  /** From the warning until expiry: how long the partner may ask for the extension. */
  readonly secondsFromWarningToExpiry: number;
}

function timers(window: { warnAt: Date; expiresAt: Date }): ValidityTimers {
  return {
    warnAt: window.warnAt.toISOString(),
    expiresAt: window.expiresAt.toISOString(),
    secondsFromWarningToExpiry: secondsUntil(window.expiresAt, window.warnAt),
  };
}

/** "Approve automatically": a clear verdict under the auto-approve limit. */
export async function approveAutomatically(
  deps: RegistrationWorkflowDependencies,
  registrationId: string,
  reason: string,
): Promise<void> {
  const registration = await loadRegistration(deps, registrationId);
  const progress = requireProgress(registration);
  const verdict = progress.verdict;
  if (verdict?.relationshipType == null)
    throw new Error(`registration ${registrationId} has no verdict to approve by`);
  const now = deps.now().toISOString();
  await deps.book.saveProgress(registrationId, {
    ...progress,
    status: 'approved',
    decision: {
      outcome: 'approve',
      relationshipType: verdict.relationshipType,
      reason,
      decidedBy: automaticDecider,
      decidedAt: now,
      channel: 'auto',
      policyVersion: verdict.policyVersion,
      exception: false,
    },
    approvedAt: now,
    updatedAt: now,
  });
}

/** "Reject automatically": the verdict rejects (a duplicate), or the partner is unknown. */
export async function rejectAutomatically(
  deps: RegistrationWorkflowDependencies,
  registrationId: string,
  reason: string,
): Promise<void> {
  const registration = await loadRegistration(deps, registrationId);
  const now = deps.now().toISOString();
  const progress: RegistrationProgress = registration.progress ?? { status: 'declined', updatedAt: now };
  await deps.book.saveProgress(registrationId, {
    ...progress,
    status: 'declined',
    decision: {
      outcome: 'reject',
      reason,
      decidedBy: automaticDecider,
      decidedAt: now,
      channel: 'auto',
      policyVersion: progress.verdict?.policyVersion ?? deps.policy.policyVersion,
      exception: false,
    },
    updatedAt: now,
  });
}

function approvedDecision(registration: ValidRegistration): {
  progress: RegistrationProgress;
  decision: RegistrationDecision & {
    relationshipType: NonNullable<RegistrationDecision['relationshipType']>;
  };
  partnerId: string;
} {
  const progress = requireProgress(registration);
  const { decision, partnerId } = progress;
  if (decision?.outcome !== 'approve' || decision.relationshipType === undefined || partnerId === undefined) {
    throw new Error(`registration ${registration.record.registrationId} is not approved for a known partner`);
  }
  return { progress, decision: { ...decision, relationshipType: decision.relationshipType }, partnerId };
}

/** A CRM deal's amount frozen at the configured USD rate, when it has one and the rate is known. */
function dealAmount(deps: RegistrationWorkflowDependencies, deal: Deal): Money | undefined {
  if (deal.amount === null) return undefined;
  const frozen = freezeAmount(String(deal.amount), deal.currency ?? 'USD', deps.usdRates);
  if ('money' in frozen) return frozen.money;
  deps.logger.warn('linked deal amount not recorded', { dealId: deal.id, problem: frozen.problem });
  return undefined;
}

/**
 * "Register deal in HubSpot": the Deal Registration record, the deal (an open deal the verdict
 * found for the customer is linked, else one is created), the partner ↔ deal association with
 * the relationship as its label, and the ledger entries of the approval on the deal's chain.
 * Every write is keyed by the registration, so a retried step writes nothing twice.
 */
export async function registerInHubSpot(
  deps: RegistrationWorkflowDependencies,
  registrationId: string,
): Promise<{ dealId: string; validity: ValidityTimers }> {
  const registration = await loadRegistration(deps, registrationId);
  const { progress, decision, partnerId } = approvedDecision(registration);
  const { details } = registration;
  const approvedAt = new Date(progress.approvedAt ?? decision.decidedAt);
  const window = validityWindow(deps.policy.policy, approvedAt);
  const amount = details.estimatedAmount;
  const majorAmount = amount.minorUnits / 10 ** minorUnitDigits(amount.currency);
  const linkedDeal = progress.verdict?.evidence.find((item) => item.kind === 'open-deal');
  // The deal belongs to the customer company (created when HubSpot has none), so the CRM's later
  // changes to the deal are attributed to this customer in the ledger.
  const customerCompany = await deps.crm.findOrCreateCustomerCompany({
    domain: details.customerDomain,
    name: details.customerCompanyName,
    ...(details.customerCountry === undefined ? {} : { country: details.customerCountry }),
  });
  const deal = await deps.crm.createOrLinkDeal(
    {
      registrationId,
      name: `${details.customerCompanyName} — ${progress.partnerName ?? details.partnerDomain}`,
      amount: majorAmount,
      currency: amount.currency,
      closeDate: details.expectedCloseDate,
      customerCompanyId: customerCompany.companyId,
    },
    linkedDeal !== undefined && 'dealId' in linkedDeal ? linkedDeal.dealId : undefined,
  );
  await deps.crm.associatePartner(partnerId, deal.dealId, decision.relationshipType);
  const record = await deps.crm.upsertRegistrationRecord({
    registrationId,
    name: `${details.customerCompanyName} (${progress.partnerName ?? details.partnerDomain})`,
    status: 'approved',
    relationship: decision.relationshipType,
    partnerDomain: details.partnerDomain,
    customerDomain: details.customerDomain,
    customerCompanyName: details.customerCompanyName,
    estimatedAmount: majorAmount,
    currency: amount.currency,
    expectedCloseDate: details.expectedCloseDate,
    ...(details.campaignId ? { campaignId: details.campaignId } : {}),
    cloudMarketplace: details.cloudMarketplace,
    policyVersion: decision.policyVersion,
    expiresOn: window.expiresAt.toISOString().slice(0, 10),
    partnerCompanyId: partnerId,
    customerCompanyId: customerCompany.companyId,
    dealId: deal.dealId,
  });

  const customer = { domain: details.customerDomain, name: details.customerCompanyName };
  const rate = usdRateOf(amount.currency, deps.usdRates);
  const estimatedAmount =
    rate === undefined ? undefined : freezeMoney(amount.minorUnits, amount.currency, rate);
  const ledger = { store: deps.ledger, now: deps.now };
  const common = {
    opportunityId: deal.dealId,
    effectiveAt: approvedAt.toISOString(),
    recordedBy: 'registration-workflow',
  };
  if (deal.created) {
    await appendEntry(ledger, {
      type: 'OpportunityCreated',
      ...common,
      sourceEventId: `registration:${registrationId}:opportunity-created`,
      customer,
      dealName: `${details.customerCompanyName} — ${progress.partnerName ?? details.partnerDomain}`,
      ...(estimatedAmount ? { amount: estimatedAmount } : {}),
      closeDate: details.expectedCloseDate,
    });
  } else if ((await deps.ledger.readHead(deal.dealId)) === undefined) {
    // A deal HubSpot had before the ledger saw it: its chain opens with the deal as HubSpot has
    // it now, so the opportunity's amount, stage and close date are on record from the approval.
    const [current] = (await deps.crm.batchReadDeals([deal.dealId])).deals;
    const linkedAmount = current === undefined ? undefined : dealAmount(deps, current);
    await appendEntry(ledger, {
      type: 'OpportunityCreated',
      ...common,
      sourceEventId: `registration:${registrationId}:opportunity-linked`,
      customer,
      ...(current?.name ? { dealName: current.name } : {}),
      ...(current?.stageId ? { stage: current.stageId } : {}),
      ...(linkedAmount === undefined ? {} : { amount: linkedAmount }),
      ...(current?.closeDate ? { closeDate: current.closeDate.slice(0, 10) } : {}),
    });
  }
  await appendEntry(ledger, {
    type: 'RegistrationApproved',
    ...common,
    sourceEventId: `registration:${registrationId}:approved`,
    registrationId,
    partnerId,
    customer,
    relationshipType: decision.relationshipType,
    ...(details.campaignId ? { campaignId: details.campaignId } : {}),
    cloudMarketplace: details.cloudMarketplace,
    ...(estimatedAmount ? { estimatedAmount } : {}),
    decidedBy: decision.decidedBy.email,
    policyVersion: decision.policyVersion,
  });
  await appendEntry(ledger, {
    type: 'PartnerAttached',
    ...common,
    sourceEventId: `registration:${registrationId}:partner-attached`,
    partnerId,
    customer,
    relationshipType: decision.relationshipType,
    registrationId,
    ...(details.campaignId ? { campaignId: details.campaignId } : {}),
  });
  await deps.book.saveProgress(registrationId, {
    ...progress,
    dealId: deal.dealId,
    hubspotRecordId: record.recordId,
    approvedAt: approvedAt.toISOString(),
    expiresAt: window.expiresAt.toISOString(),
    updatedAt: deps.now().toISOString(),
  });
  deps.logger.info('registration registered in HubSpot', {
    registrationId,
    dealId: deal.dealId,
    created: deal.created,
  });
  return { dealId: deal.dealId, validity: timers(window) };
}

function decidedThrough(decision: RegistrationDecision) {
  return decision.channel === 'page' ? 'approver' : decision.channel;
}

/** "Tell partner it is approved": the decision email, with the relationship and the validity. */
export async function notifyApproved(
  deps: RegistrationWorkflowDependencies,
  registrationId: string,
): Promise<void> {
  const registration = await loadRegistration(deps, registrationId);
  const { progress, decision } = approvedDecision(registration);
  const { policy, policyVersion } = deps.policy;
  const terms = policy.relationshipTypes[decision.relationshipType];
  const verdictRelationship = progress.verdict?.relationshipType;
  const email = renderRegistrationDecisionEmail({
    to: registration.details.submitterEmail,
    registration: registrationSummary(registration, progress),
    decision: {
      outcome: 'approved',
      decidedThrough: decidedThrough(decision),
      ...(decision.channel === 'page' ? { decidedBy: decision.decidedBy.name } : {}),
      decidedAt: decision.decidedAt,
      relationshipType: decision.relationshipType,
      relationshipLabel: terms.label,
      ...(verdictRelationship &&
      verdictRelationship !== decision.relationshipType &&
      decision.channel === 'page'
        ? {
            override: {
              policyRelationshipLabel: policy.relationshipTypes[verdictRelationship].label,
              reason: decision.reason,
            },
          }
        : {}),
      validUntil: progress.expiresAt ?? decision.decidedAt,
    },
    timeZone: policy.calendar.timeZone,
    policyVersion,
    ...(deps.supportEmail ? { supportEmail: deps.supportEmail } : {}),
  });
  await deps.mailer.send(email);
}

/** "Tell partner it is declined": the decision email with the reason. */
export async function notifyDeclined(
  deps: RegistrationWorkflowDependencies,
  registrationId: string,
): Promise<void> {
  const registration = await loadRegistration(deps, registrationId);
  const decision = registration.progress?.decision;
  if (decision?.outcome !== 'reject') throw new Error(`registration ${registrationId} is not declined`);
  const email = renderRegistrationDecisionEmail({
    to: registration.details.submitterEmail,
    registration: registrationSummary(registration, registration.progress),
    decision: {
      outcome: 'rejected',
      decidedThrough: decidedThrough(decision),
      ...(decision.channel === 'page' ? { decidedBy: decision.decidedBy.name } : {}),
      decidedAt: decision.decidedAt,
      reason: decision.reason,
    },
    timeZone: deps.policy.policy.calendar.timeZone,
    policyVersion: deps.policy.policyVersion,
    ...(deps.supportEmail ? { supportEmail: deps.supportEmail } : {}),
  });
  await deps.mailer.send(email);
}

/**
 * "Warn partner of expiry" (a callback task, until the expiry): the warning email, with the
 * link to request the extension while the policy still allows one. The wait's token is kept on
 * the registration; the extension page resumes the workflow with the request.
 */
export async function warnOfExpiry(
  deps: RegistrationWorkflowDependencies,
  registrationId: string,
  taskToken: string,
): Promise<void> {
  const registration = await loadRegistration(deps, registrationId);
  const { progress, decision } = approvedDecision(registration);
  const { policy, policyVersion } = deps.policy;
  if (progress.expiresAt === undefined) throw new Error(`registration ${registrationId} has no expiry`);
  const expiresAt = new Date(progress.expiresAt);
  const available = (progress.extensions ?? 0) < policy.validity.maxExtensions;
  const partnerEmail = registration.details.submitterEmail;
  if (available) {
    await deps.book.saveProgress(registrationId, progress, {
      sideEffects: {
        set: {
          extensionCallbackToken: taskToken,
          extensionOffer: {
            offeredAt: deps.now().toISOString(),
            expiresAt: progress.expiresAt,
            partnerEmail,
          },
        },
        remove: ['extensionRequest'],
      },
    });
  }
  const email = renderExpiryWarningEmail({
    to: partnerEmail,
    registration: registrationSummary(registration, progress),
    relationshipLabel: policy.relationshipTypes[decision.relationshipType].label,
    expiresAt,
    extension: available
      ? {
          available: true,
          days: policy.validity.extensionDays,
          requestUrl: await extensionRequestLink(
            await deps.signingKey(),
            deps.apiBaseUrl,
            { registrationId, partnerEmail },
            expiresAt,
          ),
        }
      : { available: false },
    timeZone: policy.calendar.timeZone,
    policyVersion,
  });
  await deps.mailer.send(email);
}

/** "Extend validity": the approved extension moves the expiry, in Dealreg and in HubSpot, and the partner is told. */
export async function extendValidity(
  deps: RegistrationWorkflowDependencies,
  registrationId: string,
): Promise<ValidityTimers> {
  const registration = await loadRegistration(deps, registrationId);
  const { progress, decision } = approvedDecision(registration);
  if (progress.expiresAt === undefined) throw new Error(`registration ${registrationId} has no expiry`);
  const extensions = progress.extensions ?? 0;
  const window = extendedValidityWindow(deps.policy.policy, new Date(progress.expiresAt), extensions);
  await deps.book.saveProgress(
    registrationId,
    {
      ...progress,
      expiresAt: window.expiresAt.toISOString(),
      extensions: extensions + 1,
      updatedAt: deps.now().toISOString(),
    },
    { sideEffects: { remove: ['extensionCallbackToken', 'extensionOffer'] } },
  );
  await deps.crm.upsertRegistrationRecord({
    registrationId,
    name: `${registration.details.customerCompanyName} (${progress.partnerName ?? registration.details.partnerDomain})`,
    status: 'approved',
    relationship: decision.relationshipType,
    expiresOn: window.expiresAt.toISOString().slice(0, 10),
  });
  const extended = await loadRegistration(deps, registrationId);
  await notifyApproved(deps, extended.record.registrationId);
  return timers(window);
}

/** "Tell partner the extension is refused": the registration stays valid until its expiry. */
export async function notifyExtensionRefused(
  deps: RegistrationWorkflowDependencies,
  registrationId: string,
  refusal: { decidedBy: { name: string }; decidedAt: string; reason: string },
): Promise<void> {
  const registration = await loadRegistration(deps, registrationId);
  const progress = requireProgress(registration);
  await deps.book.saveProgress(registrationId, progress, {
    sideEffects: { remove: ['extensionCallbackToken', 'extensionOffer'] },
  });
  const email = renderRegistrationDecisionEmail({
    to: registration.details.submitterEmail,
    registration: registrationSummary(registration, progress),
    decision: {
      outcome: 'rejected',
      decidedThrough: 'approver',
      decidedBy: refusal.decidedBy.name,
      decidedAt: refusal.decidedAt,
      reason: `Your request to extend the registration was declined: ${refusal.reason} The registration stays valid until ${progress.expiresAt?.slice(0, 10) ?? 'its expiry'}.`,
    },
    timeZone: deps.policy.policy.calendar.timeZone,
    policyVersion: deps.policy.policyVersion,
    ...(deps.supportEmail ? { supportEmail: deps.supportEmail } : {}),
  });
  await deps.mailer.send(email);
}

/**
 * "Expire registration": the validity window ended. Expiry is a ledger entry and a status, not a
 * deletion; the HubSpot record says expired.
 */
export async function expireRegistration(
  deps: RegistrationWorkflowDependencies,
  registrationId: string,
): Promise<void> {
  const registration = await loadRegistration(deps, registrationId);
  const { progress, decision, partnerId } = approvedDecision(registration);
  const now = deps.now().toISOString();
  if (progress.dealId !== undefined) {
    await appendEntry(
      { store: deps.ledger, now: deps.now },
      {
        type: 'RegistrationExpired',
        opportunityId: progress.dealId,
        effectiveAt: progress.expiresAt ?? now,
        recordedBy: 'registration-workflow',
        sourceEventId: `registration:${registrationId}:expired:${progress.extensions ?? 0}`,
        registrationId,
        partnerId,
      },
    );
  }
  await deps.crm.upsertRegistrationRecord({
    registrationId,
    name: `${registration.details.customerCompanyName} (${progress.partnerName ?? registration.details.partnerDomain})`,
    status: 'expired',
    relationship: decision.relationshipType,
  });
  await deps.book.saveProgress(
    registrationId,
    { ...progress, status: 'expired', expiredAt: now, updatedAt: now },
    { sideEffects: { remove: ['extensionCallbackToken', 'extensionOffer'] } },
  );
}
