import { type FileHandle, open } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import {
  type AuthenticationRules,
  ChainVerifier,
  mergeVerifyReports,
  type VerifyPart,
  type VerifyReport,
} from '#domain/ledger/chain-verifier.ts';
import {
  assessDigests,
  type CheckedDigest,
  type DigestAssessment,
  digestDueAfterSeconds,
} from '#domain/ledger/digest-rules.ts';
import { canonicalJson } from '#domain/ledger/hash.ts';
import type { LedgerDigest } from '#domain/ledger/merkle.ts';
import { counted, plural } from '#domain/plural.ts';
import type { DigestStore, LedgerStore } from '#ports/ledger.ts';
import type { LedgerAuthenticator, MacClaim } from '#ports/ledger-authenticator.ts';
import { checkPendingMacs, readCheckedDigests, readDigestAssessment } from './ledger-digest.ts';

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

interface VerifyDependencies {
  /** Digests to check the ledger against; without them verify says it has none. */
  readonly digests?: DigestStore | undefined;
  /** The ledger key, to check entry and digest MACs with. */
  readonly ledgerKey: LedgerAuthenticator;
  /** What time it is: entries older than two digest intervals must be in a digest. */
  readonly now?: (() => Date) | undefined;
}

/** What a verification concluded. */
export type VerifyResult = 'intact' | 'intact-without-digests' | 'broken';

export interface LedgerVerification extends VerifyReport {
  /** Digests that are missing, malformed, forged or out of order. */
  readonly digestProblems: readonly string[];
  /**
   * `none`: there were no digests; `other-ledger`: there were digests, but none for this ledger
   * (it shares no entry with any of them: a fresh ledger beside an earlier one's digests);
   * `legacy`: none signed with the ledger key; else `authenticated`.
   */
  readonly digests: DigestAssessment['status'] | 'other-ledger';
  /** What verify could not check, said loudly (e.g. no digests to check against). */
  readonly warnings: readonly string[];
  /** Chains no digest records yet (begun after the latest digest): checked by hashes and MACs only. */
  readonly chainsWithoutDigest: number;
  /**
   * `intact`; `intact-without-digests`, when there was no digest to catch a truncated or deleted
   * chain; or `broken`.
   */
  readonly result: VerifyResult;
  /**
   * An export only: the first digest written after the export was (it holds no entry recorded
   * since, and not the heads that digest records). The export was checked against the digests
   * before it; this one and the later ones were not held against it.
   */
  readonly exportPredates?:
    | { readonly digest: string; readonly createdAt: string; readonly digestsNotChecked: number }
    | undefined;
}

/** Options every verification takes. */
interface VerifyOptions {
  /** Verify this chain only. */
  readonly opportunityId?: string | undefined;
  /** Digest interval (seconds) to assume when no digest records one. @default a day */
  readonly digestEverySeconds?: number | undefined;
}

/**
 * Whether the digests describe another ledger: they record chain heads, and this ledger holds
 * none of them (checked over the whole ledger only — one missing chain is a deleted chain).
 */
export function digestsOfAnotherLedger(report: VerifyReport, wholeLedger: boolean): boolean {
  return wholeLedger && report.digestHeadsExpected > 0 && report.digestHeadsMatched === 0;
}

/** The warning for digests that describe another ledger: what was found and what it means. */
export function otherLedgerWarning(digests: number, heads: number): string {
  return `no digest for this ledger: the ${counted(digests, 'digest')} found ${plural(digests, 'records', 'record')} ${counted(heads, 'chain head')} and this ledger holds none of them, so they describe another ledger (a fresh ledger beside an earlier one's digests) and were not checked against it; if this ledger was not started afresh, its whole content was replaced — restore it from point-in-time recovery. A truncated or deleted chain cannot be detected until a digest of this ledger is written (dealreg ledger digest)`;
}

