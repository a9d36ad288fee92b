import { createHash } from 'node:crypto';
import * as z from 'zod';
import { chainIdSchema, macHexSchema, sha256HexSchema } from './entry.ts';
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

/**
 * A digest as written before entries carried MACs (version 1): every chain head and their Merkle
 * root. Still checked (its heads must be in the ledger, unchanged), but it vouches for nothing
 * else: anyone able to write the digest store could have written one.
 */
const legacyDigestSchema = z.strictObject({
  version: z.literal(1),
  createdAt: z.iso.datetime({ precision: 3 }),
  chains: z.int().min(0),
  entries: z.int().min(0),
  root: sha256HexSchema,
  heads: z.array(digestHeadSchema),
});
export type LegacyDigest = z.infer<typeof legacyDigestSchema>;

const authenticatedHeadSchema = digestHeadSchema.extend({
  /**
   * When the digest was written, every entry 1…sequence of this chain verified: its hash, its link
   * and its MAC (or, for an entry written before the key epoch, the key-epoch digest sealed it).
   * Verify then checks the MACs of this chain's later entries only.
   */
  authenticated: z.boolean(),
});
export type AuthenticatedHead = z.infer<typeof authenticatedHeadSchema>;

/** When entries started to carry MACs: the moment of the first authenticated digest (number 1). */
const keyEpochSchema = z.strictObject({
  startedAt: z.iso.datetime({ precision: 3 }),
  /**
   * Whether entries without a MAC in digest 1's heads are accepted (true when the ledger already
   * had digests before the key epoch, i.e. it predates entry MACs). False for a ledger that
   * started with MACs: there, an entry without one is never genuine.
   */
  sealsLegacyEntries: z.boolean(),
});
export type KeyEpoch = z.infer<typeof keyEpochSchema>;

/**
 * A digest written by the digest writer with the ledger key (version 2): numbered without gaps,
 * linked to the one before, every chain's length and head hash, whether each chain verified, the
 * key epoch, the schedule's interval (so verify knows which digests must exist), and a MAC over
 * all of it.
 */
const authenticatedDigestSchema = z.strictObject({
  version: z.literal(2),
  /** 1, 2, 3, … with no gap: a missing number is a missing digest. */
  number: z.int().min(1),
  /** The digest before this one: its name and the SHA-256 of its canonical JSON. */
  previous: z.strictObject({ name: z.string().min(1), sha256: sha256HexSchema }).nullable(),
  createdAt: z.iso.datetime({ precision: 3 }),
  /** How often digests are written: an entry older than twice this must be in the latest digest. */
  everySeconds: z.int().min(1),
  keyEpoch: keyEpochSchema,
  chains: z.int().min(0),
  entries: z.int().min(0),
  root: sha256HexSchema,
  heads: z.array(authenticatedHeadSchema),
  /**
   * Present when this digest begins a new series: the ledger it describes holds none of the chain
   * heads the digest before it recorded (a ledger started afresh beside an earlier one's digests),
   * and the operator said to start over. It still names the digest before it (`previous`), so the
   * earlier series cannot be removed unseen; verify checks the ledger against this series only.
   */
  newSeries: z.strictObject({ reason: z.string().min(1).max(1_000) }).optional(),
  /** The digest writer's MAC over the rest (`digestMacMessage`). */
  mac: macHexSchema,
});
export type AuthenticatedDigest = z.infer<typeof authenticatedDigestSchema>;
export type AuthenticatedDigestBody = Omit<AuthenticatedDigest, 'mac'>;

/** Any digest verify reads. */
export type LedgerDigest = LegacyDigest | AuthenticatedDigest;

const ledgerDigestSchema = z.discriminatedUnion('version', [legacyDigestSchema, authenticatedDigestSchema]);

function sortedHeads<T extends ChainHead>(heads: readonly T[]): T[] {
  return [...heads].sort(byOpportunity);
}

/** Builds a version-1 digest document (as the ledger wrote before entry MACs) for the given heads. */
export function buildLegacyDigest(heads: readonly ChainHead[], createdAt: Date): LegacyDigest {
  const sorted = sortedHeads(heads).map((head) => ({
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

/** Builds an authenticated digest without its MAC (the caller adds the digest writer's MAC). */
export function buildDigestBody(options: {
  readonly number: number;
  readonly previous: { readonly name: string; readonly sha256: string } | null;
  readonly createdAt: Date;
  readonly everySeconds: number;
  readonly keyEpoch: KeyEpoch;
  readonly heads: readonly (ChainHead & { readonly authenticated: boolean })[];
  /** Why this digest begins a new series (see the schema's `newSeries`). */
  readonly newSeries?: { readonly reason: string } | undefined;
}): AuthenticatedDigestBody {
  const heads = sortedHeads(options.heads).map((head) => ({
    opportunityId: head.opportunityId,
    sequence: head.sequence,
    hash: head.hash,
    authenticated: head.authenticated,
  }));
  return {
    version: 2,
    number: options.number,
    previous: options.previous === null ? null : { ...options.previous },
    createdAt: options.createdAt.toISOString(),
    everySeconds: options.everySeconds,
    keyEpoch: { ...options.keyEpoch },
    chains: heads.length,
    entries: heads.reduce((sum, head) => sum + head.sequence, 0),
    root: merkleRoot(heads),
    heads,
    // Left out, not undefined, when absent: earlier digests' MACs cover their JSON as it is.
    ...(options.newSeries === undefined ? {} : { newSeries: { reason: options.newSeries.reason } }),
  };
}

/** The SHA-256 (hex) of a digest's canonical JSON: what the next digest's `previous` records. */
export function digestFingerprint(digest: LedgerDigest): string {
  return createHash('sha256').update(canonicalJson(digest)).digest('hex');
}

/** Parses a stored digest (either version) and checks that its root commits to its heads. */
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
  const entries = result.data.heads.reduce((sum, head) => sum + head.sequence, 0);
  if (result.data.chains !== result.data.heads.length || result.data.entries !== entries) {
    throw new InvalidDigestError(
      `digest ${name} counts ${result.data.chains} chains and ${result.data.entries} entries, but its heads hold ${result.data.heads.length} chains and ${entries} entries`,
    );
  }
  return result.data;
}
