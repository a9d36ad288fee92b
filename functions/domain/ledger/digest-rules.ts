import type { AuthenticationRules } from './chain-verifier.ts';
import { type AuthenticatedDigest, digestFingerprint, type KeyEpoch, type LedgerDigest } from './merkle.ts';

/** A digest as read from the store; for an authenticated one, whether its MAC verified. */
export interface CheckedDigest {
  readonly name: string;
  readonly digest: LedgerDigest;
  /** Version 2 only: the digest writer's MAC verified with the ledger key. */
  readonly macValid?: boolean | undefined;
}

/** What verify can rely on from the digests it found. */
export interface DigestAssessment {
  /**
   * `none`: no digest at all, so truncation and deleted chains cannot be seen (verify says so);
   * `legacy`: only digests from before entry MACs, so the key epoch has not started;
   * `authenticated`: at least one digest written with the ledger key.
   */
  readonly status: 'none' | 'legacy' | 'authenticated';
  /** Digests whose heads the ledger must still hold (every one but those whose MAC failed). */
  readonly expected: readonly { readonly name: string; readonly digest: LedgerDigest }[];
  /**
   * When the newest digests begin a new series: how many digests before it describe an earlier
   * ledger (not checked against this one), the digest that began it, and why.
   */
  readonly earlierSeries:
    | { readonly digests: number; readonly startedBy: string; readonly reason: string }
    | undefined;
  /** Digests that are missing, forged or out of order, each in words. */
  readonly problems: readonly string[];
  readonly keyEpoch: KeyEpoch | undefined;
  /** The name of the newest digest, for messages. */
  readonly latest: string | undefined;
  readonly rules: AuthenticationRules;
}

/** Digests are due every day unless a digest says otherwise (the deployed schedule). */
export const DEFAULT_DIGEST_EVERY_SECONDS = 24 * 60 * 60;

function isAuthenticated(checked: CheckedDigest): checked is CheckedDigest & { digest: AuthenticatedDigest } {
  return checked.digest.version === 2;
}

/**
 * The digests of the newest series: from the latest digest that began a new series (`newSeries`)
 * on, by number; all of them when none did. Digests before it describe an earlier ledger.
 */
export function newestDigestSeries<T extends { readonly name: string; readonly digest: LedgerDigest }>(
  digests: readonly T[],
): { readonly series: readonly T[]; readonly earlier: number; readonly startedBy: T | undefined } {
  const startedBy = digests
    .filter((item) => item.digest.version === 2 && item.digest.newSeries !== undefined)
    .sort((a, b) => (a.digest as AuthenticatedDigest).number - (b.digest as AuthenticatedDigest).number)
    .at(-1);
  if (startedBy === undefined) return { series: digests, earlier: 0, startedBy };
  const from = (startedBy.digest as AuthenticatedDigest).number;
  const series = digests.filter((item) => item.digest.version === 2 && item.digest.number >= from);
  return { series, earlier: digests.length - series.length, startedBy };
}

/** `3`, `3–5`: the numbers of a run of missing digests. */
function span(from: number, to: number): string {
  return from === to ? `number ${from} is` : `numbers ${from}–${to} are`;
}

/**
 * How long after an entry was recorded a digest must hold it: two digest intervals (one, plus one
 * for a late or retried run), and at least the interval plus ten minutes (a digest run takes time).
 */
export function digestDueAfterSeconds(everySeconds: number): number {
  return Math.max(2 * everySeconds, everySeconds + 600);
}

/**
 * Judges the digests before the entries are read: which are forged (their MAC fails), whether the
 * authenticated ones are numbered without a gap and each follows the one before, when the key
 * epoch began and what it sealed, and which entries must by now be in a digest (see
 * `digestDueAfterSeconds`).
 */