/**
 * Verifies with the digests, and when they turn out to describe another ledger, again without
 * them (so nothing they vouched for goes unchecked), saying so.
 */
async function verifyAgainstDigests(
  assessment: DigestAssessment,
  wholeLedger: boolean,
  run: (assessment: DigestAssessment) => Promise<VerifyReport>,
  options: { now: Date; defaultEverySeconds?: number | undefined },
): Promise<LedgerVerification> {
  const report = await run(assessment);
  if (!digestsOfAnotherLedger(report, wholeLedger)) return conclude(report, assessment);
  const alone = assessDigests([], options);
  const verification = conclude(await run(alone), alone);
  return {
    ...verification,
    digestsChecked: 0,
    digests: 'other-ledger',
    warnings: [
      otherLedgerWarning(report.digestsChecked, report.digestHeadsExpected),
      ...verification.warnings.filter((warning) => !warning.startsWith('no digests to check against')),
    ],
  };
}

/** Joins the chain report and the digests' verdict into the verification verify reports. */
function conclude(report: VerifyReport, assessment: DigestAssessment): LedgerVerification {
  const warnings: string[] = [];
  if (assessment.status === 'none') {
    warnings.push(
      'no digests to check against: a truncated or deleted chain cannot be detected until a digest is written (dealreg ledger digest, or the scheduled digest)',
    );
  } else if (assessment.status === 'legacy') {
    warnings.push(
      'no digest is signed with the ledger key yet: write a digest to start the key epoch (entries without a MAC fail until one seals them)',
    );
  }
  if (assessment.earlierSeries !== undefined) {
    const { digests, startedBy, reason } = assessment.earlierSeries;
    warnings.push(
      `the digests were started over at ${startedBy} (${reason}); the ${counted(digests, 'digest')} before it ${plural(digests, 'describes', 'describe')} an earlier ledger and were not checked against this one`,
    );
  }
  const problems = [...assessment.problems];
  if (report.undigested.length > 0) {
    const shown = report.undigested
      .slice(0, 5)
      .map((entry) => `${entry.opportunityId} #${entry.sequence} (recorded ${entry.recordedAt})`);
    const more =
      report.undigested.length > 5
        ? ` and ${report.undigested.length - 5} more ${plural(report.undigested.length - 5, 'chain')}`
        : '';
    problems.push(
      `digests that should exist are missing: entries recorded more than ${digestDueAfterSeconds(assessment.rules.everySeconds)} s ago (digests are written every ${assessment.rules.everySeconds} s) are in no digest${assessment.latest === undefined ? '' : ` (the latest is ${assessment.latest})`}, first ${shown.join(', ')}${more}`,
    );
  }
  const ok = report.ok && problems.length === 0;
  const chainsWithoutDigest =
    assessment.status === 'none'
      ? report.heads.length
      : report.heads.filter((head) => !assessment.rules.coveredThrough.has(head.opportunityId)).length;
  if (assessment.status !== 'none' && chainsWithoutDigest > 0) {
    warnings.push(
      `no digest for ${counted(chainsWithoutDigest, 'chain')} yet (begun after the latest digest): checked by their hashes${assessment.status === 'authenticated' ? ' and MACs' : ''}; the next digest covers them`,
    );
  }
  return {
    ...report,
    chainsWithoutDigest,
    ok,
    digestProblems: problems,
    digests: assessment.status,
    warnings,
    result: !ok ? 'broken' : assessment.status === 'none' ? 'intact-without-digests' : 'intact',
  };
}

/**
 * Verifies the ledger: streams every item (parallel scan segments), or one chain with
 * `opportunityId`, through the chain verifier, checking each entry's hash, its link to the entry
 * before, sequence gaps, every digest's heads (a truncated or deleted chain), the entry's MAC with
 * the ledger key (forged, copied or fabricated entries), and that entries old enough are in a
 * digest (deleted digests). Names the first bad entry of each chain. MACs are checked a page at a
 * time, and not for entries the latest authenticated digest vouches for.
 */
