import { describe, expect, it } from 'vitest';
import { LocalLedgerKey } from '#adapters/ledger/local-ledger-key.ts';
import { assessDigests, type CheckedDigest, digestDueAfterSeconds } from '#domain/ledger/digest-rules.ts';
import { digestMacMessage } from '#domain/ledger/entry-mac.ts';
import { InvalidDigestError } from '#domain/ledger/errors.ts';
import {
  type AuthenticatedDigest,
  buildDigestBody,
  buildLegacyDigest,
  digestFingerprint,
  type KeyEpoch,
  parseDigest,
} from '#domain/ledger/merkle.ts';

const key = LocalLedgerKey.random();
const hash = (letter: string) => letter.repeat(64);
const epoch: KeyEpoch = { startedAt: '2026-10-01T00:00:00.000Z', sealsLegacyEntries: true };
const now = new Date('2026-10-05T00:00:00Z');

/** Digests 1…n as the digest writer writes them, each linked to the one before and signed. */
async function series(
  heads: readonly { opportunityId: string; sequence: number; authenticated: boolean }[][],
): Promise<CheckedDigest[]> {
  const written: CheckedDigest[] = [];
  for (const [index, list] of heads.entries()) {
    const before = written.at(-1);
    const body = buildDigestBody({
      number: index + 1,
      previous: before === undefined ? null : { name: before.name, sha256: digestFingerprint(before.digest) },
      createdAt: new Date(Date.parse(epoch.startedAt) + index * 86_400_000),
      everySeconds: 86_400,
      keyEpoch: epoch,
      heads: list.map((head) => ({ ...head, hash: hash(String(head.sequence)) })),
    });
    const digest: AuthenticatedDigest = { ...body, mac: await key.generateMac(digestMacMessage(body)) };
    written.push({ name: `digest-${index + 1}.json`, digest, macValid: true });
  }
  return written;
}

const three = await series([
  [{ opportunityId: 'opp-a', sequence: 2, authenticated: true }],
  [
    { opportunityId: 'opp-a', sequence: 3, authenticated: true },
    { opportunityId: 'opp-b', sequence: 1, authenticated: true },
  ],
  [
    { opportunityId: 'opp-a', sequence: 5, authenticated: true },
    { opportunityId: 'opp-b', sequence: 2, authenticated: false },
  ],
]);

describe('assessing the digests', () => {
  it('says there are none, and still expects every entry older than two intervals in a digest', () => {
    const assessment = assessDigests([], { now });

    expect(assessment).toMatchObject({ status: 'none', problems: [], expected: [], latest: undefined });
    expect(assessment.rules).toMatchObject({
      dueBefore: '2026-10-03T00:00:00.000Z',
      everySeconds: 86_400,
      epochDigest: undefined,
    });
  });

  it('gives a digest run two intervals, and at least the interval and ten minutes, to record an entry', () => {
    expect(digestDueAfterSeconds(86_400)).toBe(172_800);
    expect(digestDueAfterSeconds(3600)).toBe(7200);
    expect(digestDueAfterSeconds(2)).toBe(602);
  });

  it('takes the key epoch from digest 1, what it vouches for from the latest, coverage from all', () => {
    const assessment = assessDigests(three, { now });

    expect(assessment).toMatchObject({ status: 'authenticated', problems: [], keyEpoch: epoch });
    expect(assessment.latest).toBe('digest-3.json');
    expect(assessment.rules.legacyThrough).toEqual(new Map([['opp-a', 2]]));
    expect(assessment.rules.attestedThrough).toEqual(new Map([['opp-a', 5]]));
    expect(assessment.rules.coveredThrough).toEqual(
      new Map([
        ['opp-a', 5],
        ['opp-b', 2],
      ]),
    );
    expect(assessment.rules.epochDigest).toBe('digest-1.json');
  });

  it('names a missing digest number, and a digest whose MAC fails, which it then ignores', () => {
    const [first, , last] = three as [CheckedDigest, CheckedDigest, CheckedDigest];

    const gap = assessDigests([first, last], { now });
    const forged = assessDigests([...three.slice(0, 2), { ...last, macValid: false }], { now });

    expect(gap.problems).toEqual(['digest number 2 is missing (between digest-1.json and digest-3.json)']);
    expect(forged.problems).toEqual([
      'digest digest-3.json: its MAC does not verify with the ledger key, so the digest writer did not write it',
    ]);
    expect(forged.expected.map(({ name }) => name)).toEqual(['digest-1.json', 'digest-2.json']);
    expect(forged.latest).toBe('digest-2.json');
  });

  it('names a missing first digest, and a digest that does not follow the one before it', async () => {
    const [, second, third] = three as [CheckedDigest, CheckedDigest, CheckedDigest];
    const [otherFirst] = await series([[{ opportunityId: 'opp-z', sequence: 1, authenticated: true }]]);

    const headless = assessDigests([second, third], { now });
    const replaced = assessDigests([{ ...(otherFirst as CheckedDigest) }, second, third], { now });

    expect(headless.problems).toEqual(['digest number 1 is missing (before digest-2.json)']);
    expect(headless.rules.legacyThrough).toEqual(new Map());
    expect(replaced.problems).toEqual([
      expect.stringMatching(/^digest digest-2\.json \(number 2\) does not follow digest digest-1\.json/),
    ]);
  });

  it('counts legacy digests for coverage but vouches for nothing with them', () => {
    const legacy = buildLegacyDigest(
      [{ opportunityId: 'opp-a', sequence: 9, hash: hash('9') }],
      new Date('2026-09-01T00:00:00Z'),
    );

    const assessment = assessDigests([{ name: 'digest-old.json', digest: legacy }], { now });

    expect(assessment.status).toBe('legacy');
    expect(assessment.rules.coveredThrough).toEqual(new Map([['opp-a', 9]]));
    expect(assessment.rules.attestedThrough).toEqual(new Map());
    expect(assessment.rules.legacyThrough).toEqual(new Map());
  });

  it('reads back a signed digest, and refuses one whose counts disagree with its heads', () => {
    const digest = (three[2] as CheckedDigest).digest;

    expect(parseDigest(JSON.parse(JSON.stringify(digest)), 'd')).toEqual(digest);
    expect(() => parseDigest({ ...digest, entries: digest.entries + 1 }, 'd')).toThrow(InvalidDigestError);
  });
});
