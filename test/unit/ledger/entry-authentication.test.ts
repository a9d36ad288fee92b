import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LocalLedgerKey } from '#adapters/ledger/local-ledger-key.ts';
import { type AuthenticationRules, ChainVerifier } from '#domain/ledger/chain-verifier.ts';
import type { LedgerEntry } from '#domain/ledger/entry.ts';
import { entryMacMessage, inspectInsertedEntry } from '#domain/ledger/entry-mac.ts';
import { canonicalJson } from '#domain/ledger/hash.ts';
import { parseEntryInput, sealEntry } from '#domain/ledger/seal.ts';
import { authenticatedChain, opportunityStory } from './sample-entries.ts';

const key = LocalLedgerKey.random();
const otherKey = LocalLedgerKey.random();

const noDigests: AuthenticationRules = {
  attestedThrough: new Map(),
  legacyThrough: new Map(),
  epochDigest: undefined,
  coveredThrough: new Map(),
  dueBefore: undefined,
  everySeconds: 86_400,
};

type Mode = 'stored items' | 'export lines';

/** Verifies entries as verify does: chain checks, then the pending MACs with the key. */
async function verify(items: readonly object[], mode: Mode, rules: AuthenticationRules = noDigests) {
  const verifier = new ChainVerifier({ authentication: rules });
  if (mode === 'stored items') {
    for (const item of items) verifier.add(structuredClone(item) as Record<string, unknown>);
  } else {
    const lines = items.map((item) => Buffer.from(`${canonicalJson(item)}\n`));
    const bytes = Buffer.concat(lines);
    let start = 0;
    for (const line of lines) {
      verifier.addJsonBytes(bytes, start, start + line.length - 1);
      start += line.length;
    }
  }
  const pending = verifier.takePendingMacs();
  const valid = await key.verifyMacs(pending);
  pending.forEach((claim, index) => {
    if (!valid[index]) verifier.rejectMac(claim);
  });
  return { report: verifier.finish(), macsChecked: pending.length };
}

const a = await authenticatedChain('opp-a', 5, key, { index: 1 });
const b = await authenticatedChain('opp-b', 3, key, { index: 2 });
const ledger = [...a, ...b];

/** The next entry of `chain`, linked and hashed as the writer would, with no MAC. */
function appended(chain: readonly LedgerEntry[], opportunityId = (chain[0] as LedgerEntry).opportunityId) {
  const [input] = opportunityStory(opportunityId, 9).map(parseEntryInput).slice(3);
  return sealEntry(
    input as ReturnType<typeof parseEntryInput>,
    chain.at(-1),
    new Date('2026-09-02T00:00:00Z'),
  );
}