export async function verifyLedger(
  deps: VerifyDependencies & { readonly store: LedgerStore },
  options: VerifyOptions & { segments?: number } = {},
): Promise<LedgerVerification> {
  const now = (deps.now ?? (() => new Date()))();
  const judge = { now, defaultEverySeconds: options.digestEverySeconds };
  const assessment = await readDigestAssessment(deps.digests, deps.ledgerKey, judge);
  const run = async (rules: DigestAssessment) => {
    const verifier = new ChainVerifier({ only: options.opportunityId, authentication: rules.rules });
    for (const { name, digest } of rules.expected) verifier.expectDigest(digest, name);
    const check = async (items: readonly Record<string, unknown>[]) => {
      for (const item of items) verifier.add(item);
      await checkPendingMacs(verifier, deps.ledgerKey);
    };
    if (options.opportunityId !== undefined) {
      await check(await deps.store.readChainRaw(options.opportunityId));
    } else {
      await deps.store.scanRaw(check, options.segments === undefined ? {} : { segments: options.segments });
    }
    return verifier.finish();
  };
  return verifyAgainstDigests(assessment, options.opportunityId === undefined, run, judge);
}

/**
 * Verifies an export file (`ledger export`) as `verifyLedger` verifies the table, against the
 * digests of `digests`.
 */
export async function verifyLedgerFile(
  path: string,
  deps: VerifyDependencies,
  options: VerifyOptions & { workers?: number } = {},
): Promise<LedgerVerification> {
  const now = (deps.now ?? (() => new Date()))();
  const judge = { now, defaultEverySeconds: options.digestEverySeconds };
  const { checked, problems: unreadable } =
    deps.digests === undefined
      ? { checked: [], problems: [] }
      : await readCheckedDigests(deps.digests, deps.ledgerKey);
  const assess = (digests: readonly CheckedDigest[], at: Date, problems?: readonly string[]) => {
    const assessment = assessDigests(digests, { ...judge, now: at });
    return { ...assessment, problems: problems ?? [...unreadable, ...assessment.problems] };
  };
  const assessment = assess(checked, now);
  const wholeLedger = options.opportunityId === undefined;
  const run = (rules: DigestAssessment) =>
    verifyJsonLinesFile(path, {
      opportunityId: options.opportunityId,
      digests: rules.expected,
      workers: options.workers,
      authentication: rules.rules,
      checkMacs: (claims) => deps.ledgerKey.verifyMacs(claims),
    });
  // Whether the export predates a digest is judged first: an export older than every digest that
  // records its chains holds none of their heads, which is not "the digests of another ledger".
  const againstAll = await run(assessment);
  const later = firstDigestAfterExport(againstAll, assessment.expected);
  if (later === undefined) {
    return verifyAgainstDigests(
      assessment,
      wholeLedger,
      (rules) => (rules === assessment ? Promise.resolve(againstAll) : run(rules)),
      judge,
    );
  }
  // The export was written before `later`: it is checked as the ledger was then, against the
  // digests written before it (their rules, and what was due by then); problems of the digest
  // store itself (a digest missing or forged) stand whatever the export's age.
  const asOf = new Date(later.digest.createdAt);
  const before = checked.filter((item) => item.digest.createdAt < later.digest.createdAt);
  const notChecked = assessment.expected.filter((item) => item.digest.createdAt >= later.digest.createdAt);
  const earlier = await verifyAgainstDigests(assess(before, asOf, assessment.problems), wholeLedger, run, {
    ...judge,
    now: asOf,
  });
  // Entries written before MACs are vouched for by the key-epoch digest, through its heads: an
  // export older than that digest does not reach them, so nothing vouches for such an entry.
  const epoch = notChecked.find((item) => item.name === assessment.rules.epochDigest);
  const broken =
    epoch === undefined
      ? earlier.broken
      : earlier.broken.map((problem) =>
          problem.problem === 'missing-mac' &&
          problem.sequence <= (assessment.rules.legacyThrough.get(problem.opportunityId) ?? 0)
            ? {
                ...problem,
                detail: `entry has no MAC: it was written before entry MACs, and this export predates the key-epoch digest ${epoch.name} that vouches for such entries (written ${epoch.digest.createdAt}), so nothing vouches for it here; verify an export written since (dealreg ledger export)`,
              }
            : problem,
        );
  const missing = againstAll.unseenDigestHeads;
  const shown = missing
    .slice(0, 3)
    .map((head) => `${head.opportunityId} #${head.sequence}`)
    .join(', ');
  return {
    ...earlier,
    broken,
    exportPredates: {
      digest: later.name,
      createdAt: later.digest.createdAt,
      digestsNotChecked: notChecked.length,
    },
    warnings: [
      `this export predates digest ${later.name} (written ${later.digest.createdAt}): it holds no entry recorded since then, nor ${counted(missing.length, 'chain head')} ${notChecked.length > 1 ? 'that digest and later ones record' : 'that digest records'} (${shown}${missing.length > 3 ? ', …' : ''}), so it was checked as the ledger stood before that digest, against the ${counted(before.length, 'digest')} written earlier; ${counted(notChecked.length, 'later digest')} ${plural(notChecked.length, 'was', 'were')} not checked against it. If the file was exported after ${later.digest.createdAt}, it was cut short: export the ledger again (dealreg ledger export)`,
      // Digests written after the export do exist: "write a digest" would not help.
      ...earlier.warnings.filter(
        (warning) =>
          !(before.length === 0 && warning.startsWith('no digests to check against')) &&
          !(epoch !== undefined && warning.startsWith('no digest is signed with the ledger key yet')),
      ),
    ],
  };
}

