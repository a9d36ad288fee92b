import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { DynamoDbLedgerStore } from '#adapters/ledger/dynamodb-ledger-store.ts';
import { FileDigestStore } from '#adapters/ledger/file-digest-store.ts';
import { LocalLedgerKey } from '#adapters/ledger/local-ledger-key.ts';
import { buildLegacyDigest } from '#domain/ledger/merkle.ts';
import { parseEntryInput, sealEntry } from '#domain/ledger/seal.ts';
import { ledgerTable } from '#lib/tables/index.ts';
import type { LedgerAuthenticator, MacClaim } from '#ports/ledger-authenticator.ts';
import { createTestTables, type TestTables } from '#test/support/dynamodb.ts';
import { opportunityStory } from '#test/unit/ledger/sample-entries.ts';
import { appendEntry, readChain } from '#use-cases/ledger-append.ts';
import { readChainHeads, writeDigest } from '#use-cases/ledger-digest.ts';
import { verifyLedger } from '#use-cases/ledger-verify.ts';

/** The ledger key, counting the MACs it is asked to verify (what a KMS key charges per call). */
class CountingKey implements LedgerAuthenticator {
  readonly keyName = 'counting';
  verified = 0;
  readonly #key: LedgerAuthenticator;
  constructor(key: LedgerAuthenticator) {
    this.#key = key;
  }
  generateMac(message: string) {
    return this.#key.generateMac(message);
  }
  verifyMacs(claims: readonly MacClaim[]) {
    this.verified += claims.length;
    return this.#key.verifyMacs(claims);
  }
}

let tables: TestTables;
const opened: TestTables[] = [];
const ledgerKey = new CountingKey(LocalLedgerKey.random());
const at = (day: number) => () => new Date(Date.UTC(2026, 8, day));

/** A ledger of its own (tables of its own: verify reads a whole table) with `chains` chains. */
async function freshLedger(chains: number) {
  tables = await createTestTables([ledgerTable]);
  opened.push(tables);
  const name = 'opp';
  const store = new DynamoDbLedgerStore(tables.client, tables.tableName('Ledger'));
  const digests = new FileDigestStore(mkdtempSync(join(tmpdir(), 'ledger-digests-')));
  for (let index = 0; index < chains; index += 1) {
    for (const input of opportunityStory(`${name}-${index}`, index))
      await appendEntry({ store, ledgerKey, now: at(1) }, input);
  }
  return { store, digests, name };
}

afterAll(() => {
  for (const each of opened) each.client.destroy();
});

