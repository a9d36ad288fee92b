import { type FileHandle, open } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import {
  ChainVerifier,
  mergeVerifyReports,
  type VerifyPart,
  type VerifyReport,
} from '#domain/ledger/chain-verifier.ts';
import { canonicalJson } from '#domain/ledger/hash.ts';
import type { LedgerDigest } from '#domain/ledger/merkle.ts';
import type { DigestStore, LedgerStore } from '#ports/ledger.ts';
import { loadDigests } from './ledger-digest.ts';

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

interface VerifyDependencies {
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

/**
 * Verifies a ledger export streamed as JSON lines (one entry per line, any order), holding only
 * per-chain state, so a file of any size verifies in bounded memory. Lines are handed to the
 * verifier as byte ranges of the chunk they arrived in: only a line that straddles two chunks is
 * copied, and a canonical line is never decoded as a whole.
 */
export async function verifyJsonLines(
  chunks: AsyncIterable<Buffer>,
  options: JsonLinesOptions & { part?: VerifyPart } = {},
): Promise<VerifyReport> {
  const verifier = new ChainVerifier({
    only: options.opportunityId,
    part: options.part,
  });
  for (const { name, digest } of options.digests ?? []) verifier.expectDigest(digest, name);
  const addLine = (bytes: Buffer, start: number, lineEnd: number) => {
    const end = lineEnd > start && bytes[lineEnd - 1] === CARRIAGE_RETURN ? lineEnd - 1 : lineEnd;
    // Blank lines are allowed (only short lines are decoded to check).
    if (end === start || (end - start < 8 && bytes.toString('utf8', start, end).trim() === '')) return;
    verifier.addJsonBytes(bytes, start, end);
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
      const line = Buffer.concat([carry, chunk.subarray(0, end)]);
      addLine(line, 0, line.length);
      start = end + 1;
      carry = undefined;
    }
    for (let end = chunk.indexOf(NEWLINE, start); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
      addLine(chunk, start, end);
      start = end + 1;
    }
    if (start < chunk.length) carry = Buffer.from(chunk.subarray(start));
  }
  if (carry !== undefined) addLine(carry, 0, carry.length);
  return verifier.finish();
}

/** Options of a JSON-lines verification. */
interface JsonLinesOptions {
  /** Verify this chain only. */
  readonly opportunityId?: string | undefined;
  /** Digests whose heads the export must contain, unchanged. */
  readonly digests?: readonly { name: string; digest: LedgerDigest }[] | undefined;
}

/** What a verify worker is given (structured-cloned). */
export interface VerifyWorkerInput extends JsonLinesOptions {
  readonly path: string;
  readonly part: VerifyPart;
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
  options: JsonLinesOptions & { workers?: number } = {},
): Promise<VerifyReport> {
  const { workers = 1, ...rest } = options;
  if (!Number.isInteger(workers) || workers < 1)
    throw new RangeError(`workers must be a positive integer, got ${workers}`);
  if (workers === 1) {
    const file = await open(path);
    try {
      return await verifyJsonLines(readChunks(file), rest);
    } finally {
      await file.close();
    }
  }
  const parts = Array.from({ length: workers }, (_, index) =>
    verifyInWorker({ ...rest, path, part: { index, count: workers } }),
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

function verifyInWorker(input: VerifyWorkerInput): Promise<VerifyReport> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./ledger-verify-worker.ts', import.meta.url), {
      workerData: input,
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
    });
    let report: VerifyReport | undefined;
    worker.once('message', (message: VerifyReport) => {
      report = message;
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

/** Writes every ledger item as one canonical JSON line, page by page (for offline verify). */
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
    },
    options.segments === undefined ? {} : { segments: options.segments },
  );
  await pending;
  return count;
}
