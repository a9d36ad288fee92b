import type { FormFieldMapping } from '#domain/form-field-mapping.ts';
import { type FormSubmission, fitForStorage } from '#domain/form-submission.ts';
import {
  evaluateSubmission,
  type SubmissionEvaluation,
  submissionSizeProblem,
  submissionTimeProblem,
} from '#domain/registration.ts';
import { registrationIdFor } from '#domain/registration-id.ts';
import type { ReceivedVia, StoredRegistration } from '#domain/stored-registration.ts';
import { checkSubmittedAt, defaultSubmittedAtToleranceHours } from '#domain/submission-time.ts';
import { renderInvalidSubmissionEmail } from '#emails/invalid-submission.ts';
import type { Mailer } from '#ports/mailer.ts';
import type { RegistrationInbox } from '#ports/registration-inbox.ts';
import type { RegistrationWorkflow } from '#ports/registration-workflow.ts';

export interface ReceiveSubmissionDependencies {
  readonly inbox: RegistrationInbox;
  readonly workflow: RegistrationWorkflow;
  readonly mailer: Mailer;
  readonly formFieldMapping: FormFieldMapping;
  readonly now: () => Date;
  /** Where partners can ask for help, quoted in the invalid-submission email. */
  readonly supportEmail?: string | undefined;
  /**
   * The partner registration form (`dealreg:registrationFormUrl`), linked from the
   * invalid-submission email as the way to submit again.
   * @default - the page the submission came from, when it names one
   */
  readonly registrationFormUrl?: string | undefined;
  /**
   * The policy's `intake.submittedAtToleranceHours`: how long before its receipt a submission's
   * claimed time may lie.
   * @default 72
   */
  readonly submittedAtToleranceHours?: number | undefined;
  /**
   * The policy's `calendar.timeZone`: the invalid-submission email gives the receipt time in it.
   * @default - UTC, said as such
   */
  readonly calendarTimeZone?: string | undefined;
}

interface ReceiveSubmissionResult {
  /** `accepted`: new and valid; `rejected`: new and invalid; `duplicate`: seen before. */
  readonly outcome: 'accepted' | 'rejected' | 'duplicate';
  readonly registrationId: string;
  readonly status: string;
}

/** A rejected-submission email claim older than this is taken over by the next delivery. */
const notificationLeaseMs = 60_000;

/**
 * Takes in one HubSpot form submission, from the webhook or the backfill, exactly once:
 * 1. derive the registration id from the conversion id;
 * 2. check and normalise the registration fields, and the time the submission claims against now,
 *    its receipt;
 * 3. store the raw submission with its outcome and its receipt time, unless it is already stored
 *    (a redelivery keeps the first receipt time); one larger than a registration keeps is stored
 *    cut to fit, refused saying what was cut;
 * 4. finish whatever the stored registration still needs — start the registration workflow
 *    for a valid one, email the submitter what to fix for an invalid one.
 * Step 4 also runs for a duplicate delivery, so a process that died after step 3 is completed
 * by HubSpot's retry or the next backfill. The backfill reads before it writes: what it finds
 * stored goes straight to step 4.
 */
