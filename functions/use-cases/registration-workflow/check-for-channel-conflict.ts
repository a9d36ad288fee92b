import { checkConflicts } from '#domain/conflicts/check-conflicts.ts';
import {
  ConflictCheckContentionError,
  checkedFirst,
  type RecordedCheck,
} from '#domain/conflicts/check-order.ts';
import type { ConflictEvidence } from '#domain/conflicts/conflict-input.ts';
import {
  intakeFindings,
  type PartnerCompanyDomains,
  withIntakeFindings,
} from '#domain/conflicts/intake-findings.ts';
import { registrationUnderCheck } from '#domain/conflicts/registration-under-check.ts';
import { verdictUnderClaim } from '#domain/conflicts/verdict-under-claim.ts';
import { comparableDomain, registrableDomain } from '#domain/normalise.ts';
import { earliestHoldingReceipt } from '#domain/policy/conflict-window.ts';
import { routeRegistration } from '#domain/policy/registration-decision.ts';
import type { RegistrationDetails } from '#domain/registration.ts';
import { type CustomerRegistration, hasEnded } from '#domain/registration-standing.ts';
import { validInstant } from '#domain/submission-time.ts';
import type { CheckFindings } from '#ports/registration-book.ts';
import { answerOpenQuestion } from './answer-open-question.ts';
import { gatherEvidence } from './conflict-evidence.ts';
import {
  loadRegistrationInProgress,
  type RegistrationInProgress,
  type RegistrationWorkflowDependencies,
} from './dependencies.ts';

/** What "Check for channel conflict" answers: where the registration goes next, and why. */
interface ConflictCheckResult {
  readonly next: 'auto-approve' | 'auto-reject' | 'approval' | 'resubmission';
  readonly outcome: string;
  readonly ruleId: string;
  readonly reason: string;
}

const resubmitted = (answers: string): ConflictCheckResult => ({
  next: 'resubmission',
  outcome: 'clear',
  ruleId: 'resubmission',
  reason: `This submission answered the question asked on registration ${answers}; that registration goes on with it.`,
});

/**
 * The partner company's domains the submitter's address is compared with. The partner was found
 * by the domain the form names (normalise), so its other domains are read, by the partner's id
 * (a batch read, outside the portal's search budget), only when the address is not at that one.
 */
async function partnerCompanyDomains(
  deps: RegistrationWorkflowDependencies,
  details: RegistrationDetails,
  partner: { readonly id: string; readonly name?: string | undefined },
): Promise<PartnerCompanyDomains> {
  const named = { name: partner.name, domain: details.partnerDomain };
  const submitterDomain = registrableDomain(details.submitterEmail);
  if (!deps.policy.policy.intake.submitterMustBeAtPartner) return named;
  if (submitterDomain !== undefined && comparableDomain(submitterDomain) === details.partnerDomain)
    return named;
  const [company] = await deps.crm.companiesById([partner.id]);
  if (company === undefined) return named;
  return {
    name: company.name ?? partner.name,
    domain: company.domain,
    additionalDomains: company.additionalDomains,
  };
}

/**
 * "Check for channel conflict", steps 2 and 3 (DESIGN §3.2): the conflict verdict `{outcome,
 * ruleId, evidence[], policyVersion}` under the current policy, stored with the registration,
 * and the route it leads to. A partner domain that is not a partner company in HubSpot, or an
 * amount in a currency the portal has not enabled for deals, makes the submission
 * business-invalid: it is declined with that reason.
 *
 * A registration the policy's intake settings would not auto-approve (a submitter who is not at
 * the partner company, a close date beyond the horizon) needs review instead of clear, with the
 * reason in the verdict (`intakeFindings`).
 *
 * The verdict places the registration at its receipt (`receivedAt`). The same check is run once
 * more with the time its submission claims; when that would have decided otherwise, it is
 * recorded beside the verdict (`verdictUnderClaim`) for the pre-QBR report, and decides nothing.
 *
 * The registrations of the customer domain are read once, and only as far back as one could
 * still hold the customer at the earlier of the two times; the same rows tell whether this
 * submission answers an approver's question on one of them.
 */
