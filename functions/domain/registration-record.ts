import type { FormSubmission } from './form-submission.ts';
import type { FieldProblem, RegistrationDetails } from './registration.ts';
import type { RegistrationProgress } from './registration-progress.ts';

/** How a submission reached Dealreg. */
export type ReceivedVia = 'webhook' | 'backfill';

/**
 * A registration as the inbox stores it: the raw submission exactly as received (nothing a
 * partner submitted is ever lost), and either the validated details or the problems found.
 */
export interface RegistrationRecord {
  readonly registrationId: string;
  readonly conversionId: string;
  readonly formGuid?: string;
  /** ISO-8601, from HubSpot's submittedAt. */
  readonly submittedAt: string;
  /** ISO-8601, when Dealreg first stored it. */
  readonly receivedAt: string;
  readonly receivedVia: ReceivedVia;
  /** `received` goes on to the registration workflow; `rejected` needs a corrected resubmission. */
  readonly status: 'received' | 'rejected' | (string & {});
  readonly submission: FormSubmission;
  readonly details?: RegistrationDetails;
  readonly problems?: readonly FieldProblem[];
  /** Top-level copy of details.customerDomain, for the conflict-check index. */
  readonly customerDomain?: string;
  readonly workflowStartedAt?: string;
  readonly workflowExecution?: string;
  readonly submitterNotifiedAt?: string;
  /** What the registration workflow has done with it (absent until it ran its first step). */
  readonly progress?: RegistrationProgress;
}
