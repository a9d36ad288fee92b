import * as z from 'zod';
import { formSubmissionSchema } from './form-submission.ts';
import { fieldProblemSchema, registrationDetailsSchema } from './registration.ts';
import { registrationProgressSchema } from './registration-progress.ts';
import { registrationStandingSchema } from './registration-standing.ts';

/** How a submission reached Dealreg. */
const receivedViaSchema = z.enum(['webhook', 'backfill']);
export type ReceivedVia = z.infer<typeof receivedViaSchema>;

/**
 * A registration as the registrations table stores it: the raw submission exactly as received
 * (nothing a partner submitted is ever lost), and either the validated details or the problems
 * found. The item also carries attributes other parts of Dealreg keep beside it (the extension
 * request, the workflow's callback tokens); they are read by their owners and pass through here.
 */
export const storedRegistrationSchema = z.looseObject({
  registrationId: z.string().min(1),
  conversionId: z.string(),
  formGuid: z.string().optional(),
  /**
   * ISO-8601: the time the submission claims (HubSpot's submittedAt, which the caller of HubSpot's
   * submit API may set). Shown, never used for priority. Absent when the claim is no date at all
   * (the raw claim is in `submission.submittedAt`); records stored before claims were checked may
   * hold a year past 9999 here (read it through `validInstant`).
   */
  submittedAt: z.string().optional(),
  /**
   * ISO-8601, when Dealreg first received and stored it (the webhook or the backfill, whichever
   * came first); a redelivery never changes it. First-registration-wins and every look-back window
   * go by this time. Intake has written it since its first version.
   */
  receivedAt: z.string(),
  receivedVia: receivedViaSchema,
  /** `received` goes on to the registration workflow; `rejected` needs a corrected resubmission. */
  status: z.string(),
  submission: formSubmissionSchema,
  details: registrationDetailsSchema.optional(),
  problems: z.array(fieldProblemSchema).readonly().optional(),
  /**
   * Top-level copies of details.customerDomain, details.partnerDomain and
   * details.customerCompanyKey, for the customer-domain index (it projects top-level attributes only).
   */
  customerDomain: z.string().optional(),
  partnerDomain: z.string().optional(),
  customerCompanyKey: z.string().optional(),
  /** When intake started the workflow: recorded on registrations received before the workflow's
   * first progress write became the mark (intake no longer writes it). */
  workflowStartedAt: z.string().optional(),
  workflowExecution: z.string().optional(),
  submitterNotifiedAt: z.string().optional(),
  /** What the registration workflow has done with it (absent until it ran its first step). */
  progress: registrationProgressSchema.optional(),
  /** The part of the progress other registrations of the customer compare, for the same index. */
  standing: registrationStandingSchema.optional(),
});
export type StoredRegistration = z.infer<typeof storedRegistrationSchema>;
