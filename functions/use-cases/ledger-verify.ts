import { ChainVerifier, type VerifyReport } from '#domain/ledger/chain-verifier.ts';
import type { DigestStore, LedgerStore } from '#ports/ledger.ts';
import { loadDigests } from './ledger-digest.ts';

export interface VerifyDependencies {
  readonly store: LedgerStore;
  /** Digests to check the ledger against; omitted, only the chains are checked. */
  readonly digests?: DigestStore;
}

export interface LedgerVerification extends VerifyReport {
  /** Digests that are themselves malformed or whose root does not match their heads. */
  readonly digestProblems: readonly string[];
}

/**
 * Verifies the ledger: streams every item (parallel scan segments), or one chain with
 * `opportunityId`, through the chain verifier, checking each entry's hash, the links between
 * entries, sequence gaps and every digest's heads. Names the first bad entry of each chain.
 */
export async function verifyLedger(
  deps: VerifyDependencies,
  options: { opportunityId?: string; segments?: number } = {},
): Promise<LedgerVerification> {
  const verifier = new ChainVerifier(
    options.opportunityId === undefined ? {} : { only: options.opportunityId },
  );
  const digestProblems: string[] = [];
  if (deps.digests !== undefined) {
    const { loaded, problems } = await loadDigests(deps.digests);
    digestProblems.push(...problems);
    for (const { name, digest } of loaded) verifier.expectDigest(digest, name);
  }
  if (options.opportunityId !== undefined) {
    for (const item of await deps.store.readChainRaw(options.opportunityId)) verifier.add(item);
  } else {
    await deps.store.scanRaw(
      (items) => {
        for (const item of items) verifier.add(item);
      },
      options.segments === undefined ? {} : { segments: options.segments },
    );
  }
  const report = verifier.finish();
  return { ...report, ok: report.ok && digestProblems.length === 0, digestProblems };
}
