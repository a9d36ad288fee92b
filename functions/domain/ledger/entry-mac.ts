import { createHash } from 'node:crypto';
import { canonicalJson, chainHash } from './hash.ts';

/**
 * What the ledger writer's MAC covers for one entry: its chain, its sequence and its hash (which
 * covers its content and, through `previousHash`, every entry before it). Binding the chain id and
 * the sequence means a MAC copied with an entry to another chain or position no longer verifies.
 * The prefix keeps entry MACs and digest MACs apart: one can never pass for the other.
 */
export function entryMacMessage(entry: {
  readonly opportunityId: string;
  readonly sequence: number;
  readonly hash: string;
}): string {
  return `dealreg-ledger-entry-v1\n${entry.opportunityId}\n${entry.sequence}\n${entry.hash}`;
}

/**
 * What the digest writer's MAC covers for one digest: the SHA-256 of the canonical JSON of the
 * document without its `mac` (a KMS MAC message holds at most 4,096 bytes; a digest lists every
 * chain).
 */
export function digestMacMessage(documentWithoutMac: object): string {
  const sha256 = createHash('sha256').update(canonicalJson(documentWithoutMac)).digest('hex');
  return `dealreg-ledger-digest-v2\n${sha256}`;
}

/** Top-level members of a stored entry that its own `hash` does not cover. */
export const UNHASHED_MEMBERS = ['hash', 'mac'] as const;

/** What can be told of one newly inserted entry on its own: its hash, and the MAC to check. */
export interface InsertedEntryCheck {
  readonly opportunityId: string | undefined;
  readonly sequence: number | undefined;
  /** Why the entry is not genuine, when that shows without the key. */
  readonly problem: string | undefined;
  /** The MAC to check with the ledger key, when the entry is otherwise sound. */
  readonly claim: { readonly message: string; readonly mac: string } | undefined;
}

const MAC_HEX = /^[0-9a-f]{64}$/;

/**
 * Looks at one inserted item without its chain (the stream guard sees one insert at a time): its
 * content must hash to its `hash` over its `previousHash`, and it must carry a MAC, whose
 * message is returned for the key to check. Its link to the entry before is verify's to check.
 */
export function inspectInsertedEntry(item: Record<string, unknown>): InsertedEntryCheck {
  const { opportunityId, sequence, hash, previousHash, mac } = item;
  const id = typeof opportunityId === 'string' ? opportunityId : undefined;
  const position = typeof sequence === 'number' ? sequence : undefined;
  const refuse = (problem: string): InsertedEntryCheck => ({
    opportunityId: id,
    sequence: position,
    problem,
    claim: undefined,
  });
  if (
    id === undefined ||
    position === undefined ||
    typeof hash !== 'string' ||
    typeof previousHash !== 'string'
  )
    return refuse('not a ledger entry: opportunityId, sequence, hash or previousHash is missing');
  if (mac === undefined) return refuse('entry has no MAC: it was not written by the ledger writer');
  if (typeof mac !== 'string' || !MAC_HEX.test(mac)) return refuse('its MAC is not an HMAC-SHA256 hex tag');
  const { hash: _hash, mac: _mac, ...body } = item;
  let computed: string;
  try {
    computed = chainHash(body, previousHash);
  } catch (error) {
    return refuse(`cannot canonicalise: ${(error as Error).message}`);
  }
  if (computed !== hash) return refuse(`content does not hash to its stored hash ${hash.slice(0, 12)}…`);
  return {
    opportunityId: id,
    sequence: position,
    problem: undefined,
    claim: { message: entryMacMessage({ opportunityId: id, sequence: position, hash }), mac },
  };
}
