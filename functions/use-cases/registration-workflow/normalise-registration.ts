import type { Money } from '#domain/money.ts';
import { freezeMoney, usdRateOf } from '#domain/money.ts';
import type { RegistrationProgress } from '#domain/registration-progress.ts';
import { loadRegistration, type RegistrationWorkflowDependencies } from './dependencies.ts';

/** The amount in US cents at the configured rate, or undefined when no rate is configured. */
export function amountInUsdMinor(
  amount: Money,
  usdRates: Readonly<Record<string, string>>,
): number | undefined {
  const rate = usdRateOf(amount.currency, usdRates);
  return rate === undefined ? undefined : freezeMoney(amount.minorUnits, amount.currency, rate).usdMinor;
}

/** What "Normalise registration" answers. */
interface NormaliseResult {
  readonly registrationId: string;
  /** `resubmission`: it already answered a question on another registration and ends there. */
  readonly next: 'check' | 'resubmission';
}

/**
 * "Normalise registration", step 1 (DESIGN §3.2): the partner as HubSpot knows it (a company of
 * type partner whose domain is the registered partner domain) and the amount in USD at the
 * configured rate. The registrations of the same customer are read once, by the conflict check,
 * which also finds whether this submission answers an approver's question.
 */
export async function normaliseRegistration(
  deps: RegistrationWorkflowDependencies,
  registrationId: string,
): Promise<NormaliseResult> {
  // The check comes after: there is no verdict to read yet, or one the check will replace.
  const registration = await loadRegistration(deps, registrationId, { withVerdict: false });
  const { details, progress } = registration;
  if (progress?.status === 'merged') return { registrationId, next: 'resubmission' };

  const now = deps.now();
  const partner = await deps.crm.findPartnerByDomain(details.partnerDomain);
  const amountUsdMinor = amountInUsdMinor(details.estimatedAmount, deps.usdRates);
  const normalised: RegistrationProgress = {
    ...(progress ?? {}),
    status: progress?.status ?? 'in-review',
    // Spread over the stored progress: an undefined key would erase what an earlier run found.
    ...(partner === null ? {} : { partnerId: partner.id }),
    ...(partner?.name ? { partnerName: partner.name } : {}),
    amountUsdMinor,
    updatedAt: now.toISOString(),
  };
  await deps.book.saveProgress(registrationId, normalised, {
    precondition: { statusIn: ['none', 'in-review'] },
  });
  return { registrationId, next: 'check' };
}
