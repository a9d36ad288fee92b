import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChainVerifier, mergeVerifyReports } from '#domain/ledger/chain-verifier.ts';
import type { LedgerEntry } from '#domain/ledger/entry.ts';
import { canonicalJson, chainHash } from '#domain/ledger/hash.ts';
import { buildLegacyDigest } from '#domain/ledger/merkle.ts';
import { type ChainHead, parseEntryInput, sealEntry } from '#domain/ledger/seal.ts';
import { opportunityStory } from './sample-entries.ts';

function chain(opportunityId: string, length: number, index = 0): LedgerEntry[] {
  const story = opportunityStory(opportunityId, index).map(parseEntryInput);
  const entries: LedgerEntry[] = [];
  let head: ChainHead | undefined;
  for (let sequence = 0; sequence < length; sequence += 1) {
    head = sealEntry(
      story[sequence % story.length] as (typeof story)[number],
      head,
      new Date('2026-09-01T00:00:00Z'),
    );
    entries.push(head as LedgerEntry);
  }
  return entries;
}

/** Verifies items as `ledger export` writes them: canonical JSON lines, read as bytes of one buffer. */
function verifyExport(items: readonly object[]) {
  const verifier = new ChainVerifier();
  const lines = items.map((item) => Buffer.from(`${canonicalJson(item)}\n`));
  const bytes = Buffer.concat(lines);
  let start = 0;
  for (const line of lines) {
    verifier.addJsonBytes(bytes, start, start + line.length - 1);
    start += line.length;
  }
  return verifier.finish();
}

function verify(items: readonly object[], setup?: (verifier: ChainVerifier) => void) {
  const verifier = new ChainVerifier();
  setup?.(verifier);
  for (const item of items) verifier.add(structuredClone(item) as Record<string, unknown>);
  return verifier.finish();
}

const ledger = [...chain('opp-a', 7, 1), ...chain('opp-b', 4, 2), ...chain('opp-c', 1, 3)];

