import { isAscii } from 'node:buffer';
import { hash as digest } from 'node:crypto';
import { GENESIS_HASH, ledgerEntrySchema } from './entry.ts';
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
  | 'missing-entry';

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
  /** One break per broken chain (its lowest sequence), ordered by opportunity id. */
  readonly broken: readonly ChainBreak[];
  /** Heads as found (the last contiguous entry of each chain), for the next digest. */
  readonly heads: readonly ChainHead[];
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
const LINE_MEMBERS = ['hash', 'opportunityId', 'sequence', 'previousHash'];
const HASH = 0;
const OPPORTUNITY_ID = 1;
const SEQUENCE = 2;
const PREVIOUS_HASH = 3;
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
  #entries = 0;
  #digests = 0;
  readonly #scanner = new CanonicalTextScanner(LINE_MEMBERS);
  /** The chain of the last export line checked, and its state (undefined: not checked here). */
  #lastId: string | undefined;
  #lastState: ChainState | undefined;
  /** Reused buffer holding the bytes an entry's hash covers. */
  #hashed = Buffer.allocUnsafe(4096);

  /**
   * @param only verify a single chain; items of other chains are ignored.
   * @param part verify only the chains of one part (see `partOfChain`); items of others are ignored.
   */
  constructor(options: { only?: string | undefined; part?: VerifyPart | undefined } = {}) {
    this.#only = options.only;
    this.#part = options.part;
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
      parsed = parseWithCanonicalJson(text, 'hash', plain);
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
  addJsonBytes(bytes: Buffer, start = 0, end = bytes.length): void {
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
    if (state === undefined) return true;
    const cutFrom = cutStart[HASH] as number;
    const cutTo = cutEnd[HASH] as number;
    const length = end - start - (cutTo - cutFrom) + (previousEnd - previousStart - 2);
    if (this.#hashed.length < length) this.#hashed = Buffer.allocUnsafe(2 * length);
    const hashed = this.#hashed;
    let filled = bytes.copy(hashed, 0, start, cutFrom);
    filled += bytes.copy(hashed, filled, cutTo, end);
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
    return true;
  }

  #check(item: Record<string, unknown>, canonical: string | undefined): void {
    const { opportunityId, sequence, hash: storedHash, previousHash } = item;
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
      computed = digest('sha256', (canonical ?? fastCanonicalJson(item, 'hash')) + previousHash, 'hex');
      if (computed !== storedHash) {
        // Confirm with the reference serialiser before calling it tampering.
        const { hash: _stored, ...body } = item;
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
    for (const [opportunityId, bySequence] of this.#expected) {
      for (const [sequence, expected] of bySequence) {
        if (expected.seen) continue;
        const state = this.#state(opportunityId);
        this.#record(
          state,
          opportunityId,
          sequence,
          'missing-entry',
          `digest ${expected.digest} recorded entry ${sequence} (hash ${short(expected.hash)}); the ledger no longer has it`,
        );
      }
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
      chains: ids.length,
      entries: this.#entries,
      digestsChecked: this.#digests,
      broken,
      heads,
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
    this.#record(this.#state(opportunityId), opportunityId, sequence, problem, detail);
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
    broken,
    heads: reports.flatMap((report) => report.heads).sort(byChain),
  };
}
