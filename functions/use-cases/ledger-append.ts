import { setTimeout as sleep } from 'node:timers/promises';
import { applyChanges } from '#domain/ledger/correction.ts';
import {
  instantSchema,
  type LedgerEntry,
  type LedgerEntryInput,
  ledgerEntrySchema,
} from '#domain/ledger/entry.ts';
import { entryMacMessage } from '#domain/ledger/entry-mac.ts';
import {
  AppendContentionError,
  InvalidCorrectionError,
  InvalidLedgerEntryError,
} from '#domain/ledger/errors.ts';
import { entryRecordingSameFact, mayRepeatAFact } from '#domain/ledger/recorded-facts.ts';
import { type ChainHead, describeIssues, parseEntryInput, sealEntry } from '#domain/ledger/seal.ts';
import type { LedgerStore } from '#ports/ledger.ts';
import type { LedgerAuthenticator } from '#ports/ledger-authenticator.ts';

export interface AppendDependencies {
  readonly store: LedgerStore;
  /** The ledger key: every entry carries its MAC, so an entry written without the key stands out. */
  readonly ledgerKey: LedgerAuthenticator;
  /** System time source; defaults to the wall clock. */
  readonly now?: () => Date;
  /** How often to re-read the head and retry when another writer took the sequence. @default 200 */
  readonly maxAttempts?: number;
}

/** Reads a chain and validates every entry (a chain that fails validation is reported by verify). */
export async function readChain(store: LedgerStore, opportunityId: string): Promise<LedgerEntry[]> {
  const items = await store.readChainRaw(opportunityId);
  return items.map((item) => {
    const result = ledgerEntrySchema.safeParse(item);
    if (!result.success) {
      throw new InvalidLedgerEntryError(
        [
          `stored entry ${opportunityId}#${String(item.sequence)} is unreadable (run ledger verify)`,
          ...describeIssues(result.error),
        ],
        { cause: result.error },
      );
    }
    return result.data;
  });
}

async function checkCorrection(store: LedgerStore, input: Extract<LedgerEntryInput, { type: 'Correction' }>) {
  const chain = await readChain(store, input.opportunityId);
  const target = chain.find((entry) => entry.sequence === input.supersedesSequence);
  if (target === undefined) {
    throw new InvalidCorrectionError(
      `opportunity ${input.opportunityId} has no entry ${input.supersedesSequence} to correct`,
    );
  }
  if (target.type === 'Correction') {
    throw new InvalidCorrectionError(
      `entry ${target.sequence} is itself a correction; correct entry ${target.supersedesSequence} instead`,
    );
  }
  const changes = { ...input.changes };
  if (typeof changes.effectiveAt === 'string') {
    const instant = instantSchema.safeParse(changes.effectiveAt);
    if (!instant.success)
      throw new InvalidCorrectionError(`effectiveAt: ${changes.effectiveAt} is not an ISO instant`);
    changes.effectiveAt = instant.data;
  }
  // Throws naming the field when the corrected entry would not be a valid entry of its type.
  applyChanges(target, changes);
  return changes;
}

/** Links an entry to its chain (`sealEntry`) and adds the ledger key's MAC over its place and hash. */
async function linkAndAuthenticate(
  ledgerKey: LedgerAuthenticator,
  input: ParsedInput,
  head: ChainHead | undefined,
  recordedAt: Date,
): Promise<LedgerEntry> {
  const entry = sealEntry(input, head, recordedAt);
  return { ...entry, mac: await ledgerKey.generateMac(entryMacMessage(entry)) };
}

type ParsedInput = ReturnType<typeof parseEntryInput>;

/**
 * Appends one entry to its opportunity's chain: validates it, links it to the current head and
 * inserts it, with the ledger key's MAC, on the next sequence number. When a concurrent writer took that number the head is
 * re-read and the entry re-chained, so concurrent appends never fork a chain or lose an entry.
 * With a `sourceEventId`, an event already on the chain is not appended again: its entry is
 * returned (race-free: a concurrent duplicate loses the sequence race and then finds the winner).
 * Likewise a fact the chain already records from another source (`entryRecordingSameFact`: the
 * opportunity's creation, a partner already attached with that relationship) is not appended
 * again; the entry that records it is returned.
 * A `Correction` must name an existing, non-correction entry and leave it valid.
 */