describe('ledger digests', () => {
  it('records every chain’s length and head, numbered, linked and signed; verify then checks only newer MACs', async () => {
    const { store, digests, name } = await freshLedger(4);

    const first = await writeDigest({ store, digests, ledgerKey, now: at(2) });
    await appendEntry({ store, ledgerKey, now: at(3) }, opportunityStory(`${name}-0`, 0)[3] as never);
    const second = await writeDigest({ store, digests, ledgerKey, now: at(4), everySeconds: 3600 });
    await appendEntry({ store, ledgerKey, now: at(4) }, opportunityStory(`${name}-1`, 1)[3] as never);
    const checkedBefore = ledgerKey.verified;
    const report = await verifyLedger({ store, digests, ledgerKey, now: at(4) });

    expect(first.location).toMatch(/digest-00000001\.json$/);
    expect(first.digest).toMatchObject({
      version: 2,
      number: 1,
      previous: null,
      chains: 4,
      entries: 20,
      everySeconds: 86_400,
      keyEpoch: { startedAt: '2026-09-02T00:00:00.000Z', sealsLegacyEntries: false },
    });
    expect(first.digest.heads.every((head) => head.authenticated)).toBe(true);
    expect(second.digest).toMatchObject({
      number: 2,
      previous: { name: 'digest-00000001.json' },
      entries: 21,
      everySeconds: 3600,
      keyEpoch: first.digest.keyEpoch,
    });
    expect(report).toMatchObject({ ok: true, result: 'intact', digests: 'authenticated', digestsChecked: 2 });
    // 22 entries: the 21 the second digest vouches for are not asked again; the digests' 2 MACs are.
    expect(report.macsChecked).toBe(1);
    console.log(
      `verify with digests asked the key for ${ledgerKey.verified - checkedBefore} MACs over 22 entries`,
    );
    expect(await readChainHeads(store)).toHaveLength(4);
  });

  it('never overwrites a digest file, so two digest runs at once cannot both write one number', async () => {
    const { store, digests } = await freshLedger(1);
    const runs = await Promise.allSettled([
      writeDigest({ store, digests, ledgerKey, now: at(2) }),
      writeDigest({ store, digests, ledgerKey, now: at(3) }),
    ]);

    expect(runs.map((run) => run.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(await digests.list()).toEqual(['digest-00000001.json']);
    await expect(digests.write('digest-00000001.json', '{}')).rejects.toThrow(/EEXIST/);
  });

  it('digests a chain whose new entries fail unauthenticated and says so; verify checks it again', async () => {
    const { store, digests, name } = await freshLedger(2);
    await writeDigest({ store, digests, ledgerKey, now: at(2) });
    const chain = await readChain(store, `${name}-1`);
    const forged = sealEntry(
      parseEntryInput(opportunityStory(`${name}-1`, 1)[3] as never),
      chain.at(-1),
      at(3)(),
    );
    await tables.client.send(
      new PutItemCommand({ TableName: tables.tableName('Ledger'), Item: marshall(forged) }),
    );

    const { digest, unauthenticated } = await writeDigest({ store, digests, ledgerKey, now: at(4) });
    const report = await verifyLedger({ store, digests, ledgerKey, now: at(4) });

    expect(unauthenticated).toEqual([
      expect.objectContaining({ opportunityId: `${name}-1`, sequence: 6, problem: 'missing-mac' }),
    ]);
    expect(digest.heads.find((head) => head.opportunityId === `${name}-1`)).toMatchObject({
      sequence: 6,
      authenticated: false,
    });
    expect(report.broken).toEqual([
      expect.objectContaining({ opportunityId: `${name}-1`, sequence: 6, problem: 'missing-mac' }),
    ]);
  });

  it('starts the key epoch on a ledger older than MACs, sealing its entries without one, and no later one', async () => {
    const { store, digests, name } = await freshLedger(0);
    // Entries and a digest as the ledger wrote them before MACs.
    let head: ReturnType<typeof sealEntry> | undefined;
    for (const input of opportunityStory(`${name}-old`, 1)) {
      head = sealEntry(parseEntryInput(input), head, at(1)());
      await tables.client.send(
        new PutItemCommand({ TableName: tables.tableName('Ledger'), Item: marshall(head) }),
      );
    }
    const legacy = buildLegacyDigest(await readChainHeads(store), at(1)());
    await digests.write('digest-2026-09-01T00-00-00-000Z.json', JSON.stringify(legacy));

    const epoch = await writeDigest({ store, digests, ledgerKey, now: at(2) });
    await appendEntry({ store, ledgerKey, now: at(3) }, opportunityStory(`${name}-old`)[3] as never);
    const sealed = await verifyLedger({ store, digests, ledgerKey, now: at(3) });
    const late = sealEntry(
      parseEntryInput(opportunityStory(`${name}-old`, 1)[4] as never),
      (await readChain(store, `${name}-old`)).at(-1),
      at(3)(),
    );
    await tables.client.send(
      new PutItemCommand({ TableName: tables.tableName('Ledger'), Item: marshall(late) }),
    );
    const afterEpoch = await verifyLedger({ store, digests, ledgerKey, now: at(3) });

    expect(epoch.digest.keyEpoch).toEqual({
      startedAt: '2026-09-02T00:00:00.000Z',
      sealsLegacyEntries: true,
    });
    expect(epoch.unauthenticated).toEqual([]);
    expect(sealed).toMatchObject({ ok: true, digestsChecked: 2, result: 'intact' });
    expect(afterEpoch.broken).toEqual([
      expect.objectContaining({ opportunityId: `${name}-old`, sequence: 7, problem: 'missing-mac' }),
    ]);
  });

  it('seals nothing without a MAC when the ledger had no digest before the key epoch', async () => {
    const { store, digests, name } = await freshLedger(1);
    const forged = sealEntry(
      parseEntryInput(opportunityStory(`${name}-x`, 1)[0] as never),
      undefined,
      at(1)(),
    );
    await tables.client.send(
      new PutItemCommand({ TableName: tables.tableName('Ledger'), Item: marshall(forged) }),
    );

    const epoch = await writeDigest({ store, digests, ledgerKey, now: at(2) });
    const report = await verifyLedger({ store, digests, ledgerKey, now: at(2) });

    expect(epoch.digest.keyEpoch.sealsLegacyEntries).toBe(false);
    expect(epoch.unauthenticated).toEqual([
      expect.objectContaining({ opportunityId: `${name}-x`, sequence: 1, problem: 'missing-mac' }),
    ]);
    expect(report.broken).toEqual([
      expect.objectContaining({ opportunityId: `${name}-x`, sequence: 1, problem: 'missing-mac' }),
    ]);
  });

  it('reports a digest whose root no longer matches its heads, and one signed with another key', async () => {
    const { store, digests } = await freshLedger(1);
    const { location } = await writeDigest({ store, digests, ledgerKey, now: at(2) });
    const text = readFileSync(location, 'utf8');
    const forged = JSON.parse(text) as { heads: { hash: string }[] };
    (forged.heads[0] as { hash: string }).hash = 'f'.repeat(64);
    const forgedDirectory = mkdtempSync(join(tmpdir(), 'ledger-digests-forged-'));
    writeFileSync(join(forgedDirectory, 'digest-00000001.json'), JSON.stringify(forged));

    const badRoot = await verifyLedger({
      store,
      ledgerKey,
      now: at(2),
      digests: new FileDigestStore(forgedDirectory),
    });
    const otherKey = await verifyLedger({ store, digests, ledgerKey: LocalLedgerKey.random(), now: at(2) });

    expect(badRoot.ok).toBe(false);
    expect(badRoot.digestProblems).toEqual([expect.stringMatching(/root .* does not match its heads/)]);
    expect(otherKey.digestProblems).toEqual([
      expect.stringMatching(
        /its MAC does not verify with the ledger key, so the digest writer did not write it/,
      ),
    ]);
  });
});