/**
 * The first digest (by when it was written) some of whose heads the export lacks, when the export
 * holds no entry recorded after that digest was written: then the export can have been written
 * before it, and that digest is no evidence against it. Undefined when the export holds every
 * head, or when it holds an entry recorded after that digest (it was exported later, so what it
 * lacks was cut from it), or holds no entry with a time at all.
 */
function firstDigestAfterExport(
  verification: VerifyReport,
  expected: DigestAssessment['expected'],
): { name: string; digest: LedgerDigest } | undefined {
  if (verification.unseenDigestHeads.length === 0) return undefined;
  const unseen = new Set(
    verification.unseenDigestHeads.map((head) => `${head.sequence}:${head.opportunityId}`),
  );
  const first = [...expected]
    .sort((a, b) =>
      a.digest.createdAt < b.digest.createdAt ? -1 : a.digest.createdAt > b.digest.createdAt ? 1 : 0,
    )
    .find((item) => item.digest.heads.some((head) => unseen.has(`${head.sequence}:${head.opportunityId}`)));
  if (first === undefined) return undefined;
  // An export with no recorded entry at all gives no moment to be older than: judged strictly.
  const latest = verification.latestRecordedAt;
  return latest === undefined || latest >= first.digest.createdAt ? undefined : first;
}

/**
 * Verifies a ledger export streamed as JSON lines (one entry per line, any order), holding only
 * per-chain state, so a file of any size verifies in bounded memory. Lines are handed to the
 * verifier as byte ranges of the chunk they arrived in: only a line that straddles two chunks is
 * copied, and a canonical line is never decoded as a whole.
 */