export async function checkRegistrationConflicts(
  deps: RegistrationWorkflowDependencies,
  registrationId: string,
): Promise<ConflictCheckResult> {
  // The check makes the verdict afresh: the one of an earlier check is not read.
  const registration = await loadRegistrationInProgress(deps, registrationId, { withVerdict: false });
  const { details, record, progress } = registration;
  const now = deps.now().toISOString();
  if (progress.status === 'merged') return resubmitted(progress.answers ?? 'unknown');
  // Decided already: the assessment is running again after a step after the decision failed
  // (the segment runs again from its start). The check answers the decision that was made, not
  // a new verdict on what the customer's registrations look like now.
  const decided = progress.decision;
  if (decided !== undefined && (progress.status === 'approved' || progress.status === 'declined')) {
    return {
      next: decided.outcome === 'approve' ? 'auto-approve' : 'auto-reject',
      outcome: progress.verdict?.outcome ?? (decided.outcome === 'approve' ? 'clear' : 'reject'),
      ruleId: progress.verdict?.ruleId ?? 'decided',
      reason: decided.reason ?? '',
    };
  }
  const { receivedAt } = record;
  const claimedAt = validInstant(record.submittedAt);
  const earliest =
    claimedAt !== undefined && Date.parse(claimedAt) < Date.parse(receivedAt) ? claimedAt : receivedAt;
  const receivedFrom = earliestHoldingReceipt(deps.policy.policy, earliest);
  // The check is recorded on the customer domain's recent checks, after those it read; when
  // another was recorded in between, it reads them and checks again (`check-order.ts`).
  const checkDeps = { ...deps, crm: askedOnce(deps.crm) };
  for (let attempt = 1; attempt <= maxCheckAttempts; attempt += 1) {
    const recent = await deps.book.recentChecks(details.customerDomain);
    const assessed = await assess(checkDeps, registration, {
      now,
      receivedFrom,
      claimedAt,
      earliest,
      recent: recent.checks,
    });
    if (assessed.findings === undefined) return assessed.result;
    const recorded = await deps.book.recordCheck(details.customerDomain, recent, {
      registrationId,
      receivedAt,
      cleared: assessed.result.next === 'auto-approve',
    });
    if (!recorded) continue;
    await deps.book.saveCheckFindings(registrationId, assessed.findings);
    deps.logger.info('conflict check', assessed.log);
    return assessed.result;
  }
  throw new ConflictCheckContentionError(registrationId, details.customerDomain, maxCheckAttempts);
}

/**
 * The CRM as one check reads it: each question asked once, however often the check runs again
 * because another check of the customer was recorded meanwhile (what HubSpot holds does not
 * change with that, and its searches are the portal's scarcest budget).
 */
function askedOnce<Crm extends object>(crm: Crm): Crm {
  const answers = new Map<string, unknown>();
  return new Proxy(crm, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const key = `${String(property)}:${JSON.stringify(args)}`;
        if (!answers.has(key)) {
          const answer = Promise.resolve(value.apply(target, args));
          // A failed question is asked again by the next attempt.
          answer.catch(() => answers.delete(key));
          answers.set(key, answer);
        }
        return answers.get(key);
      };
    },
  });
}

/** How often a check reads the customer's registrations again because another was recorded meanwhile. */
const maxCheckAttempts = 5;

/**
 * The registrations of the customer domain: those the index shows, and those of the recent checks
 * it may not show yet (read from the table), and those that came first by the order of the checks.
 */
async function customerRegistrations(
  deps: RegistrationWorkflowDependencies,
  registrationId: string,
  customerDomain: string,
  receivedFrom: string,
  recent: readonly RecordedCheck[],
): Promise<{ rows: CustomerRegistration[]; first: ReadonlySet<string> }> {
  const rows = await deps.book.byCustomerDomain(customerDomain, receivedFrom);
  const indexed = new Set(rows.map((row) => row.registrationId));
  const unindexed = recent.filter(
    (check) =>
      check.registrationId !== registrationId &&
      !indexed.has(check.registrationId) &&
      Date.parse(check.receivedAt) >= Date.parse(receivedFrom),
  );
  const read = await Promise.all(
    unindexed.map((check) => deps.book.customerRegistration(check.registrationId)),
  );
  for (const row of read) if (row !== undefined && !hasEnded(row.standing)) rows.push(row);
  return { rows, first: checkedFirst(recent, registrationId) };
}

interface Assessment {
  readonly result: ConflictCheckResult;
  /** What to store once the check is recorded; none for a registration the check did not assess. */
  readonly findings?: CheckFindings;
  readonly log?: Record<string, unknown>;
}

