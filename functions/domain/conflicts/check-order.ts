/**
 * The order in which the conflict checks of one customer domain were recorded.
 *
 * The check reads the other registrations of the customer from an index that DynamoDB updates
 * after the write, so two registrations received moments apart may each be checked before the
 * index shows the other ("Read consistency for global secondary indexes": eventually consistent
 * only). Each check is therefore recorded, in turn, on one small item per customer domain that is
 * read consistently and written only if no other check was recorded since it was read: a check
 * sees every check recorded before it, so of two checks racing, the later one finds the other.
 */

/** A conflict check, as recorded for its customer domain. */
export interface RecordedCheck {
  readonly registrationId: string;
  /** When Dealreg received the registration, ISO-8601. */
  readonly receivedAt: string;
  /** Whether the check cleared the registration for automatic approval. */
  readonly cleared: boolean;
}

/** The checks recorded for a customer domain, oldest first, and the version that read them. */
export interface RecentChecks {
  /** 0 when none was ever recorded. */
  readonly version: number;
  readonly checks: readonly RecordedCheck[];
}

/**
 * How many checks the item keeps. Ordering matters only while the index has not caught up
 * (usually well under a second); older checks are ordered by their receipt, which the index
 * then shows. Kept small, the item costs one read unit and one write unit whatever the customer's
 * number of registrations.
 */
export const recentChecksKept = 16;

/**
 * The checks once `check` is recorded: appended as the newest, the oldest dropped beyond
 * {@link recentChecksKept}. A check recorded already (the step run again) keeps its place, and
 * then nothing is to be written (undefined).
 */
export function withCheck(
  checks: readonly RecordedCheck[],
  check: RecordedCheck,
): readonly RecordedCheck[] | undefined {
  if (checks.some((recorded) => recorded.registrationId === check.registrationId)) return undefined;
  return [...checks, check].slice(-recentChecksKept);
}

/**
 * The other registrations that came first whatever their receipt: those whose check was recorded
 * before the one of `registrationId` (every recorded one while that is not recorded yet) and
 * cleared them for automatic approval. Such a check did not see this registration (a registration
 * waiting before it would have stopped it), so the customer is theirs. A check recorded first that
 * did not clear its registration changes nothing: receipt decides, as it does for the rest.
 */
export function checkedFirst(checks: readonly RecordedCheck[], registrationId: string): ReadonlySet<string> {
  const own = checks.findIndex((recorded) => recorded.registrationId === registrationId);
  const before = own === -1 ? checks : checks.slice(0, own);
  return new Set(before.filter((recorded) => recorded.cleared).map((recorded) => recorded.registrationId));
}

/**
 * Other checks of the customer domain were recorded each time this one was about to be: the step
 * fails with this name, which the workflow retries after a pause.
 */
export class ConflictCheckContentionError extends Error {
  override readonly name = 'ConflictCheckContentionError';
  constructor(registrationId: string, customerDomain: string, attempts: number) {
    super(
      `the conflict check of ${registrationId} found another check of ${customerDomain} recorded while it ran, ${attempts} times in a row`,
    );
  }
}
