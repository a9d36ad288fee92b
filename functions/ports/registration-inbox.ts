import type { StoredRegistration } from '#domain/stored-registration.ts';

export type StoreResult =
  | { readonly stored: true; readonly record: StoredRegistration }
  | { readonly stored: false; readonly existing: StoredRegistration };

/**
 * Port: the durable inbox of submissions, keyed by registration id. Storing is idempotent:
 * the first write wins and later ones get the stored record back.
 */
export interface RegistrationInbox {
  storeIfNew(record: StoredRegistration): Promise<StoreResult>;
  /** The stored registration; `eventuallyConsistent` reads it for half the read units. */
  get(
    registrationId: string,
    options?: { readonly eventuallyConsistent?: boolean },
  ): Promise<StoredRegistration | undefined>;
  /**
   * Whether the registration's workflow has run: its first step has recorded progress. Eventually
   * consistent: a `false` just after that write only costs a second start, which the workflow's
   * start (named by the registration id) turns into the running execution.
   */
  workflowHasRun(registrationId: string): Promise<boolean>;
  /**
   * Claims the right to email the submitter about a rejected submission, so concurrent
   * deliveries send one email; a claim older than `leaseMs` may be taken over (the claimant died).
   */
  claimSubmitterNotification(registrationId: string, now: Date, leaseMs: number): Promise<boolean>;
  recordSubmitterNotified(registrationId: string, at: Date): Promise<void>;
}