async function assess(
  deps: RegistrationWorkflowDependencies,
  registration: RegistrationInProgress,
  context: {
    readonly now: string;
    readonly receivedFrom: string;
    readonly claimedAt: string | undefined;
    readonly earliest: string;
    readonly recent: readonly RecordedCheck[];
  },
): Promise<Assessment> {
  const { details, record, progress } = registration;
  const { registrationId, receivedAt } = record;
  const { now, receivedFrom, claimedAt, earliest } = context;
  const { rows: sameDomain, first } = await customerRegistrations(
    deps,
    registrationId,
    details.customerDomain,
    receivedFrom,
    context.recent,
  );
  const answers = await answerOpenQuestion(deps, registration, progress, sameDomain);
  if (answers !== undefined) return { result: resubmitted(answers) };
  if (progress.partnerId === undefined) {
    const reason = `${details.partnerDomain} is not a partner company in HubSpot, so the registration cannot be accepted. Ask the partner team to add the company as a partner, then submit again.`;
    return { result: { next: 'auto-reject', outcome: 'reject', ruleId: 'unknown-partner', reason } };
  }
  // HubSpot refuses a deal in a currency the portal has not enabled: decided here, with the
  // reason, rather than by a failed "Register deal in HubSpot" after approval.
  const currency = details.estimatedAmount.currency;
  const currencies = await deps.crm.dealCurrencies();
  if (currencies !== undefined && !currencies.has(currency)) {
    const reason = `The amount is in ${currency}, but deals in HubSpot can only be in ${[...currencies].sort().join(', ')}, so the registration cannot become a deal. Submit it again with the amount in one of those currencies.`;
    return { result: { next: 'auto-reject', outcome: 'reject', ruleId: 'currency-not-enabled', reason } };
  }
  const evidence = await gatherEvidence(deps, registration, {
    receivedFrom,
    sameDomain,
    checkedFirst: first,
    engagementsFrom: earliest,
  });
  const partner = { id: progress.partnerId, name: progress.partnerName || undefined };
  const amountUsdMinor = progress.amountUsdMinor ?? 0;
  // The registrations that could still hold the customer at `time`, as the index would read them.
  const evidenceAt = (time: string): ConflictEvidence => {
    const from = earliestHoldingReceipt(deps.policy.policy, time);
    return {
      ...evidence,
      otherRegistrations: evidence.otherRegistrations.filter(
        (other) => Date.parse(other.receivedAt) >= Date.parse(from),
      ),
    };
  };
  const findings = intakeFindings(
    { submitterEmail: details.submitterEmail, expectedCloseDate: details.expectedCloseDate, receivedAt },
    await partnerCompanyDomains(deps, details, partner),
    deps.policy.policy,
  );
  const verdict = withIntakeFindings(
    checkConflicts(
      registrationUnderCheck({ registrationId, receivedAt, details }, partner, amountUsdMinor),
      evidenceAt(receivedAt),
      deps.policy,
    ),
    findings,
  );
  const underClaim =
    claimedAt === undefined || Date.parse(claimedAt) === Date.parse(receivedAt)
      ? undefined
      : verdictUnderClaim(
          verdict,
          withIntakeFindings(
            checkConflicts(
              registrationUnderCheck(
                { registrationId, receivedAt: claimedAt, details },
                partner,
                amountUsdMinor,
              ),
              evidenceAt(claimedAt),
              deps.policy,
            ),
            findings,
          ),
          claimedAt,
        );
  const facts = {
    customerCountry: details.customerCountry,
    cloudMarketplace: details.cloudMarketplace,
    amountUsdMinor: progress.amountUsdMinor,
  };
  // Without a USD rate the amount cannot be compared with the thresholds: routeRegistration sends
  // it to an approver, saying so.
  const route = routeRegistration(verdict, facts, deps.policy);
  return {
    result: { next: route.next, outcome: verdict.outcome, ruleId: verdict.ruleId, reason: route.reason },
    // The verdict replaces the one of an earlier check, and so does the verdict under the claim.
    findings: {
      verdict,
      ...(underClaim === undefined ? {} : { verdictUnderClaim: underClaim }),
      checkedAt: now,
    },
    log: {
      registrationId,
      outcome: verdict.outcome,
      ruleId: verdict.ruleId,
      next: route.next,
      ...(underClaim === undefined
        ? {}
        : { claimedAt: underClaim.claimedAt, ruleIdUnderClaim: underClaim.ruleId }),
    },
  };
}
