import type { FormFieldMapping } from '#domain/form-field-mapping.ts';
import type { FormSubmission } from '#domain/form-submission.ts';
import { evaluateSubmission, type SubmissionEvaluation } from '#domain/registration.ts';
import { registrationIdFor } from '#domain/registration-id.ts';
import type { ReceivedVia, StoredRegistration } from '#domain/stored-registration.ts';
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
 * 2. check and normalise the registration fields;
 * 3. store the raw submission with its outcome, unless it is already stored;
 * 4. finish whatever the stored registration still needs — start the registration workflow
 *    for a valid one, email the submitter what to fix for an invalid one.
 * Step 4 also runs for a duplicate delivery, so a process that died after step 3 is completed
 * by HubSpot's retry or the next backfill.
 */
export async function receiveSubmission(
  deps: ReceiveSubmissionDependencies,
  submission: FormSubmission,
  receivedVia: ReceivedVia,
): Promise<ReceiveSubmissionResult> {
  const registrationId = registrationIdFor(submission.conversionId);
  const evaluation = evaluateSubmission(submission, deps.formFieldMapping);
  const record: StoredRegistration = {
    registrationId,
    conversionId: submission.conversionId,
    formGuid: submission.formGuid,
    submittedAt: new Date(submission.submittedAt).toISOString(),
    receivedAt: deps.now().toISOString(),
    receivedVia,
    submission,
    ...(evaluation.valid
      ? {
          status: 'received',
          details: evaluation.details,
          customerDomain: evaluation.details.customerDomain,
          partnerDomain: evaluation.details.partnerDomain,
          customerCompanyKey: evaluation.details.customerCompanyKey,
        }
      : { status: 'rejected', problems: evaluation.problems }),
  };

  const stored = await deps.inbox.storeIfNew(record);
  const current = stored.stored ? stored.record : stored.existing;
  // The evaluation above is of this very submission when it was just stored; a stored one is
  // re-evaluated only if its submitter still has to be told.
  await completePendingWork(deps, current, stored.stored ? evaluation : undefined);
  return {
    outcome: stored.stored ? (evaluation.valid ? 'accepted' : 'rejected') : 'duplicate',
    registrationId,
    status: current.status,
  };
}

async function completePendingWork(
  deps: ReceiveSubmissionDependencies,
  record: StoredRegistration,
  evaluation: SubmissionEvaluation | undefined,
): Promise<void> {
  if (record.status === 'rejected') {
    await notifySubmitterOnce(deps, record, evaluation);
  } else if (record.workflowStartedAt === undefined) {
    const started = await deps.workflow.start({ registrationId: record.registrationId });
    await deps.inbox.recordWorkflowStarted(record.registrationId, started.execution, deps.now());
  }
}

async function notifySubmitterOnce(
  deps: ReceiveSubmissionDependencies,
  record: StoredRegistration,
  known: SubmissionEvaluation | undefined,
): Promise<void> {
  if (record.submitterNotifiedAt !== undefined) return;
  const evaluation = known ?? evaluateSubmission(record.submission, deps.formFieldMapping);
  if (evaluation.valid || evaluation.submitterEmail === undefined) return;
  const claimed = await deps.inbox.claimSubmitterNotification(
    record.registrationId,
    deps.now(),
    notificationLeaseMs,
  );
  if (!claimed) return;
  await deps.mailer.send(
    renderInvalidSubmissionEmail({
      to: evaluation.submitterEmail,
      registrationId: record.registrationId,
      submittedAt: record.submittedAt,
      customerCompanyName: evaluation.customerCompanyName,
      problems: (record.problems ?? evaluation.problems).map((problem) => ({
        field: problem.label,
        formField: problem.formField,
        message: problem.message,
        value: problem.value,
      })),
      supportEmail: deps.supportEmail,
      formUrl: record.submission.pageUrl,
    }),
  );
  await deps.inbox.recordSubmitterNotified(record.registrationId, deps.now());
}
