import type { Money } from '#domain/money.ts';
import { freezeMoney, usdRateOf } from '#domain/money.ts';
import type { RegistrationProgress } from '#domain/registration-progress.ts';
import type { StoredRegistration } from '#domain/stored-registration.ts';
import { loadRegistration, type RegistrationWorkflowDependencies } from './dependencies.ts';

/** The amount in US cents at the configured rate, or undefined when no rate is configured. */
export function amountInUsdMinor(
  amount: Money,
  usdRates: Readonly<Record<string, string>>,
): number | undefined {
  const rate = usdRateOf(amount.currency, usdRates);
  return rate === undefined ? undefined : freezeMoney(amount.minorUnits, amount.currency, rate).usdMinor;
}

/** The information request on another registration that this submission answers, if any. */
interface OpenInformationRequest {
  readonly registrationId: string;
  readonly callbackToken: string;
}

function openInformationRequest(record: StoredRegistration): OpenInformationRequest | undefined {
  const token = (record as { informationCallbackToken?: unknown }).informationCallbackToken;
  if (record.progress?.status !== 'awaiting-information' || typeof token !== 'string') return undefined;
  return { registrationId: record.registrationId, callbackToken: token };
}

/** What "Normalise registration" answers. */
interface NormaliseResult {
  readonly registrationId: string;
  /** `resubmission`: it answered a question on another registration and ends there. */
  readonly next: 'check' | 'resubmission';
}

/**
 * "Normalise registration", step 1 (DESIGN §3.2): the partner as HubSpot knows it (a company of
 * type partner whose domain is the registered partner domain), the amount in USD at the
 * configured rate, and whether this submission is the partner's answer to an approver's question
 * on an earlier registration of the same customer — then it resumes that registration instead of
 * starting a second one.
 */
export async function normaliseRegistration(
  deps: RegistrationWorkflowDependencies,
  registrationId: string,
): Promise<NormaliseResult> {
  const registration = await loadRegistration(deps, registrationId);
  const { details, progress } = registration;
  if (progress?.status === 'merged') return { registrationId, next: 'resubmission' };

  const now = deps.now();
  const sameCustomer = await deps.book.byCustomerDomain(details.customerDomain);
  const answered = sameCustomer
    .filter(
      (other) =>
        other.registrationId !== registrationId &&
        other.details?.partnerDomain === details.partnerDomain &&
        other.submittedAt <= registration.record.submittedAt,
    )
    .map(openInformationRequest)
    .find((request) => request !== undefined);
  if (answered !== undefined) {
    const merged = await deps.book.saveProgress(
      registrationId,
      { status: 'merged', answers: answered.registrationId, updatedAt: now.toISOString() },
      { precondition: { statusIn: ['none'] } },
    );
    const claimed = await deps.book.claim(
      answered.registrationId,
      { attribute: 'informationCallbackToken', equals: answered.callbackToken },
      {
        set: { informationAnswer: { resubmissionId: registrationId, at: now.toISOString() } },
        remove: ['informationCallbackToken'],
      },
    );
    if (merged && claimed) {
      await deps.callbacks.succeed(answered.callbackToken, { resubmissionId: registrationId });
      deps.logger.info('resubmission answers an information request', {
        registrationId,
        answers: answered.registrationId,
      });
      return { registrationId, next: 'resubmission' };
    }
    if (merged) {
      // Another resubmission answered first: this one is a registration of its own after all.
      await deps.book.saveProgress(registrationId, { status: 'in-review', updatedAt: now.toISOString() });
    }
  }

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
