import {
  type ChainVerification,
  type DealAttributionCard,
  dealAttributionCard,
} from '#domain/deal-card/deal-attribution-card.ts';
import { InvalidLedgerEntryError } from '#domain/ledger/errors.ts';
import type { OpportunityState } from '#domain/ledger/projection.ts';
import type { StoredRegistration } from '#domain/stored-registration.ts';
import type { DigestStore, LedgerStore } from '#ports/ledger.ts';
import type { LedgerAuthenticator } from '#ports/ledger-authenticator.ts';
import type { RegistrationBook } from '#ports/registration-book.ts';
import { opportunityAsOf } from './ledger-queries.ts';
import { verifyLedger } from './ledger-verify.ts';

/** What the deal card reads: the ledger, its digests and key (to verify), and the registrations. */
export interface DealCardDependencies {
  readonly ledger: LedgerStore;
  /** The ledger digests; without them the badge can say no more than `verified-without-digests`. */
  readonly digests: DigestStore | undefined;
  readonly ledgerKey: LedgerAuthenticator;
  readonly registrations: Pick<RegistrationBook, 'get'>;
  /** System time: which entries are old enough to be in a digest. */
  readonly now: () => Date;
}

/**
 * Everything recorded so far: the card shows the ledger as it stands, every entry it holds with
 * corrections applied, whatever business time an entry names.
 */
const everythingRecorded = { asOf: '9999-12-31T23:59:59.999Z', knownAt: '9999-12-31T23:59:59.999Z' };

/**
 * The app card of one HubSpot deal (the ledger's opportunity):
 * 1. verify the deal's chain as `dealreg ledger verify --opportunity` does (hashes, links, MACs,
 *    digests);
 * 2. fold the chain into the deal's partner attributions and registrations;
 * 3. read each named registration for its partner name, status, rule and SLA;
 * 4. build the card. A deal the ledger does not know is an empty card, not an error.
 */
export async function readDealAttributionCard(
  deps: DealCardDependencies,
  dealId: string,
): Promise<DealAttributionCard> {
  const report = await verifyLedger(
    { store: deps.ledger, digests: deps.digests, ledgerKey: deps.ledgerKey, now: deps.now },
    { opportunityId: dealId },
  );
  const firstBreak = report.broken[0];
  const verification: ChainVerification = {
    result: report.result,
    entries: report.entries,
    firstProblem:
      firstBreak === undefined
        ? report.digestProblems[0]
        : `entry #${firstBreak.sequence}: ${firstBreak.detail}`,
  };

  let state: OpportunityState | undefined;
  try {
    state = await opportunityAsOf(deps.ledger, dealId, everythingRecorded);
  } catch (error) {
    // An entry too damaged to read: verification has already named it; the card shows no rows.
    if (!(error instanceof InvalidLedgerEntryError)) throw error;
    state = undefined;
  }

  const registrationIds = [
    ...new Set([
      ...(state?.registrations ?? []).map((registration) => registration.registrationId),
      ...(state?.attributions ?? []).flatMap((record) => record.registrationId ?? []),
    ]),
  ];
  const stored = await Promise.all(registrationIds.map((id) => deps.registrations.get(id)));
  const registrations = new Map<string, StoredRegistration>();
  for (const registration of stored) {
    if (registration !== undefined) registrations.set(registration.registrationId, registration);
  }
  return dealAttributionCard({ dealId, state, registrations, verification });
}
