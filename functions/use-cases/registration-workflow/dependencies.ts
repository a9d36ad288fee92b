import type { CoSellDefaults } from '#domain/co-sell/co-sell-opportunity.ts';
import type { LoadedPolicy } from '#domain/policy/load-policy.ts';
import type { RegistrationDetails } from '#domain/registration.ts';
import type { RegistrationProgress } from '#domain/registration-progress.ts';
import type { ApprovalSigningKey } from '#domain/signed-links/signing-key.ts';
import type { StoredRegistration } from '#domain/stored-registration.ts';
import type { ApprovalStore } from '#ports/approvals.ts';
import type { HubSpotPort } from '#ports/hubspot.ts';
import type { LedgerStore } from '#ports/ledger.ts';
import type { LedgerAuthenticator } from '#ports/ledger-authenticator.ts';
import type { Mailer } from '#ports/mailer.ts';
import type { CoSellCatalogs } from '#ports/partner-central.ts';
import type { ReadOptions, RegistrationBook, WorkflowCallbacks } from '#ports/registration-book.ts';

/** What the CRM must answer and do for the workflow. */
type WorkflowCrm = Pick<
  HubSpotPort,
  | 'findPartnerByDomain'
  | 'companiesById'
  | 'findCompaniesByDomain'
  | 'findOrCreateCustomerCompany'
  | 'findCompaniesByName'
  | 'openDealsOfCompany'
  | 'closedWonDealsOfCompany'
  | 'engagementsWithCompany'
  | 'upsertRegistrationRecord'
  | 'createOrLinkDeal'
  | 'dealCurrencies'
  | 'batchReadDeals'
  | 'pipelines'
  | 'associatePartner'
>;

interface WorkflowLogger {
  info(message: string, ...extra: unknown[]): void;
  warn(message: string, ...extra: unknown[]): void;
}

/** Everything the registration workflow's steps use: ports, the policy, settings and the clock. */
export interface RegistrationWorkflowDependencies {
  readonly book: RegistrationBook;
  readonly approvals: ApprovalStore;
  readonly crm: WorkflowCrm;
  readonly ledger: LedgerStore;
  /** The ledger key: every entry the workflow appends carries its MAC. */
  readonly ledgerKey: LedgerAuthenticator;
  readonly mailer: Mailer;
  readonly callbacks: WorkflowCallbacks;
  readonly policy: LoadedPolicy;
  readonly signingKey: () => Promise<ApprovalSigningKey>;
  /** Base URL of the approvals API (approval and extension links). */
  readonly apiBaseUrl: string;
  /** USD per unit of each non-USD currency, as configured (`{"EUR": "1.08"}`). */
  readonly usdRates: Readonly<Record<string, string>>;
  /** The registration form's public URL, for partners asked to resubmit with more information. */
  readonly registrationFormUrl?: string | undefined;
  readonly supportEmail?: string | undefined;
  /** AWS Partner Central, for co-sell; absent where it is not configured (nothing is shared then). */
  readonly coSell?: CoSellCatalogs | undefined;
  /** What every co-sell opportunity says the same way (delivery model, sales activities, owner). */
  readonly coSellDefaults?: CoSellDefaults | undefined;
  readonly now: () => Date;
  readonly logger: WorkflowLogger;
}

/** A registration the intake validated, with the progress the workflow recorded so far. */
export interface ValidRegistration {
  readonly record: StoredRegistration;
  readonly details: RegistrationDetails;
  readonly progress: RegistrationProgress | undefined;
}

/** The registration does not exist or was never valid: the workflow was started by mistake. */
class RegistrationNotFoundError extends Error {
  override readonly name = 'RegistrationNotFoundError';
}

/** Loads a registration the intake accepted; throws when there is none. */
export async function loadRegistration(
  deps: Pick<RegistrationWorkflowDependencies, 'book'>,
  registrationId: string,
  options?: ReadOptions,
): Promise<ValidRegistration> {
  const record = await deps.book.get(registrationId, options);
  if (record?.details === undefined) {
    throw new RegistrationNotFoundError(
      record === undefined
        ? `registration ${registrationId} does not exist`
        : `registration ${registrationId} was not accepted (status ${record.status}); it has no details to work on`,
    );
  }
  return { record, details: record.details, progress: record.progress };
}

/** The progress so far, or an error when a step that needs it runs before the conflict check. */
function requireProgress(registration: ValidRegistration): RegistrationProgress {
  if (registration.progress === undefined) {
    throw new Error(`registration ${registration.record.registrationId} has not been checked yet`);
  }
  return registration.progress;
}

/** A registration the workflow has normalised: its progress is known. */
export interface RegistrationInProgress extends ValidRegistration {
  readonly progress: RegistrationProgress;
}

/** Loads a registration with its progress; throws when there is none or it was not normalised yet. */
export async function loadRegistrationInProgress(
  deps: Pick<RegistrationWorkflowDependencies, 'book'>,
  registrationId: string,
  options?: ReadOptions,
): Promise<RegistrationInProgress> {
  const registration = await loadRegistration(deps, registrationId, options);
  return { ...registration, progress: requireProgress(registration) };
}

/** Whole seconds from `now` until `at`, at least one (Step Functions timeouts are positive integers). */
export function secondsUntil(at: Date, now: Date): number {
  return Math.max(1, Math.ceil((at.getTime() - now.getTime()) / 1000));
}
