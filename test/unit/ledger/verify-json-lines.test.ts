import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LocalLedgerKey } from '#adapters/ledger/local-ledger-key.ts';
import type { LedgerEntry } from '#domain/ledger/entry.ts';
import { canonicalJson } from '#domain/ledger/hash.ts';
import { type ChainHead, parseEntryInput, sealEntry } from '#domain/ledger/seal.ts';
import type { LedgerStore } from '#ports/ledger.ts';
import type { MacClaim } from '#ports/ledger-authenticator.ts';
import {
  exportJsonLines,
  readChunks,
  verifyJsonLines,
  verifyJsonLinesFile,
} from '#use-cases/ledger-verify.ts';
import { authenticatedChain, opportunityStory } from './sample-entries.ts';

function chain(opportunityId: string, index: number): LedgerEntry[] {
  let head: ChainHead | undefined;
  return opportunityStory(opportunityId, index)
    .map(parseEntryInput)
    .map((input) => {
      const entry = sealEntry(input, head, new Date('2026-09-30T00:00:00Z'));
      head = entry;
      return entry;
    });
}

const ledger = [...chain('opp-a', 1), ...chain('opp-b', 2)];

/** Splits a file's bytes into chunks at the given cut points, as a stream would deliver them. */
async function* chunked(bytes: Buffer, cuts: readonly number[]): AsyncIterable<Buffer> {
  let start = 0;
  for (const cut of [...new Set(cuts.map((at) => at % bytes.length))].sort((a, b) => a - b)) {
    yield bytes.subarray(start, cut);
    start = cut;
  }
  yield bytes.subarray(start);
}

