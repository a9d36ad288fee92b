import { isAscii } from 'node:buffer';
import { hash as digest } from 'node:crypto';
import { plural } from '#domain/plural.ts';
import { GENESIS_HASH, ledgerEntrySchema } from './entry.ts';
import { entryMacMessage, UNHASHED_MEMBERS } from './entry-mac.ts';
import { CanonicalTextScanner, fastCanonicalJson, parseWithCanonicalJson } from './fast-canonical-json.ts';
import { chainHash } from './hash.ts';
import type { LedgerDigest } from './merkle.ts';
import { type ChainHead, describeIssues } from './seal.ts';

type ChainProblem =
  | 'malformed'
  | 'hash-mismatch'
  | 'broken-link'
  | 'sequence-gap'
  | 'digest-mismatch'
  | 'missing-entry'
  | 'truncated'
  | 'chain-deleted'
  | 'missing-mac'
  | 'bad-mac';

/** The oldest entry of a chain that should be in a digest by now but is in none. */
export interface UndigestedEntry {
  readonly opportunityId: string;
  readonly sequence: number;
  readonly recordedAt: string;
}

/**
 * What the digests say about authenticating entries (`assessDigests` builds it): which entries
 * need their MAC checked, which may go without one, and which must already be in a digest.
 */
export interface AuthenticationRules {
  /**
   * Per chain, the entries 1…n the latest authenticated digest vouches for (it verified their
   * MACs when it was written; their content is still checked against its head). Later entries'
   * MACs are checked.
   */
  readonly attestedThrough: ReadonlyMap<string, number>;
  /** Per chain, the entries 1…n written before the key epoch and sealed by its digest: no MAC needed. */
  readonly legacyThrough: ReadonlyMap<string, number>;
  /** Name of the key-epoch digest (number 1), for messages; undefined when there is none. */
  readonly epochDigest: string | undefined;
  /** Per chain, the highest sequence any digest records. */
  readonly coveredThrough: ReadonlyMap<string, number>;
  /** An entry recorded before this instant must be in a digest (`digestDueAfterSeconds`); undefined: no such rule. */
  readonly dueBefore: string | undefined;
  /** How often digests are written, for messages. */
  readonly everySeconds: number;
}

/** An entry's MAC still to be checked with the ledger key (asynchronously, by the caller). */
export interface PendingMac {
  readonly opportunityId: string;
  readonly sequence: number;
  readonly message: string;
  readonly mac: string;
}

/** The first bad entry of a chain: where it is and what differs. */
interface ChainBreak {
  readonly opportunityId: string;
  readonly sequence: number;
  readonly problem: ChainProblem;
  readonly detail: string;
}

export interface VerifyReport {
  readonly ok: boolean;
  readonly chains: number;
  readonly entries: number;
  readonly digestsChecked: number;
  /** Chain heads the digests recorded (each chain and sequence once) that this verifier checks. */
  readonly digestHeadsExpected: number;
  /**
   * Of those, the ones found in the ledger with the recorded hash. 0 of a positive number: the
   * ledger shares no entry with any digest — the digests describe another ledger (a fresh one
   * beside old digests), which is "no digest for this ledger", not a break of every chain.
   */
  readonly digestHeadsMatched: number;
  /** Entry MACs checked with the ledger key (entries an authenticated digest vouches for are not). */
  readonly macsChecked: number;
  /**
   * Per chain, the first entry recorded more than two digest intervals ago that no digest records:
   * digests that should exist are missing (not a break of the chain itself).
   */
  readonly undigested: readonly UndigestedEntry[];
  /** One break per broken chain (its lowest sequence), ordered by opportunity id. */
  readonly broken: readonly ChainBreak[];
  /** Heads as found (the last contiguous entry of each chain), for the next digest. */
  readonly heads: readonly ChainHead[];
  /**
   * The digest heads (chain and sequence) this verifier checks that never appeared: each is a
   * truncated chain, a deleted chain or a missing entry, unless the source predates the digest.
   */
  readonly unseenDigestHeads: readonly { readonly opportunityId: string; readonly sequence: number }[];
  /**
   * The latest `recordedAt` of any entry read, of every chain (not only those this verifier
   * checks); undefined when none had one. An export holds no entry recorded after it was written.
   */
  readonly latestRecordedAt: string | undefined;
}

