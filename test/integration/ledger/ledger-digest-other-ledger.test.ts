import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbLedgerStore } from '#adapters/ledger/dynamodb-ledger-store.ts';
import { FileDigestStore } from '#adapters/ledger/file-digest-store.ts';
import { LocalLedgerKey } from '#adapters/ledger/local-ledger-key.ts';
import { DynamoDbRegistrationHistory } from '#adapters/qbr/registration-history.ts';
import { loadPolicy } from '#domain/policy/load-policy.ts';
import { ledgerTable, registrationsTable } from '#lib/tables/index.ts';
import { createTestTables, type TestTables } from '#test/support/dynamodb.ts';
import { opportunityStory } from '#test/unit/ledger/sample-entries.ts';
import { appendEntry } from '#use-cases/ledger-append.ts';
import { writeDigest } from '#use-cases/ledger-digest.ts';
import { verifyLedger } from '#use-cases/ledger-verify.ts';
import { buildQbrReport } from '#use-cases/qbr-build-report.ts';

const ledgerKey = LocalLedgerKey.random();
const opened: TestTables[] = [];
const policy = loadPolicy({});

/** A ledger in tables of its own, its chains `opp-0` … written on `day` (so their hashes differ by day). */
async function ledgerOf(chains: number, day: number) {
  const tables = await createTestTables([ledgerTable, registrationsTable]);
  opened.push(tables);
  const store = new DynamoDbLedgerStore(tables.client, tables.tableName('Ledger'));
  const now = () => new Date(Date.UTC(2026, 8, day));
  for (let index = 0; index < chains; index += 1) {
    for (const input of opportunityStory(`opp-${index}`, index))
      await appendEntry({ store, ledgerKey, now }, input);
  }
  const registrations = new DynamoDbRegistrationHistory(
    tables.documentClient,
    tables.tableName(registrationsTable.logicalName),
  );
  return { tables, store, registrations };
}

let digests: FileDigestStore;
let earlier: Awaited<ReturnType<typeof ledgerOf>>;

/** Digests of the earlier ledger (2 chains, digested on 09-02), in a directory of their own. */
async function earlierDigests() {
  const store = new FileDigestStore(mkdtempSync(join(tmpdir(), 'ledger-digests-')));
  await writeDigest({
    store: earlier.store,
    digests: store,
    ledgerKey,
    now: () => new Date('2026-09-02T00:00:00Z'),
  });
  return store;
}

beforeAll(async () => {
  // The earlier ledger: two chains, digested on 09-02.
  earlier = await ledgerOf(2, 1);
  digests = await earlierDigests();
});

afterAll(() => {
  for (const each of opened) each.client.destroy();
});

const now = () => new Date('2026-09-10T00:00:00Z');

describe('a ledger beside digests', () => {
  it('started afresh beside an earlier ledger’s digests is "no digest for this ledger", not broken', async () => {
    // Same chain ids (opp-0), written on another day: the fresh ledger holds none of the digest's heads.
    const fresh = await ledgerOf(1, 5);

    // A day after its entries: no digest of it is due yet (verify names missing digests once one is).
    const verification = await verifyLedger({
      store: fresh.store,
      digests,
      ledgerKey,
      now: () => new Date('2026-09-06T00:00:00Z'),
    });
    const report = await buildQbrReport(
      { ledger: fresh.store, digests, registrations: fresh.registrations, policy, now },
      { quarter: '2026-Q3', asOf: new Date('2026-09-10T00:00:00Z') },
    );

    expect(verification).toMatchObject({
      ok: true,
      result: 'intact-without-digests',
      digests: 'other-ledger',
      broken: [],
      chains: 1,
    });
    expect(verification.warnings[0]).toMatch(
      /^no digest for this ledger: the 1 digest found records 2 chain heads/,
    );
    expect(report.integrity).toMatchObject({ chains: 1, broken: 0, digests: { status: 'other-ledger' } });
    expect(report.findings.filter((finding) => finding.code === 'LEDGER_INTEGRITY')).toEqual([]);
  });

  it('that lost a chain its digest recorded is broken, and the lost chain is counted among the chains', async () => {
    // A copy of the earlier ledger's opp-0 only: it shares entries with the digest, and opp-1 is gone.
    const copy = await ledgerOf(0, 1);
    for (const item of await earlier.store.readChainRaw('opp-0')) {
      await copy.tables.client.send(
        new PutItemCommand({ TableName: copy.tables.tableName('Ledger'), Item: marshall(item) }),
      );
    }

    const verification = await verifyLedger({ store: copy.store, digests, ledgerKey, now });
    const report = await buildQbrReport(
      { ledger: copy.store, digests, registrations: copy.registrations, policy, now },
      { quarter: '2026-Q3', asOf: new Date('2026-09-10T00:00:00Z') },
    );

    expect(verification).toMatchObject({ ok: false, result: 'broken', digests: 'authenticated' });
    expect(verification.broken).toEqual([
      expect.objectContaining({ opportunityId: 'opp-1', problem: 'chain-deleted' }),
    ]);
    // 1 chain in the ledger + opp-1 that only the digest names = 2 chains, 1 broken (as verify counts: 2)
    expect(verification.chains).toBe(2);
    expect(report.integrity).toMatchObject({
      chains: 2,
      chainsNotInLedger: 1,
      broken: 1,
      digests: { status: 'checked' },
    });
  });
});