export async function verifyJsonLines(
  chunks: AsyncIterable<Buffer>,
  options: JsonLinesOptions & { part?: VerifyPart; checkMacs?: CheckMacs | undefined } = {},
): Promise<VerifyReport> {
  const verifier = new ChainVerifier({
    only: options.opportunityId,
    part: options.part,
    authentication: options.authentication,
  });
  const { checkMacs } = options;
  const drain = async () => {
    if (checkMacs === undefined) return;
    const pending = verifier.takePendingMacs();
    if (pending.length === 0) return;
    const valid = await checkMacs(pending);
    pending.forEach((claim, index) => {
      if (valid[index] !== true) verifier.rejectMac(claim);
    });
  };
  for (const { name, digest } of options.digests ?? []) verifier.expectDigest(digest, name);
  let line = 0;
  const addLine = (bytes: Buffer, lineStart: number, lineEnd: number, last = false) => {
    line += 1;
    // A byte order mark, as an editor saving the file on Windows may add: JSON parsers may ignore
    // one (RFC 8259, section 8.1 "Character Encoding"), and it is not part of the first entry.
    const start =
      line === 1 &&
      bytes[lineStart] === 0xef &&
      bytes[lineStart + 1] === 0xbb &&
      bytes[lineStart + 2] === 0xbf
        ? lineStart + 3
        : lineStart;
    const end = lineEnd > start && bytes[lineEnd - 1] === CARRIAGE_RETURN ? lineEnd - 1 : lineEnd;
    // Blank lines are allowed (only short lines are decoded to check).
    if (end === start || (end - start < 8 && bytes.toString('utf8', start, end).trim() === '')) return;
    // Every line of an export ends with a line end: one that does not is where a copy stopped.
    const where = last
      ? `line ${line}, the last, which has no line end (the file may have been cut short)`
      : `line ${line}`;
    verifier.addJsonBytes(bytes, start, end, where);
  };
  let carry: Buffer | undefined;
  for await (const chunk of chunks) {
    let start = 0;
    if (carry !== undefined) {
      const end = chunk.indexOf(NEWLINE);
      if (end === -1) {
        carry = Buffer.concat([carry, chunk]);
        continue;
      }
      const joined = Buffer.concat([carry, chunk.subarray(0, end)]);
      addLine(joined, 0, joined.length);
      start = end + 1;
      carry = undefined;
    }
    for (let end = chunk.indexOf(NEWLINE, start); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
      addLine(chunk, start, end);
      start = end + 1;
    }
    if (start < chunk.length) carry = Buffer.from(chunk.subarray(start));
    await drain();
  }
  if (carry !== undefined) addLine(carry, 0, carry.length, true);
  await drain();
  return verifier.finish();
}

/** Checks entry MACs with the ledger key: one answer per claim, in order. */
export type CheckMacs = (claims: readonly MacClaim[]) => Promise<boolean[]>;

/** Options of a JSON-lines verification. */
interface JsonLinesOptions {
  /** Verify this chain only. */
  readonly opportunityId?: string | undefined;
  /** Digests whose heads the export must contain, unchanged. */
  readonly digests?: readonly { name: string; digest: LedgerDigest }[] | undefined;
  /** Check entry MACs and digest coverage under these rules (with `checkMacs`). */
  readonly authentication?: AuthenticationRules | undefined;
}

/** What a verify worker is given (structured-cloned). */
export interface VerifyWorkerInput extends JsonLinesOptions {
  readonly path: string;
  readonly part: VerifyPart;
}

/**
 * Messages between a verify worker and the thread that started it: the worker asks for MACs to
 * be checked (the ledger key stays with the main thread) and finally sends its report.
 */
export type VerifyWorkerMessage =
  | { readonly kind: 'check-macs'; readonly id: number; readonly pending: readonly MacClaim[] }
  | { readonly kind: 'report'; readonly report: VerifyReport };
export interface VerifyWorkerReply {
  readonly id: number;
  readonly valid: readonly boolean[];
}

class VerifyWorkerError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'VerifyWorkerError';
  }
}

const READ_CHUNK_BYTES = 1 << 20;
/**
 * Each worker is a V8 heap of its own; a small young generation keeps two workers and the main
 * thread within verify's memory budget (the default let peak RSS reach 300 MB at 1,000,000 entries).
 */