interface Link {
  readonly hash: string;
  readonly previousHash: string;
}

interface ChainState {
  /** Highest sequence n such that 1..n have all been seen. */
  contiguous: number;
  lastHash: string;
  /** Entries that arrived ahead of a missing one (only when the source is not in order). */
  pending: Map<number, Link> | undefined;
  firstBreak: ChainBreak | undefined;
}

interface ExpectedHead {
  readonly hash: string;
  readonly digest: string;
  seen: boolean;
}

/** Where problems of items without a usable opportunity id are filed. */
const UNKNOWN = '(unknown)';

/** One of `count` disjoint parts of the chains, checked by its own verifier (e.g. in a worker). */
export interface VerifyPart {
  readonly index: number;
  readonly count: number;
}

/** The part (0 … count-1) a chain belongs to: FNV-1a over its id, so every verifier agrees. */
function partOfChain(opportunityId: string, count: number): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < opportunityId.length; index += 1) {
    hash = Math.imul(hash ^ opportunityId.charCodeAt(index), 0x01000193);
  }
  return (hash >>> 0) % count;
}

/** Top-level members the canonical-text path reads, by their index in the scanner. */
const LINE_MEMBERS = ['hash', 'opportunityId', 'sequence', 'previousHash', 'mac', 'recordedAt'];
const HASH = 0;
const OPPORTUNITY_ID = 1;
const SEQUENCE = 2;
const PREVIOUS_HASH = 3;
const MAC = 4;
const RECORDED_AT = 5;
const MAC_HEX = /^[0-9a-f]{64}$/;
const ONE = 0x31;
const NINE = 0x39;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Whether ASCII `bytes[start, end)` spell `text` (or `text` is ASCII and they spell it). */
function spells(bytes: Uint8Array, start: number, end: number, text: string): boolean {
  if (end - start !== text.length) return false;
  for (let index = 0; index < text.length; index += 1) {
    if (bytes[start + index] !== text.charCodeAt(index)) return false;
  }
  return true;
}

const short = (hash: unknown) => (typeof hash === 'string' ? `${hash.slice(0, 12)}…` : String(hash));

/**
 * Checks hash chains one raw item at a time, in any arrival order, holding only per-chain
 * state: each entry's own hash (canonical JSON of everything but `hash`, plus the previous hash),
 * the previous-hash link to the entry before it, gaps in sequence numbers, and the heads
 * recorded in digests. Names the lowest-sequence problem of every chain.
 */
export class ChainVerifier {
  readonly #chains = new Map<string, ChainState>();
  readonly #expected = new Map<string, Map<number, ExpectedHead>>();
  readonly #only: string | undefined;
  readonly #part: VerifyPart | undefined;
  readonly #rules: AuthenticationRules | undefined;
  readonly #undigested = new Map<string, UndigestedEntry>();
  #pendingMacs: PendingMac[] = [];
  #macsChecked = 0;
  #entries = 0;
  #digests = 0;
  #headsExpected = 0;
  #headsMatched = 0;
  #latestRecordedAt: string | undefined;
  /** Where the item being checked is (e.g. `line 17`), to name an item no chain can be named for. */
  #where: string | undefined;
  /** Items no chain could be named for (not JSON, not an object, no opportunityId). */
  #unreadable = 0;
  readonly #scanner = new CanonicalTextScanner(LINE_MEMBERS);
  /** The chain of the last export line checked, and its state (undefined: not checked here). */
  #lastId: string | undefined;
  #lastState: ChainState | undefined;
  /** Reused buffer holding the bytes an entry's hash covers. */
  #hashed = Buffer.allocUnsafe(4096);

