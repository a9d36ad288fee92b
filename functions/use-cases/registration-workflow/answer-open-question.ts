import type { RegistrationProgress } from '#domain/registration-progress.ts';
import type { CustomerRegistration } from '#domain/registration-standing.ts';
import type { RegistrationWorkflowDependencies, ValidRegistration } from './dependencies.ts';

/** The information request on another registration that this submission answers. */
interface OpenInformationRequest {
  readonly registrationId: string;
  readonly callbackToken: string;
}

/**
 * The earlier registration of the same partner and customer whose approver asked the partner a
 * question that is still open. The index row names the candidate; the token is read from the
 * item itself, consistently, since only the item holds it and the index may lag behind.
 */
async function openInformationRequest(
  deps: RegistrationWorkflowDependencies,
  registration: ValidRegistration,
  sameDomain: readonly CustomerRegistration[],
): Promise<OpenInformationRequest | undefined> {
  const { record, details } = registration;
  const candidates = sameDomain.filter(
    (other) =>
      other.registrationId !== record.registrationId &&
      other.partnerDomain === details.partnerDomain &&
      Date.parse(other.receivedAt) <= Date.parse(record.receivedAt) &&
      other.standing.status === 'awaiting-information',
  );
  for (const candidate of candidates) {
    const other = await deps.book.get(candidate.registrationId);
    const token = (other as { informationCallbackToken?: unknown } | undefined)?.informationCallbackToken;
    if (other?.progress?.status === 'awaiting-information' && typeof token === 'string') {
      return { registrationId: other.registrationId, callbackToken: token };
    }
  }
  return undefined;
}

/**
 * Whether this submission is the partner's answer to an approver's question on an earlier
 * registration of the same customer (DESIGN §3.2 step 5); if so it resumes that registration,
 * is recorded as `merged` into it and goes no further. `sameDomain` are the registrations of the
 * customer domain the conflict check reads anyway.
 *
 * @returns the id of the registration it answered, or undefined when it answers none
 */
export async function answerOpenQuestion(
  deps: RegistrationWorkflowDependencies,
  registration: ValidRegistration,
  progress: RegistrationProgress,
  sameDomain: readonly CustomerRegistration[],
): Promise<string | undefined> {
  const answered = await openInformationRequest(deps, registration, sameDomain);
  if (answered === undefined) return undefined;
  const { registrationId } = registration.record;
  const now = deps.now().toISOString();
  const merged = await deps.book.saveProgress(
    registrationId,
    { status: 'merged', answers: answered.registrationId, updatedAt: now },
    { precondition: { statusIn: ['in-review'] } },
  );
  const claimed = await deps.book.claim(
    answered.registrationId,
    { attribute: 'informationCallbackToken', equals: answered.callbackToken },
    {
      set: { informationAnswer: { resubmissionId: registrationId, at: now } },
      remove: ['informationCallbackToken'],
    },
  );
  if (merged && claimed) {
    await deps.callbacks.succeed(answered.callbackToken, { resubmissionId: registrationId });
    deps.logger.info('resubmission answers an information request', {
      registrationId,
      answers: answered.registrationId,
    });
    return answered.registrationId;
  }
  if (merged) {
    // Another resubmission answered first: this one is a registration of its own after all.
    await deps.book.saveProgress(registrationId, { ...progress, updatedAt: now });
  }
  return undefined;
}