const WORKER_YOUNG_GENERATION_MB = 8;

/**
 * Verifies an export file. With `workers` > 1, each worker thread reads the whole file and
 * checks a disjoint part of the chains (every line is scanned by each, but hashed and linked by
 * one), and the parts' reports are merged into the report one thread would give.
 */
export async function verifyJsonLinesFile(
  path: string,
  options: JsonLinesOptions & { workers?: number | undefined; checkMacs?: CheckMacs | undefined } = {},
): Promise<VerifyReport> {
  const { workers = 1, checkMacs, ...rest } = options;
  if (!Number.isInteger(workers) || workers < 1)
    throw new RangeError(`workers must be a positive integer, got ${workers}`);
  if (workers === 1) {
    const file = await open(path);
    try {
      return await verifyJsonLines(readChunks(file), { ...rest, checkMacs });
    } finally {
      await file.close();
    }
  }
  const parts = Array.from({ length: workers }, (_, index) =>
    verifyInWorker({ ...rest, path, part: { index, count: workers } }, checkMacs),
  );
  return mergeVerifyReports(await Promise.all(parts));
}

/**
 * Reads a file in chunks into two buffers in turn, the next read under way while the caller
 * works on the last chunk. A chunk is overwritten once the one after it has been taken, which
 * `verifyJsonLines` allows for (it copies a line left unfinished at a chunk's end).
 */
export async function* readChunks(file: FileHandle, size = READ_CHUNK_BYTES): AsyncGenerator<Buffer> {
  const buffers = [Buffer.allocUnsafe(size), Buffer.allocUnsafe(size)];
  let next = 0;
  let reading = file.read(buffers[next] as Buffer, 0, size, null);
  for (;;) {
    const { bytesRead, buffer } = await reading;
    if (bytesRead === 0) return;
    next = 1 - next;
    reading = file.read(buffers[next] as Buffer, 0, size, null);
    yield buffer.subarray(0, bytesRead);
  }
}

function verifyInWorker(input: VerifyWorkerInput, checkMacs: CheckMacs | undefined): Promise<VerifyReport> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./ledger-verify-worker.ts', import.meta.url), {
      workerData: { ...input, checksMacs: checkMacs !== undefined },
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
    });
    let report: VerifyReport | undefined;
    worker.on('message', (message: VerifyWorkerMessage) => {
      if (message.kind === 'report') {
        report = message.report;
        return;
      }
      (checkMacs as CheckMacs)(message.pending).then(
        (valid) => worker.postMessage({ id: message.id, valid } satisfies VerifyWorkerReply),
        (error: unknown) => {
          reject(error);
          void worker.terminate();
        },
      );
    });
    worker.once('error', (error) =>
      reject(
        new VerifyWorkerError(
          `verifying part ${input.part.index + 1} of ${input.path} failed: ${error.message}`,
          { cause: error },
        ),
      ),
    );
    worker.once('exit', (code) => {
      if (report !== undefined) resolve(report);
      else
        reject(
          new VerifyWorkerError(`verify worker for part ${input.part.index + 1} exited with code ${code}`),
        );
    });
  });
}

/**
 * Writes every ledger item as one canonical JSON line, page by page (for offline verify). A scan
 * segment reads its next page only once its last one is written, so a ledger of any size is
 * exported in bounded memory however slow the file is to write.
 */
export async function exportJsonLines(
  store: LedgerStore,
  write: (text: string) => Promise<void> | void,
  options: { segments?: number } = {},
): Promise<number> {
  let count = 0;
  let pending: Promise<void> = Promise.resolve();
  await store.scanRaw(
    (items) => {
      const text = items.map((item) => `${canonicalJson(item)}\n`).join('');
      count += items.length;
      pending = pending.then(() => write(text));
      return pending;
    },
    options.segments === undefined ? {} : { segments: options.segments },
  );
  await pending;
  return count;
}