  /**
   * @param only verify a single chain; items of other chains are ignored.
   * @param part verify only the chains of one part (see `partOfChain`); items of others are ignored.
   * @param authentication check entry MACs and digest coverage under these rules; without them
   *   only hashes, links and digest heads are checked.
   */
  constructor(
    options: {
      only?: string | undefined;
      part?: VerifyPart | undefined;
      authentication?: AuthenticationRules | undefined;
    } = {},
  ) {
    this.#only = options.only;
    this.#part = options.part;
    this.#rules = options.authentication;
  }

  /**
   * The entry MACs found since the last call, to be checked with the ledger key; report each
   * one that fails with `rejectMac`. Taking them often keeps memory bounded.
   */
  takePendingMacs(): PendingMac[] {
    const pending = this.#pendingMacs;
    this.#pendingMacs = [];
    this.#macsChecked += pending.length;
    return pending;
  }

  /** Records that an entry's MAC did not verify with the ledger key. */
  rejectMac(pending: PendingMac): void {
    this.#record(
      this.#state(pending.opportunityId),
      pending.opportunityId,
      pending.sequence,
      'bad-mac',
      "its MAC does not verify with the ledger key: the ledger's writers did not write this entry here (forged, or copied from another chain or position)",
    );
  }

  /** Whether this verifier checks the chain (problems of unidentifiable items go to one part). */
  #owns(opportunityId: string): boolean {
    if (this.#only !== undefined && opportunityId !== this.#only) return false;
    return this.#part === undefined || partOfChain(opportunityId, this.#part.count) === this.#part.index;
  }

  /** Registers a digest whose heads the ledger must still contain, unchanged. */
  expectDigest(digest: LedgerDigest, name: string): void {
    this.#digests += 1;
    for (const head of digest.heads) {
      if (!this.#owns(head.opportunityId)) continue;
      let bySequence = this.#expected.get(head.opportunityId);
      if (bySequence === undefined) {
        bySequence = new Map();
        this.#expected.set(head.opportunityId, bySequence);
      }
      const earlier = bySequence.get(head.sequence);
      if (earlier === undefined) {
        this.#headsExpected += 1;
        bySequence.set(head.sequence, { hash: head.hash, digest: name, seen: false });
      } else if (earlier.hash !== head.hash) {
        // Two digests committed to different contents for the same entry: history was rewritten
        // between them (the ledger itself may match either one).
        this.#break(
          head.opportunityId,
          head.sequence,
          'digest-mismatch',
          `digests ${earlier.digest} and ${name} recorded different hashes (${short(earlier.hash)}, ${short(head.hash)}) for this entry`,
        );
      }
    }
  }

  /** Checks one item as read from the store (not trusted: any attribute may have been altered). */
  add(item: Record<string, unknown>): void {
    this.#check(item, undefined);
  }

  /** Checks one entry given as JSON text (a line of an export), parsing and canonicalising in one go. */
  addJson(text: string): void {
    this.#addJson(text, undefined);
  }

  #addJson(text: string, plain: boolean | undefined): void {
    let parsed: { value: unknown; canonical: string | undefined };
    try {
      parsed = parseWithCanonicalJson(text, UNHASHED_MEMBERS, plain);
    } catch (error) {
      try {
        parsed = { value: JSON.parse(text), canonical: undefined };
      } catch {
        this.#break(UNKNOWN, 0, 'malformed', `not JSON: ${(error as Error).message}`);
        return;
      }
    }
    const { value } = parsed;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.#break(UNKNOWN, 0, 'malformed', 'entry is not a JSON object');
      return;
    }
    this.#check(value as Record<string, unknown>, parsed.canonical);
  }

  /**
   * Checks one entry given as UTF-8 JSON text, `bytes[start, end)` (a line of an export). An
   * export writes each entry canonically; when the text is provably canonical and hashes to its
   * stored hash, the text itself is what is hashed, with no parse and no re-serialisation.
   * Anything else, including every mismatch, is decided by `addJson`.
   */
  addJsonBytes(bytes: Buffer, start = 0, end = bytes.length, where?: string): void {
    this.#where = where;
    try {
      this.#addJsonBytes(bytes, start, end);
    } finally {
      this.#where = undefined;
    }
  }

  #addJsonBytes(bytes: Buffer, start: number, end: number): void {
    if (this.#checkCanonicalText(bytes, start, end)) return;
    // ASCII without a backslash: no string in the text can need escaping.
    const line = bytes.subarray(start, end);
    const ascii = isAscii(line);
    this.#addJson(line.toString(ascii ? 'latin1' : 'utf8'), ascii && line.indexOf(BACKSLASH) === -1);
  }

  /**
   * The scanner has proved the text canonical, so canonicalising the parsed entry minus `hash`
   * would give back exactly the text minus the `hash` member: hashing those bytes (and the
   * previous hash) checks what the general path checks. Returns false, having recorded nothing,
   * when the text is not canonical, a chain attribute is not as an intact entry has it, or the
   * hash differs (the general path then names the problem).
   */
  #checkCanonicalText(bytes: Buffer, start: number, end: number): boolean {
    const scanner = this.#scanner;
    if (!scanner.scan(bytes, start, end)) return false;
    const { valueStart, valueEnd, cutStart, cutEnd } = scanner;
    const hashStart = valueStart[HASH] as number;
    const idStart = valueStart[OPPORTUNITY_ID] as number;
    const sequenceStart = valueStart[SEQUENCE] as number;
    const previousStart = valueStart[PREVIOUS_HASH] as number;
    if (hashStart === -1 || idStart === -1 || sequenceStart === -1 || previousStart === -1) return false;
    const hashEnd = valueEnd[HASH] as number;
    const previousEnd = valueEnd[PREVIOUS_HASH] as number;
    if (bytes[hashStart] !== QUOTE || bytes[idStart] !== QUOTE || bytes[previousStart] !== QUOTE)
      return false;
    const macStart = valueStart[MAC] as number;
    const recordedStart = valueStart[RECORDED_AT] as number;
    // An unusual MAC or time (not a string), or a MAC cut next to the hash's as a first member,
    // goes the general way.
    if (macStart !== -1 && (bytes[macStart] !== QUOTE || (cutStart[MAC] as number) === start + 1))
      return false;
    if (recordedStart !== -1 && bytes[recordedStart] !== QUOTE) return false;
    if (macStart !== -1 && (cutStart[HASH] as number) === start + 1) return false;
    // A canonical integer starting 1–9 is a positive integer of at most 15 digits.
    const leading = bytes[sequenceStart] as number;
    if (leading < ONE || leading > NINE) return false;
    // Exports list a chain's entries together: its id and state are usually the last line's.
    // The text is canonical, so this is exactly the id the general path would parse.
    const idEnd = (valueEnd[OPPORTUNITY_ID] as number) - 1;
    let state = this.#lastState;
    let opportunityId = this.#lastId;
    if (
      opportunityId === undefined ||
      scanner.nonAscii ||
      !spells(bytes, idStart + 1, idEnd, opportunityId)
    ) {
      opportunityId = bytes.toString(scanner.nonAscii ? 'utf8' : 'latin1', idStart + 1, idEnd);
      this.#lastId = opportunityId;
      state = this.#owns(opportunityId) ? this.#state(opportunityId) : undefined;
      this.#lastState = state;
    }
    if (recordedStart !== -1)
      this.#noteRecordedAtBytes(bytes, recordedStart + 1, valueEnd[RECORDED_AT] as number);
    if (state === undefined) return true;
    // The hash covers the text without its `hash` and `mac` members, then the previous hash.
    let cutFrom = cutStart[HASH] as number;
    let cutTo = cutEnd[HASH] as number;
    let secondFrom = end;
    let secondTo = end;
    if (macStart !== -1) {
      const macFrom = cutStart[MAC] as number;
      const macTo = cutEnd[MAC] as number;
      if (macFrom < cutFrom) {
        secondFrom = cutFrom;
        secondTo = cutTo;
        cutFrom = macFrom;
        cutTo = macTo;
      } else {
        secondFrom = macFrom;
        secondTo = macTo;
      }
    }
    const length =
      end - start - (cutTo - cutFrom) - (secondTo - secondFrom) + (previousEnd - previousStart - 2);
    if (this.#hashed.length < length) this.#hashed = Buffer.allocUnsafe(2 * length);
    const hashed = this.#hashed;
    let filled = bytes.copy(hashed, 0, start, cutFrom);
    filled += bytes.copy(hashed, filled, cutTo, secondFrom);
    filled += bytes.copy(hashed, filled, secondTo, end);
    filled += bytes.copy(hashed, filled, previousStart + 1, previousEnd - 1);
    const computed = digest('sha256', hashed.subarray(0, filled), 'hex');
    if (!spells(bytes, hashStart + 1, hashEnd - 1, computed)) return false;
    let sequence = 0;
    for (let index = sequenceStart; index < (valueEnd[SEQUENCE] as number); index += 1) {
      sequence = sequence * 10 + (bytes[index] as number) - 0x30;
    }
    // The link to the entry before is usually exactly the chain's last hash: no need to decode it.
    const previousHash =
      !scanner.nonAscii && spells(bytes, previousStart + 1, previousEnd - 1, state.lastHash)
        ? state.lastHash
        : bytes.toString(scanner.nonAscii ? 'utf8' : 'latin1', previousStart + 1, previousEnd - 1);
    this.#entries += 1;
    this.#checkChain(state, opportunityId, sequence, computed, previousHash);
    if (this.#rules !== undefined) {
      const encoding = scanner.nonAscii ? 'utf8' : 'latin1';
      const mac =
        macStart === -1 ? undefined : bytes.toString(encoding, macStart + 1, (valueEnd[MAC] as number) - 1);
      const recordedAt =
        recordedStart === -1
          ? undefined
          : bytes.toString(encoding, recordedStart + 1, (valueEnd[RECORDED_AT] as number) - 1);
      this.#authenticate(state, opportunityId, sequence, computed, mac, recordedAt);
    }
    return true;
  }

  /** Keeps the latest `recordedAt` seen, given as the bytes between its quotes (ISO 8601 sorts as text). */
  #noteRecordedAtBytes(bytes: Buffer, start: number, end: number): void {
    const latest = this.#latestRecordedAt;
    if (latest !== undefined) {
      const length = Math.min(latest.length, end - 1 - start);
      let index = 0;
      while (index < length && bytes[start + index] === latest.charCodeAt(index)) index += 1;
      const later =
        index < length
          ? (bytes[start + index] as number) > latest.charCodeAt(index)
          : end - 1 - start > latest.length;
      if (!later) return;
    }
    this.#latestRecordedAt = bytes.toString('utf8', start, end - 1);
  }

  #check(item: Record<string, unknown>, canonical: string | undefined): void {
    const { opportunityId, sequence, hash: storedHash, previousHash, recordedAt } = item;
    if (
      typeof recordedAt === 'string' &&
      (this.#latestRecordedAt === undefined || recordedAt > this.#latestRecordedAt)
    )
      this.#latestRecordedAt = recordedAt;
    if (typeof opportunityId !== 'string') {
      this.#break(
        UNKNOWN,
        typeof sequence === 'number' ? sequence : 0,
        'malformed',
        'item has no opportunityId',
      );
      return;
    }
    if (!this.#owns(opportunityId)) return;
    this.#entries += 1;
    const state = this.#state(opportunityId);
    if (typeof sequence !== 'number' || !Number.isInteger(sequence) || sequence < 1) {
      this.#record(
        state,
        opportunityId,
        0,
        'malformed',
        `sequence ${String(sequence)} is not a positive integer`,
      );
      return;
    }
    if (typeof storedHash !== 'string' || typeof previousHash !== 'string') {
      this.#record(
        state,
        opportunityId,
        sequence,
        'malformed',
        'hash or previousHash is missing or not a string',
      );
      return;
    }
    let computed: string;
    try {
      computed = digest(
        'sha256',
        (canonical ?? fastCanonicalJson(item, UNHASHED_MEMBERS)) + previousHash,
        'hex',
      );
      if (computed !== storedHash) {
        // Confirm with the reference serialiser before calling it tampering.
        const { hash: _stored, mac: _mac, ...body } = item;
        computed = chainHash(body, previousHash);
      }
    } catch (error) {
      this.#record(
        state,
        opportunityId,
        sequence,
        'malformed',
        `cannot canonicalise: ${(error as Error).message}`,
      );
      return;
    }
    if (computed !== storedHash) {
      this.#record(
        state,
        opportunityId,
        sequence,
        'hash-mismatch',
        this.#describeMismatch(item, storedHash, computed),
      );
    }
    this.#checkChain(state, opportunityId, sequence, storedHash, previousHash);
    if (this.#rules !== undefined)
      this.#authenticate(state, opportunityId, sequence, storedHash, item.mac, item.recordedAt);
  }

  /**
   * Checks what only the ledger's writers can produce: an entry's MAC (queued for the caller to
   * check with the key, unless an authenticated digest vouches for the entry), or its place
   * among the entries the key epoch sealed; and that an entry old enough is in a digest.
   */
  #authenticate(
    state: ChainState,
    opportunityId: string,
    sequence: number,
    hash: string,
    mac: unknown,
    recordedAt: unknown,
  ): void {
    const rules = this.#rules as AuthenticationRules;
    if (
      rules.dueBefore !== undefined &&
      typeof recordedAt === 'string' &&
      recordedAt < rules.dueBefore &&
      sequence > (rules.coveredThrough.get(opportunityId) ?? 0)
    ) {
      const earlier = this.#undigested.get(opportunityId);
      if (earlier === undefined || sequence < earlier.sequence)
        this.#undigested.set(opportunityId, { opportunityId, sequence, recordedAt });
    }
    if (mac === undefined) {
      if (sequence <= (rules.legacyThrough.get(opportunityId) ?? 0)) return;
      this.#record(
        state,
        opportunityId,
        sequence,
        'missing-mac',
        rules.epochDigest === undefined
          ? 'entry has no MAC, and there is no key-epoch digest to vouch for entries written before MACs (write a digest to start the key epoch)'
          : `entry has no MAC, and the key-epoch digest ${rules.epochDigest} does not vouch for it: the ledger's writers did not write it`,
      );
      return;
    }
    if (typeof mac !== 'string' || !MAC_HEX.test(mac)) {
      this.#record(state, opportunityId, sequence, 'bad-mac', 'its MAC is not an HMAC-SHA256 hex tag');
      return;
    }
    if (sequence <= (rules.attestedThrough.get(opportunityId) ?? 0)) return;
    this.#pendingMacs.push({
      opportunityId,
      sequence,
      message: entryMacMessage({ opportunityId, sequence, hash }),
      mac,
    });
  }

  /** Checks an entry's place in its chain: digest heads recorded for it, and its link. */
  #checkChain(
    state: ChainState,
    opportunityId: string,
    sequence: number,
    storedHash: string,
    previousHash: string,
  ): void {
    const expected = this.#expected.get(opportunityId)?.get(sequence);
    if (expected !== undefined) {
      if (!expected.seen && expected.hash === storedHash) this.#headsMatched += 1;
      expected.seen = true;
      if (expected.hash !== storedHash) {
        this.#record(
          state,
          opportunityId,
          sequence,
          'digest-mismatch',
          `digest ${expected.digest} recorded hash ${short(expected.hash)}, the ledger has ${short(storedHash)}`,
        );
      }
    }
    this.#link(state, opportunityId, sequence, { hash: storedHash, previousHash });
  }

  /** Ends the stream: reports gaps, digest heads that never appeared, and every chain's head. */
  finish(): VerifyReport {
    for (const [opportunityId, state] of this.#chains) {
      if (state.pending !== undefined && state.pending.size > 0) {
        const next = Math.min(...state.pending.keys());
        this.#record(
          state,
          opportunityId,
          state.contiguous + 1,
          'sequence-gap',
          `entry ${state.contiguous + 1} is missing (next present: ${next})`,
        );
      }
    }
    const unseenDigestHeads: { opportunityId: string; sequence: number }[] = [];
    for (const [opportunityId, bySequence] of this.#expected) {
      const state = this.#state(opportunityId);
      const present = Math.max(state.contiguous, ...(state.pending?.keys() ?? []));
      for (const [sequence, expected] of bySequence) {
        if (expected.seen) continue;
        unseenDigestHeads.push({ opportunityId, sequence });
        if (present === 0) {
          this.#record(
            state,
            opportunityId,
            1,
            'chain-deleted',
            `digest ${expected.digest} recorded ${sequence} entries on this chain; the ledger has none of them`,
          );
        } else if (sequence > present) {
          this.#record(
            state,
            opportunityId,
            present + 1,
            'truncated',
            `digest ${expected.digest} recorded ${sequence} entries on this chain; the ledger has ${present}: ${present + 1 === sequence ? `entry ${sequence} is` : `entries ${present + 1}–${sequence} are`} gone`,
          );
        } else {
          this.#record(
            state,
            opportunityId,
            sequence,
            'missing-entry',
            `digest ${expected.digest} recorded entry ${sequence} (hash ${short(expected.hash)}); the ledger no longer has it`,
          );
        }
      }
    }
    const unreadable = this.#chains.get(UNKNOWN)?.firstBreak;
    if (unreadable !== undefined && this.#unreadable > 1) {
      const more = this.#unreadable - 1;
      this.#chains.set(UNKNOWN, {
        ...(this.#chains.get(UNKNOWN) as ChainState),
        firstBreak: {
          ...unreadable,
          detail: `${unreadable.detail} (and ${more} more ${plural(more, 'item')} that cannot be read)`,
        },
      });
    }
    const ids = [...this.#chains.keys()].sort();
    const broken: ChainBreak[] = [];
    const heads: ChainHead[] = [];
    for (const opportunityId of ids) {
      const state = this.#chains.get(opportunityId) as ChainState;
      if (state.firstBreak !== undefined) broken.push(state.firstBreak);
      if (state.contiguous > 0)
        heads.push({ opportunityId, sequence: state.contiguous, hash: state.lastHash });
    }
    return {
      ok: broken.length === 0,
      // Unreadable items are a problem of the source, not a chain of it.
      chains: ids.filter((id) => id !== UNKNOWN).length,
      entries: this.#entries,
      digestsChecked: this.#digests,
      digestHeadsExpected: this.#headsExpected,
      digestHeadsMatched: this.#headsMatched,
      macsChecked: this.#macsChecked,
      undigested: [...this.#undigested.values()].sort(byChain),
      broken,
      heads,
      unseenDigestHeads: unseenDigestHeads.sort(byChain),
      latestRecordedAt: this.#latestRecordedAt,
    };
  }

  #state(opportunityId: string): ChainState {
    let state = this.#chains.get(opportunityId);
    if (state === undefined) {
      state = { contiguous: 0, lastHash: GENESIS_HASH, pending: undefined, firstBreak: undefined };
      this.#chains.set(opportunityId, state);
    }
    return state;
  }

  #link(state: ChainState, opportunityId: string, sequence: number, link: Link): void {
    if (sequence <= state.contiguous || state.pending?.has(sequence)) {
      this.#record(state, opportunityId, sequence, 'malformed', `sequence ${sequence} appears twice`);
      return;
    }
    if (sequence !== state.contiguous + 1) {
      state.pending ??= new Map();
      state.pending.set(sequence, link);
      return;
    }
    this.#accept(state, opportunityId, sequence, link);
    while (state.pending !== undefined && state.pending.size > 0) {
      const following = state.pending.get(state.contiguous + 1);
      if (following === undefined) break;
      state.pending.delete(state.contiguous + 1);
      this.#accept(state, opportunityId, state.contiguous + 1, following);
    }
  }

  #accept(state: ChainState, opportunityId: string, sequence: number, link: Link): void {
    if (link.previousHash !== state.lastHash) {
      this.#record(
        state,
        opportunityId,
        sequence,
        'broken-link',
        sequence === 1
          ? `first entry's previousHash is ${short(link.previousHash)}, not the genesis hash`
          : `previousHash ${short(link.previousHash)} does not match entry ${sequence - 1}'s hash ${short(state.lastHash)}`,
      );
    }
    state.contiguous = sequence;
    state.lastHash = link.hash;
  }

  #describeMismatch(item: Record<string, unknown>, stored: string, computed: string): string {
    const parsed = ledgerEntrySchema.safeParse(item);
    const invalid = parsed.success ? '' : `; invalid fields: ${describeIssues(parsed.error).join(', ')}`;
    return `content was altered: stored hash ${short(stored)}, content hashes to ${short(computed)}${invalid}`;
  }

  #record(
    state: ChainState,
    opportunityId: string,
    sequence: number,
    problem: ChainProblem,
    detail: string,
  ): void {
    if (state.firstBreak === undefined || sequence < state.firstBreak.sequence) {
      state.firstBreak = { opportunityId, sequence, problem, detail };
    }
  }

  #break(opportunityId: string, sequence: number, problem: ChainProblem, detail: string): void {
    const part = this.#part;
    if (opportunityId === UNKNOWN && part !== undefined && partOfChain(UNKNOWN, part.count) !== part.index)
      return;
    if (opportunityId === UNKNOWN) this.#unreadable += 1;
    const where = opportunityId === UNKNOWN && this.#where !== undefined ? `${this.#where}: ` : '';
    this.#record(this.#state(opportunityId), opportunityId, sequence, problem, `${where}${detail}`);
  }
}

