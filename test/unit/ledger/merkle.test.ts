import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidDigestError } from '#domain/ledger/errors.ts';
import { buildLegacyDigest, merkleRoot, parseDigest } from '#domain/ledger/merkle.ts';

const head = fc.record({
  opportunityId: fc.stringMatching(/^[a-z0-9]{1,12}$/),
  sequence: fc.integer({ min: 1, max: 1000 }),
  hash: fc.stringMatching(/^[0-9a-f]{64}$/),
});
const heads = fc.uniqueArray(head, { selector: (value) => value.opportunityId, minLength: 1, maxLength: 40 });

describe('Merkle root over chain heads', () => {
  it('does not depend on the order heads are listed in', () => {
    fc.assert(
      fc.property(heads, (list) => {
        expect(merkleRoot([...list].reverse())).toBe(merkleRoot(list));
      }),
    );
  });

  it('changes when any head changes', () => {
    fc.assert(
      fc.property(heads, fc.nat(), (list, pick) => {
        const index = pick % list.length;
        const changed = list.map((item, position) =>
          position === index ? { ...item, sequence: item.sequence + 1 } : item,
        );
        expect(merkleRoot(changed)).not.toBe(merkleRoot(list));
      }),
    );
  });

  it('round-trips a digest and refuses one whose root does not match', () => {
    fc.assert(
      fc.property(heads, (list) => {
        const digest = buildLegacyDigest(list, new Date('2026-09-30T00:00:00Z'));
        expect(parseDigest(JSON.parse(JSON.stringify(digest)), 'd')).toEqual(digest);
        expect(() => parseDigest({ ...digest, root: '0'.repeat(64) }, 'd')).toThrow(InvalidDigestError);
      }),
      { numRuns: 50 },
    );
  });
});
