import type { RecentChecks, RecordedCheck } from '#domain/conflicts/check-order.ts';
import type { RegistrationProgress, WorkflowStatus } from '#domain/registration-progress.ts';
import type { CustomerRegistration } from '#domain/registration-standing.ts';
import type { StoredRegistration } from '#domain/stored-registration.ts';

/** A condition on the workflow status a progress write expects to find. */
export interface ProgressPrecondition {
  /** Write only if the registration's progress status is one of these (`none`: no progress yet). */
  readonly statusIn: readonly (WorkflowStatus | 'none')[];
}

/** Further top-level attributes a progress write sets or removes in the same atomic write. */
export interface ProgressSideEffects {
  readonly set?: Readonly<Record<string, unknown>>;
  readonly remove?: readonly string[];
}

/** What a read of a registration includes. */
export interface ReadOptions {
  /** Include the conflict check's verdict (default true). */
  readonly withVerdict?: boolean;
}

/** What the conflict check found: its verdict, and the one under the claimed submission time. */
export interface CheckFindings {
  readonly verdict: NonNullable<RegistrationProgress['verdict']>;
  readonly verdictUnderClaim?: RegistrationProgress['verdictUnderClaim'];
  /** ISO-8601: when the check ran (the progress's `updatedAt` from then on). */
  readonly checkedAt: string;
}

/**
 * Port: the registrations as the workflow sees them — the stored submission plus the progress
 * the workflow records. Every progress write is one atomic, optionally conditional write.
 */
export interface RegistrationBook {
  /**
   * The registration with its progress. `withVerdict: false` leaves out the conflict check's
   * verdict (one read less), for a step that neither shows nor decides by it; writing that
   * progress back keeps the stored verdict.
   */
  get(registrationId: string, options?: ReadOptions): Promise<StoredRegistration | undefined>;
  /**
   * The registrations of a customer domain (registrable domain) Dealreg received at or after
   * `receivedFrom` (ISO-8601), first received first: who registered the customer and where each
   * registration stands, not the whole record. Eventually consistent.
   */
  byCustomerDomain(customerDomain: string, receivedFrom: string): Promise<CustomerRegistration[]>;
  /**
   * A registration as {@link byCustomerDomain} shows it, read from the table itself (consistent):
   * one the index may not show yet. Undefined when there is none.
   */
  customerRegistration(registrationId: string): Promise<CustomerRegistration | undefined>;
  /** The conflict checks recorded lately for a customer domain, oldest first (consistent). */
  recentChecks(customerDomain: string): Promise<RecentChecks>;
  /**
   * Records the conflict check of a registration after the checks `read` holds. False (nothing
   * written) when another check was recorded since: read them again and check again.
   */
  recordCheck(customerDomain: string, read: RecentChecks, check: RecordedCheck): Promise<boolean>;
  /**
   * Records the workflow's progress, and the standing it implies (what other registrations of the
   * customer compare). Returns false (and writes nothing) when the precondition does not hold.
   */
  saveProgress(
    registrationId: string,
    progress: RegistrationProgress,
    options?: { readonly precondition?: ProgressPrecondition; readonly sideEffects?: ProgressSideEffects },
  ): Promise<boolean>;
  /**
   * Records the conflict check's findings: from then on the registration's progress carries this
   * verdict (and this verdict under the claimed time, or none). They are written once per check
   * and only read after; a progress write leaves them as they are.
   */
  saveCheckFindings(registrationId: string, findings: CheckFindings): Promise<void>;
  /** Sets or removes top-level attributes if `attribute` currently equals `equals` (an atomic claim). */
  claim(
    registrationId: string,
    condition: { readonly attribute: string; readonly equals: string },
    effects: ProgressSideEffects,
  ): Promise<boolean>;
}

/**
 * Port: resumes a workflow execution waiting on a callback (Step Functions `SendTaskSuccess` in
 * AWS, the local runner's callback registry on one machine).
 */
export interface WorkflowCallbacks {
  succeed(taskToken: string, output: unknown): Promise<void>;
}