export async function receiveSubmission(
  deps: ReceiveSubmissionDependencies,
  submission: FormSubmission,
  receivedVia: ReceivedVia,
): Promise<ReceiveSubmissionResult> {
  const registrationId = registrationIdFor(submission.conversionId);
  if (receivedVia === 'backfill') {
    // The backfill sees most submissions after their webhook: a read (half a unit) finds them,
    // where a refused conditional put is still charged the write units of the item it found
    // (DynamoDB Developer Guide, "Working with items and attributes", conditional writes). One it does not find yet is stored below, exactly once as ever.
    const known = await deps.inbox.get(registrationId, { eventuallyConsistent: true });
    if (known !== undefined) {
      await completePendingWork(deps, known, false, undefined);
      return { outcome: 'duplicate', registrationId, status: known.status };
    }
  }
  const receivedAt = deps.now();
  const evaluation = evaluateSubmission(submission, deps.formFieldMapping, receivedAt);
  const claim = checkSubmittedAt(
    submission.submittedAt,
    receivedAt,
    deps.submittedAtToleranceHours ?? defaultSubmittedAtToleranceHours,
  );
  // One larger than the registrations table keeps is kept cut to fit, and refused saying so.
  const fitted = fitForStorage(submission);
  const problems = [
    ...(fitted.refusal === undefined ? [] : [submissionSizeProblem(fitted.refusal)]),
    ...(evaluation.valid ? [] : evaluation.problems),
    ...(claim.accepted ? [] : [submissionTimeProblem(claim.reason, submission.submittedAt)]),
  ];
  const record: StoredRegistration = {
    registrationId,
    conversionId: submission.conversionId,
    formGuid: submission.formGuid,
    ...(claim.submittedAt === undefined ? {} : { submittedAt: claim.submittedAt }),
    receivedAt: receivedAt.toISOString(),
    receivedVia,
    submission: fitted.submission,
    // A rejected registration gets no customer attributes: it stays out of the customer-domain
    // index, so it never holds a customer against another registration.
    ...(evaluation.valid && problems.length === 0
      ? {
          status: 'received',
          details: evaluation.details,
          customerDomain: evaluation.details.customerDomain,
          partnerDomain: evaluation.details.partnerDomain,
          customerCompanyKey: evaluation.details.customerCompanyKey,
        }
      : { status: 'rejected', problems }),
  };

  const stored = await deps.inbox.storeIfNew(record);
  const current = stored.stored ? stored.record : stored.existing;
  // The evaluation above is of this very submission when it was just stored; a stored one is
  // re-evaluated only if its submitter still has to be told.
  await completePendingWork(deps, current, stored.stored, stored.stored ? evaluation : undefined);
  return {
    outcome: stored.stored ? (record.status === 'rejected' ? 'rejected' : 'accepted') : 'duplicate',
    registrationId,
    status: current.status,
  };
}

/**
 * What a delivery still owes: the submitter's email for a rejected submission, or the workflow of
 * a valid one. The workflow's start is named by the registration id, so starting it again returns
 * the running execution; a later delivery (the backfill's, a webhook retry) starts it unless the
 * workflow has visibly run, which is its first progress write. Nothing is written to record the
 * start: a delivery that stored the registration and then died before starting the workflow
 * leaves a registration the next delivery starts.
 */
async function completePendingWork(
  deps: ReceiveSubmissionDependencies,
  record: StoredRegistration,
  justStored: boolean,
  evaluation: SubmissionEvaluation | undefined,
): Promise<void> {
  if (record.status === 'rejected') {
    await notifySubmitterOnce(deps, record, evaluation);
    return;
  }
  const started =
    !justStored &&
    (record.workflowStartedAt !== undefined ||
      record.progress !== undefined ||
      (await deps.inbox.workflowHasRun(record.registrationId)));
  if (!started) await deps.workflow.start({ registrationId: record.registrationId });
}

async function notifySubmitterOnce(
  deps: ReceiveSubmissionDependencies,
  record: StoredRegistration,
  known: SubmissionEvaluation | undefined,
): Promise<void> {
  if (record.submitterNotifiedAt !== undefined) return;
  const evaluation =
    known ?? evaluateSubmission(record.submission, deps.formFieldMapping, new Date(record.receivedAt));
  // A registration refused for its claimed time alone has valid fields: its submitter is known.
  const to = evaluation.valid ? evaluation.details.submitterEmail : evaluation.submitterEmail;
  const problems = record.problems ?? (evaluation.valid ? [] : evaluation.problems);
  if (to === undefined || problems.length === 0) return;
  const claimed = await deps.inbox.claimSubmitterNotification(
    record.registrationId,
    deps.now(),
    notificationLeaseMs,
  );
  if (!claimed) return;
  await deps.mailer.send(
    renderInvalidSubmissionEmail({
      to,
      registrationId: record.registrationId,
      receivedAt: record.receivedAt,
      customerCompanyName: evaluation.valid
        ? evaluation.details.customerCompanyName
        : evaluation.customerCompanyName,
      problems: problems.map((problem) => ({
        field: problem.label,
        formField: problem.formField,
        message: problem.message,
        value: problem.value,
      })),
      supportEmail: deps.supportEmail,
      // The page a submission names may be any page the form is embedded on, or none (a tool
      // calling the Forms API): the configured form is the way back, as in every partner email.
      formUrl: deps.registrationFormUrl || record.submission.pageUrl,
      timeZone: deps.calendarTimeZone,
    }),
  );
  await deps.inbox.recordSubmitterNotified(record.registrationId, deps.now());
}
