import { createHash } from 'node:crypto';
import * as z from 'zod';
import { chainIdSchema, sha256HexSchema } from './entry.ts';
import { InvalidDigestError } from './errors.ts';
import { canonicalJson } from './hash.ts';
import { type ChainHead, describeIssues } from './seal.ts';

const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);

function byOpportunity(a: ChainHead, b: ChainHead): number {
  return a.opportunityId < b.opportunityId ? -1 : a.opportunityId > b.opportunityId ? 1 : 0;
}

/**
 * Merkle root (hex) over chain heads, sorted by opportunity id. Leaves and inner nodes are
 * domain-separated (0x00 / 0x01 prefixes, as in RFC 6962) so a leaf can never pose as a node;
 * an odd node is carried up unchanged.
 */
export function merkleRoot(heads: readonly ChainHead[]): string {
  if (heads.length === 0) return createHash('sha256').digest('hex');
  let level: Buffer[] = [...heads].sort(byOpportunity).map((head) =>
    createHash('sha256')
      .update(LEAF)
      .update(canonicalJson({ hash: head.hash, opportunityId: head.opportunityId, sequence: head.sequence }))
      .digest(),
  );
  while (level.length > 1) {
    const next: Buffer[] = [];
    for (let index = 0; index < level.length; index += 2) {
      const left = level[index] as Buffer;
      const right = level[index + 1];
      next.push(
        right === undefined ? left : createHash('sha256').update(NODE).update(left).update(right).digest(),
      );
    }
    level = next;
  }
  return (level[0] as Buffer).toString('hex');
}

const digestHeadSchema = z.strictObject({
  opportunityId: chainIdSchema,
  sequence: z.int().min(1),
  hash: sha256HexSchema,
});

/** A periodic commitment to the whole ledger: every chain head and their Merkle root. */
const ledgerDigestSchema = z.strictObject({
  version: z.literal(1),
  createdAt: z.iso.datetime({ precision: 3 }),
  chains: z.int().min(0),
  entries: z.int().min(0),
  root: sha256HexSchema,
  heads: z.array(digestHeadSchema),
});
export type LedgerDigest = z.infer<typeof ledgerDigestSchema>;

/** Builds the digest document for the given heads. */
export function buildDigest(heads: readonly ChainHead[], createdAt: Date): LedgerDigest {
  const sorted = [...heads].sort(byOpportunity).map((head) => ({
    opportunityId: head.opportunityId,
    sequence: head.sequence,
    hash: head.hash,
  }));
  return {
    version: 1,
    createdAt: createdAt.toISOString(),
    chains: sorted.length,
    entries: sorted.reduce((sum, head) => sum + head.sequence, 0),
    root: merkleRoot(sorted),
    heads: sorted,
  };
}

/** Parses a stored digest and checks that its root commits to its heads. */
export function parseDigest(document: unknown, name: string): LedgerDigest {
  const result = ledgerDigestSchema.safeParse(document);
  if (!result.success) {
    throw new InvalidDigestError(`digest ${name} is malformed: ${describeIssues(result.error).join('; ')}`, {
      cause: result.error,
    });
  }
  const root = merkleRoot(result.data.heads);
  if (root !== result.data.root) {
    throw new InvalidDigestError(
      `digest ${name} root ${result.data.root} does not match its heads (${root})`,
    );
  }
  return result.data;
}