const byChain = (a: { opportunityId: string }, b: { opportunityId: string }) =>
  a.opportunityId < b.opportunityId ? -1 : a.opportunityId > b.opportunityId ? 1 : 0;

/**
 * Joins the reports of verifiers that each checked one part of the chains (`part`), over the
 * same items and digests, into the report one verifier would have given.
 */
export function mergeVerifyReports(reports: readonly VerifyReport[]): VerifyReport {
  const broken = reports.flatMap((report) => report.broken).sort(byChain);
  return {
    ok: broken.length === 0,
    chains: reports.reduce((sum, report) => sum + report.chains, 0),
    entries: reports.reduce((sum, report) => sum + report.entries, 0),
    digestsChecked: reports[0]?.digestsChecked ?? 0,
    digestHeadsExpected: reports.reduce((sum, report) => sum + report.digestHeadsExpected, 0),
    digestHeadsMatched: reports.reduce((sum, report) => sum + report.digestHeadsMatched, 0),
    macsChecked: reports.reduce((sum, report) => sum + report.macsChecked, 0),
    undigested: reports.flatMap((report) => report.undigested).sort(byChain),
    broken,
    heads: reports.flatMap((report) => report.heads).sort(byChain),
    unseenDigestHeads: reports.flatMap((report) => report.unseenDigestHeads).sort(byChain),
    latestRecordedAt: reports
      .map((report) => report.latestRecordedAt)
      .reduce<string | undefined>(
        (latest, at) => (at !== undefined && (latest === undefined || at > latest) ? at : latest),
        undefined,
      ),
  };
}