describe('verify of a JSON-lines export', () => {
  it('gives the same report however the file is cut into chunks, with CRLF and blank lines', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { maxLength: 12 }), fc.boolean(), async (cuts, crlf) => {
        const newline = crlf ? '\r\n' : '\n';
        const text = `${ledger.map((entry) => canonicalJson(entry)).join(`${newline}  ${newline}`)}${newline}`;

        const report = await verifyJsonLines(chunked(Buffer.from(text), cuts));

        expect(report).toMatchObject({ ok: true, chains: 2, entries: ledger.length, broken: [] });
      }),
      { numRuns: 200 },
    );
  });

  it('names an altered entry split across two chunks', async () => {
    const lines = ledger.map((entry) => canonicalJson(entry));
    lines[6] = (lines[6] as string).replace('"customer-2.example.com"', '"customer-2.example.net"');
    const bytes = Buffer.from(lines.join('\n'));
    const middleOfLine = bytes.indexOf('customer-2.example.net');

    const report = await verifyJsonLines(chunked(bytes, [middleOfLine]));

    expect(report.broken).toEqual([
      expect.objectContaining({ opportunityId: 'opp-b', sequence: 2, problem: 'hash-mismatch' }),
    ]);
  });

  it('gives the same report from worker threads as from one thread, naming an altered entry', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'verify-workers-'));
    try {
      const lines = [...ledger, ...chain('opp-c', 3), ...chain('opp-d', 4)].map((entry) =>
        canonicalJson(entry),
      );
      lines[4] = (lines[4] as string).replace('"amountMinor":6000001', '"amountMinor":6000002');
      const path = join(directory, 'ledger.jsonl');
      writeFileSync(path, `${lines.join('\n')}\nnot json\n`);

      const single = await verifyJsonLinesFile(path);
      const parallel = await verifyJsonLinesFile(path, { workers: 3 });

      expect(parallel).toEqual(single);
      expect(single.broken).toEqual([
        expect.objectContaining({ opportunityId: '(unknown)', problem: 'malformed' }),
        expect.objectContaining({ opportunityId: 'opp-a', sequence: 5, problem: 'hash-mismatch' }),
      ]);
      await expect(verifyJsonLinesFile(join(directory, 'missing.jsonl'), { workers: 2 })).rejects.toThrow(
        /missing\.jsonl/,
      );
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('checks entry MACs with the key held by the calling thread, from workers as from one thread', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'verify-macs-'));
    try {
      const key = LocalLedgerKey.random();
      const entries = [
        ...(await authenticatedChain('opp-a', 4, key, { index: 1 })),
        ...(await authenticatedChain('opp-b', 3, key, { index: 2 })),
        ...(await authenticatedChain('opp-c', 2, LocalLedgerKey.random(), { index: 3 })),
      ];
      const path = join(directory, 'ledger.jsonl');
      writeFileSync(path, entries.map((entry) => `${canonicalJson(entry)}\n`).join(''));
      let asked = 0;
      const options = {
        authentication: {
          attestedThrough: new Map([['opp-a', 2]]),
          legacyThrough: new Map(),
          epochDigest: undefined,
          coveredThrough: new Map(),
          dueBefore: undefined,
          everySeconds: 86_400,
        },
        checkMacs: async (claims: readonly MacClaim[]) => {
          asked += claims.length;
          return key.verifyMacs(claims);
        },
      };

      const single = await verifyJsonLinesFile(path, options);
      const parallel = await verifyJsonLinesFile(path, { ...options, workers: 2 });

      expect(parallel).toEqual(single);
      expect(single.broken).toEqual([
        expect.objectContaining({ opportunityId: 'opp-c', sequence: 1, problem: 'bad-mac' }),
      ]);
      // Entries 1–2 of opp-a are vouched for; the other 7 MACs were asked once per run.
      expect(single.macsChecked).toBe(7);
      expect(asked).toBe(14);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('verifies a file read in small reused buffers, lines straddling them, as read whole', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'verify-chunks-'));
    try {
      const text = ledger.map((entry) => `${canonicalJson(entry)}\n`).join('');
      const path = join(directory, 'ledger.jsonl');
      writeFileSync(path, text);
      const file = await open(path);
      try {
        const report = await verifyJsonLines(readChunks(file, 97));

        expect(report).toEqual(await verifyJsonLines(chunked(Buffer.from(text), [])));
        expect(report).toMatchObject({ ok: true, entries: ledger.length });
      } finally {
        await file.close();
      }
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('reads a file an editor saved with a byte order mark as the export it is, however it is cut', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { maxLength: 4 }), async (cuts) => {
        const text = `\uFEFF${ledger.map((entry) => `${canonicalJson(entry)}\r\n`).join('')}`;

        const report = await verifyJsonLines(chunked(Buffer.from(text), [1, 2, ...cuts]));

        expect(report).toMatchObject({ ok: true, chains: 2, entries: ledger.length, broken: [] });
      }),
      { numRuns: 50 },
    );
  });

  it('names the first line that is not an entry by its number, counts the others, and counts no chain for them', async () => {
    const lines = ledger.map((entry) => canonicalJson(entry));
    const text = [lines[0], '', 'not json', ...lines.slice(1), '[1, 2]', ''].join('\n');

    const report = await verifyJsonLines(chunked(Buffer.from(text), []));

    expect(report.chains).toBe(2);
    expect(report.entries).toBe(ledger.length);
    expect(report.broken).toHaveLength(1);
    expect(report.broken[0]).toMatchObject({ opportunityId: '(unknown)', sequence: 0, problem: 'malformed' });
    expect(report.broken[0]?.detail).toMatch(
      /^line 3: not JSON: .* \(and 1 more item that cannot be read\)$/,
    );
  });

  it('says that a last line without a line end that is not an entry may be where the file was cut short', async () => {
    const text = ledger.map((entry) => `${canonicalJson(entry)}\n`).join('');

    const report = await verifyJsonLines(chunked(Buffer.from(text.slice(0, text.length - 40)), []));

    expect(report.broken[0]).toMatchObject({ opportunityId: '(unknown)', problem: 'malformed' });
    expect(report.broken[0]?.detail).toMatch(
      new RegExp(
        `^line ${ledger.length}, the last, which has no line end \\(the file may have been cut short\\): not JSON`,
      ),
    );
  });
});

describe('ledger export', () => {
  it('reads the next page of a scan segment only once its pages are written, so a slow file bounds memory', async () => {
    const pages = Array.from({ length: 40 }, (_, page) =>
      ledger.map((entry) => ({ ...entry, opportunityId: `opp-${page}` })),
    );
    let read = 0;
    let written = 0;
    let mostUnwritten = 0;
    // Two scan segments, each reading its next page as soon as its callback lets it.
    const store = {
      async scanRaw(onItems: (items: Record<string, unknown>[]) => void | Promise<void>) {
        await Promise.all(
          [0, 1].map(async (segment) => {
            for (let page = segment; page < pages.length; page += 2) {
              read += 1;
              mostUnwritten = Math.max(mostUnwritten, read - written);
              await onItems(pages[page] ?? []);
            }
          }),
        );
      },
    } as unknown as LedgerStore;

    const count = await exportJsonLines(store, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      written += 1;
    });

    expect(count).toBe(40 * ledger.length);
    expect(written).toBe(40);
    // At most one page per segment read and not yet written.
    expect(mostUnwritten).toBeLessThanOrEqual(2);
  });
});
