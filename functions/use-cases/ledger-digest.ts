import { type AuthenticationRules, ChainVerifier } from '#domain/ledger/chain-verifier.ts';
import {
  assessDigests,
  type CheckedDigest,
  DEFAULT_DIGEST_EVERY_SECONDS,
  type DigestAssessment,
} from '#domain/ledger/digest-rules.ts';
import { digestMacMessage } from '#domain/ledger/entry-mac.ts';
import { InvalidDigestError } from '#domain/ledger/errors.ts';
import {
  type AuthenticatedDigest,
  type AuthenticatedHead,
  buildDigestBody,
  digestFingerprint,
  type KeyEpoch,
  type LedgerDigest,
  parseDigest,
} from '#domain/ledger/merkle.ts';
import type { ChainHead } from '#domain/ledger/seal.ts';
import { counted } from '#domain/plural.ts';
import type { DigestStore, LedgerStore } from '#ports/ledger.ts';
import type { LedgerAuthenticator } from '#ports/ledger-authenticator.ts';

export interface DigestDependencies {
  readonly store: LedgerStore;
  readonly digests: DigestStore;
  /** The ledger key: checks the MACs of new entries and signs the digest. */
  readonly ledgerKey: LedgerAuthenticator;
  readonly now?: () => Date;
  /** Chains whose heads are read at once. @default 16 */
  readonly concurrency?: number;
  /**
   * How often digests are written (the schedule's interval), recorded in each digest so verify
   * knows which digests must exist. @default 86400 (a day, the deployed schedule)
   */
  readonly everySeconds?: number;
  /**
   * What to do when the ledger holds none of the chain heads the last digest recorded (it was
   * replaced, or started afresh beside an earlier ledger's digests):
   * - `record-deleted` (the scheduled writer): digest it as it is, every recorded chain missing
   *   and unauthenticated, so the alarm goes off;
   * - `refuse`: write nothing and fail with `AnotherLedgerError`, naming the way to start over;
   * - `start-new-series`: begin a new series (a new key epoch) that still names the digest before
   *   it; verify then checks the ledger against the new series and says the earlier one describes
   *   another ledger.
   * @default 'record-deleted'
   */
  readonly onAnotherLedger?: 'record-deleted' | 'refuse' | 'start-new-series';
}

/** The ledger holds none of the chain heads the last digest recorded, and the writer was told to refuse. */
export class AnotherLedgerError extends Error {
  override readonly name = 'AnotherLedgerError';
}

/** Runs `work` over `items`, at most `concurrency` at a time. */
async function inParallel<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

/** The name of authenticated digest `number` (`digest-00000042.json`); they sort in order. */
export function digestName(number: number): string {
  return `digest-${String(number).padStart(8, '0')}.json`;
}

/** Reads every chain head: chain ids from the sparse index, then one consistent query per chain. */
export async function readChainHeads(store: LedgerStore, concurrency = 16): Promise<ChainHead[]> {
  const ids = await store.listChainIds();
  const heads: ChainHead[] = [];
  await inParallel(ids, concurrency, async (id) => {
    const head = await store.readHead(id);
    if (head !== undefined) heads.push(head);
  });
  return heads;
}

/** A chain the digest writer could not vouch for, and why. */
export interface UnauthenticatedChain {
  readonly opportunityId: string;
  readonly sequence: number;
  readonly problem: string;
  readonly detail: string;
}

/** Checks the pending MACs of a verifier with the ledger key, recording each that fails. */
export async function checkPendingMacs(verifier: ChainVerifier, ledgerKey: LedgerAuthenticator) {
  const pending = verifier.takePendingMacs();
  if (pending.length === 0) return;
  const valid = await ledgerKey.verifyMacs(pending);
  pending.forEach((claim, index) => {
    if (valid[index] !== true) verifier.rejectMac(claim);
  });
}

/**
 * Writes the next digest to write-once storage: every chain's length and head hash, numbered after
 * the last digest and linked to it, signed with the ledger key. Before a chain's head goes in as
 * authenticated, the entries added since the last digest are checked (hashes, links and MACs);
 * a chain that fails goes in unauthenticated and is returned, so the caller can raise the alarm.
 * The first digest written with the key starts the key epoch: when the ledger already had digests,
 * the entries it holds without a MAC (written before MACs) are sealed by it as they are.
 */