describe.each<Mode>(['stored items', 'export lines'])('entry MACs, verifying %s', (mode) => {
  it('accepts chains whose every entry carries the key’s MAC, checking each MAC', async () => {
    const { report, macsChecked } = await verify(ledger, mode);

    expect(report).toMatchObject({ ok: true, chains: 2, entries: 8, broken: [] });
    expect(macsChecked).toBe(8);
  });

  it('names a forged entry appended without a MAC, and one with a MAC made by another key', async () => {
    const forged = appended(a);
    const otherMac = { ...appended(b), mac: await otherKey.generateMac(entryMacMessage(appended(b))) };

    const { report } = await verify([...ledger, forged, otherMac], mode);

    expect(report.broken).toEqual([
      expect.objectContaining({ opportunityId: 'opp-a', sequence: 6, problem: 'missing-mac' }),
      expect.objectContaining({ opportunityId: 'opp-b', sequence: 4, problem: 'bad-mac' }),
    ]);
  });

  it('names an entry copied, rehashed and relinked, into another chain with its MAC', async () => {
    const original = a[2] as LedgerEntry;
    const {
      sequence: _s,
      recordedAt: _r,
      previousHash: _p,
      hash: _h,
      mac,
      effectiveMonth: _m,
      ...input
    } = original;
    const copy = {
      ...sealEntry(
        parseEntryInput({ ...input, opportunityId: 'opp-b' }),
        b.at(-1),
        new Date(original.recordedAt),
      ),
      mac,
    };

    const { report } = await verify([...ledger, copy], mode);

    expect(report.broken).toEqual([
      expect.objectContaining({ opportunityId: 'opp-b', sequence: 4, problem: 'bad-mac' }),
    ]);
    expect(report.broken[0]?.detail).toMatch(/copied from another chain or position/);
  });

  it('names the first entry of a whole chain fabricated with another key', async () => {
    const fabricated = await authenticatedChain('opp-x', 3, otherKey, { index: 4 });

    const { report } = await verify([...ledger, ...fabricated], mode);

    expect(report.broken).toEqual([
      expect.objectContaining({ opportunityId: 'opp-x', sequence: 1, problem: 'bad-mac' }),
    ]);
  });

  it('names a modified entry by its hash, and a MAC that is not hex', async () => {
    const modified = ledger.map((entry) =>
      entry.opportunityId === 'opp-a' && entry.sequence === 4 ? { ...entry, stage: 'closedwon' } : entry,
    );
    const garbled = ledger.map((entry) =>
      entry.opportunityId === 'opp-b' && entry.sequence === 2 ? { ...entry, mac: 'not-a-mac' } : entry,
    );

    const first = await verify(modified, mode);
    const second = await verify(garbled, mode);

    expect(first.report.broken).toEqual([
      expect.objectContaining({ opportunityId: 'opp-a', sequence: 4, problem: 'hash-mismatch' }),
    ]);
    expect(second.report.broken).toEqual([
      expect.objectContaining({ opportunityId: 'opp-b', sequence: 2, problem: 'bad-mac' }),
    ]);
  });

  it('checks no MAC an authenticated digest vouches for, yet names an entry whose MAC was removed', async () => {
    const rules = { ...noDigests, attestedThrough: new Map([['opp-a', 5]]) };
    const stripped = ledger.map((entry) => {
      if (entry.opportunityId !== 'opp-a' || entry.sequence !== 2) return entry;
      const { mac: _mac, ...rest } = entry;
      return rest;
    });

    const intact = await verify(ledger, mode, rules);
    const tampered = await verify(stripped, mode, rules);

    expect(intact).toMatchObject({ report: { ok: true }, macsChecked: 3 });
    expect(tampered.report.broken).toEqual([
      expect.objectContaining({ opportunityId: 'opp-a', sequence: 2, problem: 'missing-mac' }),
    ]);
  });

  it('accepts entries without a MAC that the key epoch sealed, and no later one', async () => {
    const legacy = ledger.map((entry) => {
      const { mac: _mac, ...rest } = entry;
      return entry.opportunityId === 'opp-a' && entry.sequence <= 3 ? rest : entry;
    });
    const forgedAfter = [...legacy, appended(a)];
    const rules = { ...noDigests, legacyThrough: new Map([['opp-a', 3]]), epochDigest: 'digest-1.json' };

    const sealed = await verify(legacy, mode, rules);
    const forged = await verify(forgedAfter, mode, rules);
    const withoutEpoch = await verify(legacy, mode);

    expect(sealed.report.ok).toBe(true);
    expect(forged.report.broken).toEqual([
      expect.objectContaining({ opportunityId: 'opp-a', sequence: 6, problem: 'missing-mac' }),
    ]);
    expect(forged.report.broken[0]?.detail).toMatch(/key-epoch digest digest-1\.json does not vouch for it/);
    expect(withoutEpoch.report.broken).toEqual([
      expect.objectContaining({ opportunityId: 'opp-a', sequence: 1, problem: 'missing-mac' }),
    ]);
  });

  it('names, per chain, the oldest entry no digest records once digests are overdue', async () => {
    const rules = {
      ...noDigests,
      dueBefore: '2026-09-01T12:00:00.000Z',
      coveredThrough: new Map([['opp-a', 5]]),
    };

    const { report } = await verify(ledger, mode, rules);

    expect(report.broken).toEqual([]);
    expect(report.undigested).toEqual([
      { opportunityId: 'opp-b', sequence: 1, recordedAt: '2026-09-01T00:00:00.000Z' },
    ]);
  });
});

describe('entry MACs in export lines', () => {
  it('judges a line with any byte changed exactly as the parsing path does, MAC and recorded time included', async () => {
    const lines = ledger.map((entry) => Buffer.from(canonicalJson(entry)));
    const rules = { ...noDigests, dueBefore: '2026-08-01T00:00:00.000Z' };
    await fc.assert(
      fc.asyncProperty(
        fc.nat(ledger.length - 1),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        async (line, at, byte) => {
          const altered = lines.map((bytes) => Buffer.from(bytes));
          const target = altered[line] as Buffer;
          const position = at % target.length;
          fc.pre(target[position] !== byte);
          target[position] = byte;
          const fromBytes = new ChainVerifier({ authentication: rules });
          const fromText = new ChainVerifier({ authentication: rules });

          for (const bytes of altered) {
            fromBytes.addJsonBytes(bytes);
            fromText.addJson(bytes.toString('utf8'));
          }
          const settle = async (verifier: ChainVerifier) => {
            const pending = verifier.takePendingMacs();
            const valid = await key.verifyMacs(pending);
            pending.forEach((claim, index) => {
              if (!valid[index]) verifier.rejectMac(claim);
            });
            return verifier.finish();
          };
          const report = await settle(fromBytes);

          expect(report).toEqual(await settle(fromText));
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('an inserted entry on its own (the stream guard)', () => {
  it('passes its MAC to the key when its content hashes to its hash, and refuses it otherwise', () => {
    const entry = a[1] as LedgerEntry;

    const sound = inspectInsertedEntry({ ...entry });
    const altered = inspectInsertedEntry({ ...entry, stage: 'closedwon' });
    const unsigned = inspectInsertedEntry({ ...appended(a) });

    expect(sound).toEqual({
      opportunityId: 'opp-a',
      sequence: 2,
      problem: undefined,
      claim: { message: entryMacMessage(entry), mac: entry.mac },
    });
    expect(altered.problem).toMatch(/does not hash to its stored hash/);
    expect(unsigned.problem).toMatch(/has no MAC/);
  });
});