export function assessDigests(
  digests: readonly CheckedDigest[],
  options: { readonly now: Date; readonly defaultEverySeconds?: number | undefined },
): DigestAssessment {
  const problems: string[] = [];
  const trusted = digests.filter((checked) => {
    if (!isAuthenticated(checked) || checked.macValid === true) return true;
    problems.push(
      `digest ${checked.name}: its MAC does not verify with the ledger key, so the digest writer did not write it`,
    );
    return false;
  });
  const authenticated = trusted
    .filter(isAuthenticated)
    .sort((a, b) => a.digest.number - b.digest.number || (a.name < b.name ? -1 : 1));

  let expectedNumber = 1;
  let before: (CheckedDigest & { digest: AuthenticatedDigest }) | undefined;
  for (const current of authenticated) {
    const { number } = current.digest;
    if (before !== undefined && number === before.digest.number) {
      problems.push(`digests ${before.name} and ${current.name} both claim number ${number}`);
      continue;
    }
    if (number > expectedNumber) {
      const where =
        before === undefined ? `before ${current.name}` : `between ${before.name} and ${current.name}`;
      problems.push(`digest ${span(expectedNumber, number - 1)} missing (${where})`);
    } else if (number === 1 && current.digest.previous !== null) {
      problems.push(`digest ${current.name} is number 1 but names a digest before it`);
    } else if (before !== undefined) {
      const previous = current.digest.previous;
      if (
        previous === null ||
        previous.name !== before.name ||
        previous.sha256 !== digestFingerprint(before.digest)
      ) {
        problems.push(
          `digest ${current.name} (number ${number}) does not follow digest ${before.name}: it records ${previous === null ? 'no previous digest' : `${previous.name} (${previous.sha256.slice(0, 12)}…)`} before it`,
        );
      }
    }
    if (before !== undefined && current.digest.createdAt < before.digest.createdAt) {
      problems.push(`digest ${current.name} (number ${number}) was created before digest ${before.name}`);
    }
    expectedNumber = number + 1;
    before = current;
  }

  // The ledger is checked against the newest series only: digests before a new series describe
  // an earlier ledger (they stay in the numbered, linked sequence checked above).
  const { series: inSeries, earlier, startedBy } = newestDigestSeries(trusted);
  const series = inSeries.filter(isAuthenticated);
  const first =
    startedBy === undefined ? authenticated.find((checked) => checked.digest.number === 1) : series[0];
  const keyEpoch = first?.digest.keyEpoch ?? authenticated[0]?.digest.keyEpoch;
  for (const checked of series) {
    const epoch = checked.digest.keyEpoch;
    if (
      keyEpoch !== undefined &&
      (epoch.startedAt !== keyEpoch.startedAt || epoch.sealsLegacyEntries !== keyEpoch.sealsLegacyEntries)
    ) {
      problems.push(
        `digest ${checked.name} records another key epoch (${epoch.startedAt}) than digest ${first?.digest.number ?? 1}`,
      );
    }
  }

  const legacyThrough = new Map<string, number>();
  if (first?.digest.keyEpoch.sealsLegacyEntries) {
    for (const head of first.digest.heads) legacyThrough.set(head.opportunityId, head.sequence);
  }
  const latestAuthenticated = authenticated.at(-1);
  const attestedThrough = new Map<string, number>();
  for (const head of latestAuthenticated?.digest.heads ?? []) {
    if (head.authenticated) attestedThrough.set(head.opportunityId, head.sequence);
  }
  const coveredThrough = new Map<string, number>();
  for (const { digest } of inSeries) {
    for (const head of digest.heads) {
      if (head.sequence > (coveredThrough.get(head.opportunityId) ?? 0))
        coveredThrough.set(head.opportunityId, head.sequence);
    }
  }
  const everySeconds =
    latestAuthenticated?.digest.everySeconds ?? options.defaultEverySeconds ?? DEFAULT_DIGEST_EVERY_SECONDS;
  const latest = [...inSeries].sort((a, b) =>
    a.digest.createdAt < b.digest.createdAt ? -1 : a.digest.createdAt > b.digest.createdAt ? 1 : 0,
  );
  return {
    status: digests.length === 0 ? 'none' : authenticated.length === 0 ? 'legacy' : 'authenticated',
    expected: inSeries.map(({ name, digest }) => ({ name, digest })),
    earlierSeries:
      first === undefined || startedBy === undefined
        ? undefined
        : { digests: earlier, startedBy: first.name, reason: first.digest.newSeries?.reason ?? '' },
    problems,
    keyEpoch,
    latest: latest.at(-1)?.name,
    rules: {
      attestedThrough,
      legacyThrough,
      epochDigest: first?.name,
      coveredThrough,
      dueBefore: new Date(options.now.getTime() - digestDueAfterSeconds(everySeconds) * 1000).toISOString(),
      everySeconds,
    },
  };
}