describe('chain verifier', () => {
  it('accepts intact chains in any arrival order', () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray(ledger, { minLength: ledger.length, maxLength: ledger.length }),
        (shuffled) => {
          const report = verify(shuffled);
          expect(report).toMatchObject({ ok: true, chains: 3, entries: 12, broken: [] });
          expect(report.heads.map((head) => [head.opportunityId, head.sequence])).toEqual([
            ['opp-a', 7],
            ['opp-b', 4],
            ['opp-c', 1],
          ]);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('names the altered entry for any single changed field, in any order', () => {
    fc.assert(
      fc.property(
        fc.nat(ledger.length - 1),
        fc.string({ minLength: 1 }),
        fc.boolean(),
        (position, text, reverse) => {
          const items = structuredClone(ledger) as unknown as Record<string, unknown>[];
          const target = items[position] as Record<string, unknown>;
          const fields = Object.keys(target).filter((key) => key !== 'opportunityId' && key !== 'sequence');
          const field = fields[text.length % fields.length] as string;
          target[field] = target[field] === text ? `${text}!` : text;

          const report = verify(reverse ? items.reverse() : items);

          expect(report.ok).toBe(false);
          expect(report.broken).toHaveLength(1);
          expect(report.broken[0]).toMatchObject({
            opportunityId: target.opportunityId,
            sequence: target.sequence,
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('names a missing middle entry as a sequence gap', () => {
    const items = ledger.filter((entry) => !(entry.opportunityId === 'opp-a' && entry.sequence === 3));

    expect(verify(items).broken).toEqual([
      expect.objectContaining({ opportunityId: 'opp-a', sequence: 3, problem: 'sequence-gap' }),
    ]);
  });

  it('names an entry whose previous hash does not link to its predecessor', () => {
    const other = chain('opp-a', 3, 9);
    const items = ledger.map((entry) =>
      entry.opportunityId === 'opp-a' && entry.sequence === 3 ? (other[2] as LedgerEntry) : entry,
    );

    expect(verify(items).broken).toEqual([
      expect.objectContaining({ opportunityId: 'opp-a', sequence: 3, problem: 'broken-link' }),
    ]);
  });

  it('checks digest heads: a removed last entry is a truncation, a replaced one mismatches', () => {
    const digest = buildLegacyDigest(
      [
        { opportunityId: 'opp-a', sequence: 7, hash: (ledger[6] as LedgerEntry).hash },
        { opportunityId: 'opp-b', sequence: 4, hash: 'e'.repeat(64) },
      ],
      new Date('2026-09-30T00:00:00Z'),
    );
    const items = ledger.filter((entry) => !(entry.opportunityId === 'opp-a' && entry.sequence === 7));

    const report = verify(items, (verifier) => verifier.expectDigest(digest, 'd1'));

    expect(report.broken).toEqual([
      expect.objectContaining({ opportunityId: 'opp-a', sequence: 7, problem: 'truncated' }),
      expect.objectContaining({ opportunityId: 'opp-b', sequence: 4, problem: 'digest-mismatch' }),
    ]);
  });

  it('verifies JSON lines the same way as parsed items, naming an altered line', () => {
    const lines = ledger.map((entry) => JSON.stringify(entry));
    lines[2] = (lines[2] as string).replace('"customer-1.example.com"', '"customer-1.example.org"');
    const verifier = new ChainVerifier();

    for (const line of [...lines, 'not json']) verifier.addJson(line);
    const report = verifier.finish();

    expect(report.broken).toEqual([
      expect.objectContaining({ opportunityId: '(unknown)', problem: 'malformed' }),
      expect.objectContaining({ opportunityId: 'opp-a', sequence: 3, problem: 'hash-mismatch' }),
    ]);
  });

  it('names an entry two digests disagree on, even when the ledger matches the later one', () => {
    const head = { opportunityId: 'opp-b', sequence: 4, hash: (ledger[10] as LedgerEntry).hash };
    const first = buildLegacyDigest([{ ...head, hash: 'a'.repeat(64) }], new Date('2026-09-01T00:00:00Z'));
    const second = buildLegacyDigest([head], new Date('2026-09-02T00:00:00Z'));

    const report = verify(ledger, (verifier) => {
      verifier.expectDigest(first, 'd1');
      verifier.expectDigest(second, 'd2');
    });

    expect(report.broken).toEqual([
      expect.objectContaining({ opportunityId: 'opp-b', sequence: 4, problem: 'digest-mismatch' }),
    ]);
    expect(report.broken[0]?.detail).toMatch(/digests d1 and d2 recorded different hashes/);
  });

  it('reports an item without an opportunity id instead of throwing', () => {
    expect(verify([{ sequence: 1 }]).broken[0]).toMatchObject({ problem: 'malformed' });
  });

  it('verifies export lines from their bytes exactly as parsed items, naming any altered attribute', () => {
    expect(verifyExport(ledger)).toEqual(verify(ledger));
    const { hash: _hash, ...body } = { ...(ledger[0] as LedgerEntry), opportunityId: '' };
    const unnamed = { ...body, hash: chainHash(body, body.previousHash) };
    expect(verifyExport([unnamed, ...ledger])).toEqual(verify([unnamed, ...ledger]));
    expect(verifyExport([unnamed])).toMatchObject({ ok: true, entries: 1, chains: 1 });
    fc.assert(
      fc.property(fc.nat(ledger.length - 1), fc.string({ minLength: 1 }), (position, text) => {
        const items = structuredClone(ledger) as unknown as Record<string, unknown>[];
        const target = items[position] as Record<string, unknown>;
        const fields = Object.keys(target).filter((key) => key !== 'opportunityId' && key !== 'sequence');
        const field = fields[text.length % fields.length] as string;
        target[field] = target[field] === text ? `${text}!` : text;

        const report = verifyExport(items);

        expect(report).toEqual(verify(items));
        expect(report.broken).toEqual([
          expect.objectContaining({ opportunityId: target.opportunityId, sequence: target.sequence }),
        ]);
      }),
      { numRuns: 300 },
    );
  });

  it('judges an export line with any byte changed exactly as the parsing path does, never as intact', () => {
    const lines = ledger.map((entry) => Buffer.from(canonicalJson(entry)));
    fc.assert(
      fc.property(fc.nat(ledger.length - 1), fc.nat(), fc.integer({ min: 0, max: 255 }), (line, at, byte) => {
        const altered = lines.map((bytes) => Buffer.from(bytes));
        const target = altered[line] as Buffer;
        const position = at % target.length;
        fc.pre(target[position] !== byte);
        target[position] = byte;
        const fromBytes = new ChainVerifier();
        const fromText = new ChainVerifier();

        for (const bytes of altered) {
          fromBytes.addJsonBytes(bytes);
          fromText.addJson(bytes.toString('utf8'));
        }
        const report = fromBytes.finish();

        expect(report).toEqual(fromText.finish());
        expect(report.ok).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('checks only the chain asked for when reading export lines', () => {
    const verifier = new ChainVerifier({ only: 'opp-b' });
    for (const entry of ledger) verifier.addJsonBytes(Buffer.from(canonicalJson(entry)));

    expect(verifier.finish()).toMatchObject({ ok: true, chains: 1, entries: 4 });
  });

  it('verifies lines in any key order with escapes and characters beyond ASCII, naming an altered one', () => {
    const names = ['Zürich AG', 'say "hi"\n', 'Ⓐ 😀 co', 'plain'];
    let head: ChainHead | undefined;
    const entries = names.map((name, index) => {
      const input = parseEntryInput({
        type: 'OpportunityCreated',
        opportunityId: 'opp-text',
        effectiveAt: `2026-07-0${index + 1}T00:00:00Z`,
        recordedBy: 'crm-events',
        customer: { domain: 'customer.example.com', name },
      });
      head = sealEntry(input, head, new Date('2026-09-01T00:00:00Z'));
      return head;
    });
    const texts = [
      ...entries.map((entry) => canonicalJson(entry)),
      ...entries.map((entry) => JSON.stringify(entry)),
    ];
    const check = (lines: readonly string[]) => {
      const verifier = new ChainVerifier();
      for (const line of lines) verifier.addJsonBytes(Buffer.from(line));
      return verifier.finish();
    };

    expect(check(texts.slice(0, 4))).toMatchObject({ ok: true, entries: 4 });
    expect(check(texts.slice(4))).toMatchObject({ ok: true, entries: 4 });
    for (const [index, source, altered] of [
      [2, texts[2] as string, (texts[2] as string).replace('😀', '😁')],
      [1, texts[5] as string, (texts[5] as string).replace('\\"hi\\"', '\\"ho\\"')],
    ] as const) {
      const lines = texts.slice(0, 4);
      lines[index] = altered;
      expect(altered).not.toBe(source);
      expect(check(lines).broken).toEqual([
        expect.objectContaining({ opportunityId: 'opp-text', sequence: index + 1, problem: 'hash-mismatch' }),
      ]);
    }
  });

  it('gives, split into parts of the chains and merged, the report of one verifier', () => {
    const digest = buildLegacyDigest(
      [
        { opportunityId: 'opp-a', sequence: 7, hash: (ledger[6] as LedgerEntry).hash },
        { opportunityId: 'opp-c', sequence: 1, hash: 'e'.repeat(64) },
      ],
      new Date('2026-09-30T00:00:00Z'),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.nat(ledger.length),
        fc.string(),
        (count, position, text) => {
          const lines = ledger.map((entry) => canonicalJson(entry));
          if (position < lines.length)
            lines[position] = (lines[position] as string).replace('"sequence"', text);
          lines.push('not json');
          const check = (part?: { index: number; count: number }) => {
            const verifier = new ChainVerifier(part === undefined ? {} : { part });
            verifier.expectDigest(digest, 'd1');
            for (const line of lines) verifier.addJsonBytes(Buffer.from(line));
            return verifier.finish();
          };

          const parts = Array.from({ length: count }, (_, index) => check({ index, count }));

          expect(mergeVerifyReports(parts)).toEqual(check());
        },
      ),
      { numRuns: 200 },
    );
  });
});