export async function appendEntryOnce(
  deps: AppendDependencies,
  input: LedgerEntryInput,
): Promise<{ entry: LedgerEntry; appended: boolean }> {
  let parsed = parseEntryInput(input);
  if (parsed.type === 'Correction') {
    parsed = { ...parsed, changes: await checkCorrection(deps.store, parsed) };
  }
  const now = deps.now ?? (() => new Date());
  const maxAttempts = deps.maxAttempts ?? 200;
  const { sourceEventId } = parsed;
  for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
    let head: ChainHead | undefined;
    if (sourceEventId === undefined && !mayRepeatAFact(parsed)) {
      head = await deps.store.readHead(parsed.opportunityId);
    } else {
      const chain = await readChain(deps.store, parsed.opportunityId);
      const recorded =
        (sourceEventId === undefined
          ? undefined
          : chain.find((entry) => entry.sourceEventId === sourceEventId)) ??
        entryRecordingSameFact(parsed, chain);
      if (recorded !== undefined) return { entry: recorded, appended: false };
      head = chain.at(-1);
    }
    const entry = await linkAndAuthenticate(deps.ledgerKey, parsed, head, now());
    if (await deps.store.insert(entry)) return { entry, appended: true };
    // Lost the race: full-jitter exponential backoff spreads the contenders out before the re-read.
    await sleep(Math.random() * Math.min(4 * 2 ** Math.min(attempt, 10), 250));
  }
  throw new AppendContentionError(parsed.opportunityId, maxAttempts);
}

/**
 * Appends one entry (see `appendEntryOnce`) and returns it — or, for a `sourceEventId` already
 * recorded, the entry recorded then. This is the one call the registration workflow and the
 * CRM-events handler make.
 */
export async function appendEntry(deps: AppendDependencies, input: LedgerEntryInput): Promise<LedgerEntry> {
  return (await appendEntryOnce(deps, input)).entry;
}

/**
 * Appends several entries all or none, in one store transaction: the heads of their chains are
 * read, the entries chained in the order given and inserted together; when another writer took
 * one of the sequence numbers nothing was written, and the heads are re-read. For plain facts
 * only: a correction, an entry with a `sourceEventId` or a fact another source may also record
 * (a creation, a partner attached) goes through `appendEntryOnce`.
 * Throws when the store has no transactions or the entries exceed its batch size.
 */
export async function appendAll(
  deps: AppendDependencies,
  inputs: readonly LedgerEntryInput[],
): Promise<LedgerEntry[]> {
  const { store } = deps;
  if (store.insertAll === undefined || store.maxBatch === undefined)
    throw new TypeError('this ledger store cannot insert entries in one transaction');
  if (inputs.length > store.maxBatch)
    throw new RangeError(`${inputs.length} entries exceed the ${store.maxBatch} one transaction can hold`);
  const parsed = inputs.map((input) => {
    const entry = parseEntryInput(input);
    if (entry.type === 'Correction' || entry.sourceEventId !== undefined || mayRepeatAFact(entry))
      throw new TypeError(`appendAll takes plain facts; append ${entry.type} entries one at a time`);
    return entry;
  });
  const chains = [...new Set(parsed.map((entry) => entry.opportunityId))];
  const now = deps.now ?? (() => new Date());
  const maxAttempts = deps.maxAttempts ?? 200;
  for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
    const heads = new Map<string, ChainHead | undefined>();
    for (const chain of chains) heads.set(chain, await store.readHead(chain));
    const recordedAt = now();
    const linked = parsed.map((input) => {
      const entry = sealEntry(input, heads.get(input.opportunityId), recordedAt);
      heads.set(input.opportunityId, entry);
      return entry;
    });
    // The links are made in order; the MACs, one key call each, all at once.
    const sealed = await Promise.all(
      linked.map(async (entry) => ({
        ...entry,
        mac: await deps.ledgerKey.generateMac(entryMacMessage(entry)),
      })),
    );
    if (await store.insertAll(sealed)) return sealed;
    await sleep(Math.random() * Math.min(4 * 2 ** Math.min(attempt, 10), 250));
  }
  throw new AppendContentionError(chains.join(', '), maxAttempts);
}
