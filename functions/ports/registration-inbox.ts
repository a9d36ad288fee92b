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
  get(registrationId: string): Promise<StoredRegistration | undefined>;
  recordWorkflowStarted(registrationId: string, execution: string, at: Date): Promise<void>;
  /**
   * Claims the right to email the submitter about a rejected submission, so concurrent
   * deliveries send one email; a claim older than `leaseMs` may be taken over (the claimant died).
   */
  claimSubmitterNotification(registrationId: string, now: Date, leaseMs: number): Promise<boolean>;
  recordSubmitterNotified(registrationId: string, at: Date): Promise<void>;
}