export async function writeDigest(deps: DigestDependencies): Promise<{
  location: string;
  digest: AuthenticatedDigest;
  unauthenticated: UnauthenticatedChain[];
}> {
  const now = (deps.now ?? (() => new Date()))();
  const concurrency = deps.concurrency ?? 16;
  const { checked } = await readCheckedDigests(deps.digests, deps.ledgerKey);
  const previous = checked
    .filter(
      (item): item is CheckedDigest & { digest: AuthenticatedDigest } =>
        item.digest.version === 2 && item.macValid === true,
    )
    .sort((a, b) => a.digest.number - b.digest.number)
    .at(-1);
  const heads = await readChainHeads(deps.store, concurrency);
  const anotherLedger =
    previous !== undefined && !(await holdsAnyHeadOf(deps.store, previous.digest.heads, heads));
  if (anotherLedger && deps.onAnotherLedger === 'refuse') {
    throw new AnotherLedgerError(
      `the ledger holds none of the ${counted(previous.digest.heads.length, 'chain head')} digest ${previous.name} recorded: it was replaced, or started afresh beside an earlier ledger's digests. Nothing was written. If it was started afresh on purpose, begin a new digest series (dealreg ledger digest --new-series); if not, restore the ledger from point-in-time recovery`,
    );
  }
  const newSeries =
    anotherLedger && deps.onAnotherLedger === 'start-new-series'
      ? {
          reason: `the ledger holds none of the ${counted(previous.digest.heads.length, 'chain head')} digest ${previous.name} recorded: started afresh on ${now.toISOString()}`,
        }
      : undefined;
  // A new series is judged as a first digest: its own key epoch, nothing recorded before it.
  const recordedBefore = newSeries === undefined ? previous : undefined;
  const keyEpoch: KeyEpoch = recordedBefore?.digest.keyEpoch ?? {
    startedAt: now.toISOString(),
    sealsLegacyEntries: newSeries === undefined && checked.some((item) => item.digest.version === 1),
  };
  const number = (previous?.digest.number ?? 0) + 1;
  // Named by number and written only if the name is free: of two digest runs at once, one writes
  // the number and the other fails, so the series never holds a number twice.
  const name = digestName(number);
  const previousHeads = new Map(recordedBefore?.digest.heads.map((head) => [head.opportunityId, head]));
  // After the key epoch began, entries without a MAC are accepted only where digest 1 sealed them.
  const epochHeads = new Map<string, number>();
  const first = checked.find((item) => item.digest.version === 2 && item.digest.number === 1);
  if (recordedBefore !== undefined && first?.macValid === true && keyEpoch.sealsLegacyEntries) {
    for (const head of first.digest.heads) epochHeads.set(head.opportunityId, head.sequence);
  }

  const authenticatedHeads: AuthenticatedHead[] = [];
  const unauthenticated: UnauthenticatedChain[] = [];
  await inParallel(heads, concurrency, async (head) => {
    const before = previousHeads.get(head.opportunityId);
    if (before?.authenticated === true && before.sequence === head.sequence && before.hash === head.hash) {
      authenticatedHeads.push({ ...before });
      return;
    }
    const rules: AuthenticationRules = {
      attestedThrough: new Map(before?.authenticated === true ? [[head.opportunityId, before.sequence]] : []),
      // Digest 1 starts the key epoch: what lacks a MAC now was written before MACs, and it
      // seals that as it is (only a ledger that had digests before can have such entries).
      legacyThrough:
        recordedBefore === undefined
          ? new Map(keyEpoch.sealsLegacyEntries ? [[head.opportunityId, Number.MAX_SAFE_INTEGER]] : [])
          : epochHeads,
      epochDigest: recordedBefore === undefined ? name : undefined,
      coveredThrough: new Map(),
      dueBefore: undefined,
      everySeconds: deps.everySeconds ?? DEFAULT_DIGEST_EVERY_SECONDS,
    };
    const verifier = new ChainVerifier({ only: head.opportunityId, authentication: rules });
    if (recordedBefore !== undefined) verifier.expectDigest(recordedBefore.digest, recordedBefore.name);
    for (const item of await deps.store.readChainRaw(head.opportunityId)) verifier.add(item);
    await checkPendingMacs(verifier, deps.ledgerKey);
    const report = verifier.finish();
    const found = report.heads.find((candidate) => candidate.opportunityId === head.opportunityId) ?? head;
    const problem = report.broken[0];
    authenticatedHeads.push({
      opportunityId: found.opportunityId,
      sequence: found.sequence,
      hash: found.hash,
      authenticated: problem === undefined,
    });
    if (problem !== undefined) unauthenticated.push({ ...problem });
  });

  const present = new Set(heads.map((head) => head.opportunityId));
  for (const before of previousHeads.values()) {
    if (present.has(before.opportunityId)) continue;
    unauthenticated.push({
      opportunityId: before.opportunityId,
      sequence: 1,
      problem: 'chain-deleted',
      detail: `digest ${recordedBefore?.name} recorded ${before.sequence} entries on this chain; the ledger lists it no more`,
    });
  }

  const body = buildDigestBody({
    number,
    previous:
      previous === undefined ? null : { name: previous.name, sha256: digestFingerprint(previous.digest) },
    createdAt: now,
    everySeconds: deps.everySeconds ?? DEFAULT_DIGEST_EVERY_SECONDS,
    keyEpoch,
    heads: authenticatedHeads,
    newSeries,
  });
  const digest: AuthenticatedDigest = {
    ...body,
    mac: await deps.ledgerKey.generateMac(digestMacMessage(body)),
  };
  const location = await deps.digests.write(name, JSON.stringify(digest));
  unauthenticated.sort((a, b) => (a.opportunityId < b.opportunityId ? -1 : 1));
  return { location, digest, unauthenticated };
}

