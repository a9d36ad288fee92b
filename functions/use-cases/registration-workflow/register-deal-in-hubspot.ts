import { coSellDecision } from '#domain/co-sell/co-sell-selection.ts';
import { type FrozenMoney, freezeAmount, freezeMoney, minorUnitDigits, usdRateOf } from '#domain/money.ts';
import { expiryDate, validityWindow } from '#domain/policy/registration-validity.ts';
import type { Deal } from '#ports/hubspot.ts';
import { appendEntry, readChain } from '#use-cases/ledger-append.ts';
import {
  type ApprovedRegistration,
  loadApprovedRegistration,
  registrationRecordName,
} from './approved-registration.ts';
import type { RegistrationWorkflowDependencies } from './dependencies.ts';
import { type ValidityTimers, validityTimers } from './validity-timers.ts';

/** A CRM deal's amount frozen at the configured USD rate, when it has one and the rate is known. */
function dealAmount(deps: RegistrationWorkflowDependencies, deal: Deal): FrozenMoney | undefined {
  if (deal.amount === null) return undefined;
  const frozen = freezeAmount(String(deal.amount), deal.currency ?? 'USD', deps.usdRates);
  if ('money' in frozen) return frozen.money;
  deps.logger.warn('linked deal amount not recorded', { dealId: deal.id, problem: frozen.problem });
  return undefined;
}

/** The name of the deal Dealreg creates for an approved registration. */
function dealNameOf({ details, progress }: ApprovedRegistration): string {
  return `${details.customerCompanyName} — ${progress.partnerName ?? details.partnerDomain}`;
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
  const registration = await loadApprovedRegistration(deps, registrationId);
  const { details, progress, decision, partnerId } = registration;
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
    country: details.customerCountry,
  });
  const deal = await deps.crm.createOrLinkDeal(
    {
      registrationId,
      name: dealNameOf(registration),
      amount: majorAmount,
      currency: amount.currency,
      closeDate: details.expectedCloseDate,
      // HubSpot puts a deal without them in the default pipeline, in no stage the policy chose
      // ("CRM API | Deals": include dealstage, and pipeline where there are several).
      pipelineId: deps.policy.policy.newDeals.pipeline,
      stageId: deps.policy.policy.newDeals.stage,
      customerCompanyId: customerCompany.companyId,
    },
    linkedDeal !== undefined && 'dealId' in linkedDeal ? linkedDeal.dealId : undefined,
  );
  await deps.crm.associatePartner(partnerId, deal.dealId, decision.relationshipType);
  const record = await deps.crm.upsertRegistrationRecord({
    registrationId,
    name: registrationRecordName(registration),
    status: 'approved',
    relationship: decision.relationshipType,
    partnerDomain: details.partnerDomain,
    customerDomain: details.customerDomain,
    customerCompanyName: details.customerCompanyName,
    estimatedAmount: majorAmount,
    currency: amount.currency,
    expectedCloseDate: details.expectedCloseDate,
    campaignId: details.campaignId || undefined,
    cloudMarketplace: details.cloudMarketplace,
    policyVersion: decision.policyVersion,
    expiresOn: expiryDate(deps.policy.policy, window.expiresAt),
    partnerCompanyId: partnerId,
    customerCompanyId: customerCompany.companyId,
    dealId: deal.dealId,
  });
  await appendApprovalEntries(deps, registration, deal, approvedAt);
  await deps.book.saveProgress(registrationId, {
    ...progress,
    dealId: deal.dealId,
    customerCompanyId: customerCompany.companyId,
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
  return { dealId: deal.dealId, validity: validityTimers(window) };
}

/**
 * The approval on the deal's ledger chain: the opportunity (created, or a deal HubSpot had
 * before the ledger saw it), the approval and the partner attached. Each entry is keyed by the
 * registration, so appending again writes nothing twice.
 */
async function appendApprovalEntries(
  deps: RegistrationWorkflowDependencies,
  registration: ApprovedRegistration,
  deal: { dealId: string; created: boolean },
  approvedAt: Date,
): Promise<void> {
  const { details, decision, partnerId } = registration;
  const registrationId = registration.record.registrationId;
  const amount = details.estimatedAmount;
  const customer = { domain: details.customerDomain, name: details.customerCompanyName };
  const rate = usdRateOf(amount.currency, deps.usdRates);
  const estimatedAmount =
    rate === undefined ? undefined : freezeMoney(amount.minorUnits, amount.currency, rate);
  const ledger = { store: deps.ledger, ledgerKey: deps.ledgerKey, now: deps.now };
  const coSellPolicy = deps.policy.policy.coSell;
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
      dealName: dealNameOf(registration),
      amount: estimatedAmount,
      closeDate: details.expectedCloseDate,
    });
  } else if (
    !(await readChain(deps.ledger, deal.dealId)).some((entry) => entry.type === 'OpportunityCreated')
  ) {
    // A deal HubSpot had before the ledger recorded its creation: the deal as HubSpot has it now
    // goes on record, so the opportunity's name, amount, stage and close date are known from the
    // approval. Its chain may already hold what HubSpot's webhooks brought (the CRM events
    // function records the partner association this step makes, or a rep's earlier change, as
    // soon as HubSpot sends it), so an opened chain is no sign the deal itself is recorded.
    const [current] = (await deps.crm.batchReadDeals([deal.dealId])).deals;
    const linkedAmount = current === undefined ? undefined : dealAmount(deps, current);
    await appendEntry(ledger, {
      type: 'OpportunityCreated',
      ...common,
      sourceEventId: `registration:${registrationId}:opportunity-linked`,
      customer,
      dealName: current?.name || undefined,
      stage: current?.stageId || undefined,
      amount: linkedAmount,
      closeDate: current?.closeDate ? current.closeDate.slice(0, 10) : undefined,
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
    campaignId: details.campaignId || undefined,
    cloudMarketplace: details.cloudMarketplace,
    estimatedAmount,
    decidedBy: decision.decidedBy.email,
    policyVersion: decision.policyVersion,
    // The co-sell decision under the policy in force now, so the pre-QBR report judges the
    // approval by it even after the policy changes ("Share with AWS co-sell" carries it out).
    ...(coSellPolicy.enabled
      ? {
          coSell: coSellDecision(
            coSellPolicy,
            { details, relationshipType: decision.relationshipType },
            deps.usdRates,
          ),
        }
      : {}),
  });
  await appendEntry(ledger, {
    type: 'PartnerAttached',
    ...common,
    sourceEventId: `registration:${registrationId}:partner-attached`,
    partnerId,
    customer,
    relationshipType: decision.relationshipType,
    registrationId,
    campaignId: details.campaignId || undefined,
  });
}