describe('the next digest of a ledger started afresh beside an earlier one’s digests', () => {
  it('begins a new series when told to, and verify and the report check the ledger against it', async () => {
    const store = await earlierDigests();
    const fresh = await ledgerOf(1, 5);

    const { digest, unauthenticated } = await writeDigest({
      store: fresh.store,
      digests: store,
      ledgerKey,
      now: () => new Date('2026-09-06T00:00:00Z'),
      onAnotherLedger: 'start-new-series',
    });
    // The next day's digest continues the new series as usual.
    await appendEntry(
      { store: fresh.store, ledgerKey, now: () => new Date('2026-09-06T12:00:00Z') },
      opportunityStory('opp-7', 7)[0] as never,
    );
    const next = await writeDigest({
      store: fresh.store,
      digests: store,
      ledgerKey,
      now: () => new Date('2026-09-07T00:00:00Z'),
      onAnotherLedger: 'start-new-series',
    });
    const verification = await verifyLedger({ store: fresh.store, digests: store, ledgerKey, now });
    const report = await buildQbrReport(
      { ledger: fresh.store, digests: store, registrations: fresh.registrations, policy, now },
      { quarter: '2026-Q3', asOf: new Date('2026-09-10T00:00:00Z') },
    );

    expect(unauthenticated).toEqual([]);
    expect(digest).toMatchObject({
      number: 2,
      previous: { name: 'digest-00000001.json' },
      chains: 1,
      keyEpoch: { startedAt: '2026-09-06T00:00:00.000Z', sealsLegacyEntries: false },
    });
    expect(digest.newSeries?.reason).toMatch(
      /^the ledger holds none of the 2 chain heads digest digest-00000001\.json recorded/,
    );
    expect(next.digest).toMatchObject({ number: 3, chains: 2, keyEpoch: digest.keyEpoch });
    expect(next.digest.newSeries).toBeUndefined();
    expect(next.unauthenticated).toEqual([]);
    expect(verification).toMatchObject({
      ok: true,
      result: 'intact',
      digests: 'authenticated',
      broken: [],
      digestProblems: [],
      chains: 2,
    });
    expect(verification.warnings).toEqual([
      expect.stringMatching(
        /^the digests were started over at digest-00000002\.json \(.*\); the 1 digest before it describes an earlier ledger/,
      ),
    ]);
    expect(report.integrity).toMatchObject({ chains: 2, broken: 0, digests: { status: 'checked' } });
    expect(report.findings.filter((finding) => finding.code === 'LEDGER_INTEGRITY')).toEqual([]);
  });

  it('in the new series, a chain deleted afterwards is broken again', async () => {
    const store = await earlierDigests();
    const fresh = await ledgerOf(2, 6);
    await writeDigest({
      store: fresh.store,
      digests: store,
      ledgerKey,
      now: () => new Date('2026-09-07T00:00:00Z'),
      onAnotherLedger: 'start-new-series',
    });
    // A copy of the fresh ledger without opp-1: the new series recorded it.
    const copy = await ledgerOf(0, 6);
    for (const item of await fresh.store.readChainRaw('opp-0')) {
      await copy.tables.client.send(
        new PutItemCommand({ TableName: copy.tables.tableName('Ledger'), Item: marshall(item) }),
      );
    }

    const verification = await verifyLedger({ store: copy.store, digests: store, ledgerKey, now });

    expect(verification).toMatchObject({ ok: false, result: 'broken', digests: 'authenticated' });
    expect(verification.broken).toEqual([
      expect.objectContaining({ opportunityId: 'opp-1', problem: 'chain-deleted' }),
    ]);
  });

  it('is refused, writing nothing, when the writer is told to refuse', async () => {
    const store = await earlierDigests();
    const fresh = await ledgerOf(1, 5);

    await expect(
      writeDigest({ store: fresh.store, digests: store, ledgerKey, now, onAnotherLedger: 'refuse' }),
    ).rejects.toThrow(
      /^the ledger holds none of the 2 chain heads digest digest-00000001\.json recorded: .*Nothing was written.*dealreg ledger digest --new-series/,
    );
    expect(await store.list()).toEqual(['digest-00000001.json']);
  });

  it('by the scheduled writer records every earlier chain as deleted, so the alarm goes off', async () => {
    const store = await earlierDigests();
    const fresh = await ledgerOf(1, 5);

    const { digest, unauthenticated } = await writeDigest({
      store: fresh.store,
      digests: store,
      ledgerKey,
      now,
    });

    expect(digest.newSeries).toBeUndefined();
    expect(unauthenticated.map((chain) => [chain.opportunityId, chain.problem])).toEqual([
      ['opp-0', 'digest-mismatch'],
      ['opp-1', 'chain-deleted'],
    ]);
  });
});