/**
 * Whether the ledger holds any chain head a digest recorded: the chain's entry at that sequence
 * has that hash (the chain's head when it has not grown since, else read from the chain).
 */
async function holdsAnyHeadOf(
  store: LedgerStore,
  recorded: readonly ChainHead[],
  current: readonly ChainHead[],
): Promise<boolean> {
  if (recorded.length === 0) return true;
  const heads = new Map(current.map((head) => [head.opportunityId, head]));
  for (const before of recorded) {
    const now = heads.get(before.opportunityId);
    if (now === undefined || now.sequence < before.sequence) continue;
    if (now.sequence === before.sequence) {
      if (now.hash === before.hash) return true;
      continue;
    }
    const items = await store.readChainRaw(before.opportunityId);
    if (items.some((item) => item.sequence === before.sequence && item.hash === before.hash)) return true;
  }
  return false;
}

/**
 * Reads and parses every stored digest (each root must match its heads). A digest that cannot be
 * read is reported in `problems`; the others are still returned.
 */
export async function loadDigests(
  digests: DigestStore,
): Promise<{ loaded: { name: string; digest: LedgerDigest }[]; problems: string[] }> {
  const loaded: { name: string; digest: LedgerDigest }[] = [];
  const problems: string[] = [];
  for (const name of await digests.list()) {
    const text = await digests.read(name);
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch (error) {
      problems.push(`digest ${name} is not JSON: ${(error as Error).message}`);
      continue;
    }
    try {
      loaded.push({ name, digest: parseDigest(document, name) });
    } catch (error) {
      if (!(error instanceof InvalidDigestError)) throw error;
      problems.push(error.message);
    }
  }
  return { loaded, problems };
}

/** Reads every digest and checks the MACs of the authenticated ones with the ledger key (one call). */
export async function readCheckedDigests(
  digests: DigestStore,
  ledgerKey: LedgerAuthenticator,
): Promise<{ checked: CheckedDigest[]; problems: string[] }> {
  const { loaded, problems } = await loadDigests(digests);
  const signed = loaded.filter(
    (item): item is { name: string; digest: AuthenticatedDigest } => item.digest.version === 2,
  );
  const valid = await ledgerKey.verifyMacs(
    signed.map(({ digest: { mac, ...body } }) => ({ message: digestMacMessage(body), mac })),
  );
  const macValid = new Map(signed.map((item, index) => [item.name, valid[index] === true]));
  return {
    checked: loaded.map((item) => ({ ...item, macValid: macValid.get(item.name) })),
    problems,
  };
}

/** Reads the digests and judges them (`assessDigests`): what verify may rely on, and what is missing. */
export async function readDigestAssessment(
  digests: DigestStore | undefined,
  ledgerKey: LedgerAuthenticator,
  options: { now: Date; defaultEverySeconds?: number | undefined },
): Promise<DigestAssessment> {
  if (digests === undefined) return assessDigests([], options);
  const { checked, problems } = await readCheckedDigests(digests, ledgerKey);
  const assessment = assessDigests(checked, options);
  return { ...assessment, problems: [...problems, ...assessment.problems] };
}
