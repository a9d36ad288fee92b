import { InvalidDigestError } from '#domain/ledger/errors.ts';
import { buildDigest, type LedgerDigest, parseDigest } from '#domain/ledger/merkle.ts';
import type { ChainHead } from '#domain/ledger/seal.ts';
import type { DigestStore, LedgerStore } from '#ports/ledger.ts';

export interface DigestDependencies {
  readonly store: LedgerStore;
  readonly digests: DigestStore;
  readonly now?: () => Date;
  /** Chains whose heads are read at once. @default 16 */
  readonly concurrency?: number;
}

/** Reads every chain head: chain ids from the sparse index, then one consistent query per chain. */
export async function readChainHeads(store: LedgerStore, concurrency = 16): Promise<ChainHead[]> {
  const ids = await store.listChainIds();
  const heads: ChainHead[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, ids.length) }, async () => {
      while (next < ids.length) {
        const id = ids[next++] as string;
        const head = await store.readHead(id);
        if (head !== undefined) heads.push(head);
      }
    }),
  );
  return heads;
}

/**
 * Writes a digest (Merkle root over all chain heads) to write-once storage. Run on a schedule;
 * verify later proves every head it names is still in the ledger, unchanged.
 */
export async function writeDigest(
  deps: DigestDependencies,
): Promise<{ location: string; digest: LedgerDigest }> {
  const heads = await readChainHeads(deps.store, deps.concurrency);
  const digest = buildDigest(heads, (deps.now ?? (() => new Date()))());
  const name = `digest-${digest.createdAt.replace(/[:.]/g, '-')}.json`;
  const location = await deps.digests.write(name, JSON.stringify(digest));
  return { location, digest };
}

/**
 * Reads and checks every stored digest (each root must match its heads). A digest that fails is
 * reported in `problems`; the others are still returned.
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
