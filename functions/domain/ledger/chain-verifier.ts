import { hash as digest } from 'node:crypto';
import { GENESIS_HASH, LedgerEntry } from './entry.ts';
import { fastCanonicalJson, parseWithCanonicalJson } from './fast-canonical-json.ts';
import { chainHash } from './hash.ts';
import type { LedgerDigest } from './merkle.ts';
import { type ChainHead, describeIssues } from './seal.ts';

export type ChainProblem =
  | 'malformed'
  | 'hash-mismatch'
  | 'broken-link'
  | 'sequence-gap'
  | 'digest-mismatch'
  | 'missing-entry';

/** The first bad entry of a chain: where it is and what differs. */
export interface ChainBreak {
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
  #entries = 0;
  #digests = 0;

  /** @param only verify a single chain; items of other chains are ignored. */
  constructor(options: { only?: string } = {}) {
    this.#only = options.only;
  }

  /** Registers a digest whose heads the ledger must still contain, unchanged. */
  expectDigest(digest: LedgerDigest, name: string): void {
    this.#digests += 1;
    for (const head of digest.heads) {
      if (this.#only !== undefined && head.opportunityId !== this.#only) continue;
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
    let parsed: { value: unknown; canonical: string | undefined };
    try {
      parsed = parseWithCanonicalJson(text, 'hash');
    } catch (error) {
      try {
        parsed = { value: JSON.parse(text), canonical: undefined };
      } catch {
        this.#break('(unknown)', 0, 'malformed', `not JSON: ${(error as Error).message}`);
        return;
      }
    }
    const { value } = parsed;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.#break('(unknown)', 0, 'malformed', 'entry is not a JSON object');
      return;
    }
    this.#check(value as Record<string, unknown>, parsed.canonical);
  }

  #check(item: Record<string, unknown>, canonical: string | undefined): void {
    const { opportunityId, sequence, hash: storedHash, previousHash } = item;
    if (typeof opportunityId !== 'string') {
      this.#break(
        '(unknown)',
        typeof sequence === 'number' ? sequence : 0,
        'malformed',
        'item has no opportunityId',
      );
      return;
    }
    if (this.#only !== undefined && opportunityId !== this.#only) return;
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
    const parsed = LedgerEntry.safeParse(item);
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
    this.#record(this.#state(opportunityId), opportunityId, sequence, problem, detail);
  }
}
