import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { DynamoDbLedgerStore } from '#adapters/ledger/dynamodb-ledger-store.ts';
import { FileDigestStore, localDigestDirectory } from '#adapters/ledger/file-digest-store.ts';
import { KmsLedgerKey } from '#adapters/ledger/kms-ledger-key.ts';
import { LocalLedgerKey, localLedgerKeyPath } from '#adapters/ledger/local-ledger-key.ts';
import { S3DigestStore } from '#adapters/ledger/s3-digest-store.ts';
import { localClientConfig } from '#local/create-tables.ts';
import type { DigestStore, LedgerStore } from '#ports/ledger.ts';
import type { LedgerAuthenticator } from '#ports/ledger-authenticator.ts';
import { malformedLocalDescription, unreadableLocalDescription } from './local-description-file.ts';

/** Settings the ledger commands could not find or could not use. */
export class LedgerConnectionError extends Error {
  override readonly name = 'LedgerConnectionError';
}

const localJson = z.object({
  dynamodb: z.object({ endpoint: z.string().url() }),
  tables: z.object({ Ledger: z.string().min(1) }),
});

export interface LedgerConnection {
  readonly store: LedgerStore;
  readonly digests: DigestStore;
  readonly describe: string;
  /** The ledger key, read when first asked for (`show` and `report` need none). */
  ledgerKey(): Promise<LedgerAuthenticator>;
  close(): void;
}

/**
 * The ledger key: the KMS key named by `LEDGER_MAC_KEY` (verify needs `kms:VerifyMac` on it;
 * `correct`, `digest` and `investments import` need `kms:GenerateMac`, which only the deployed
 * writers hold), else the local stack's key file in the data directory.
 */
export function ledgerKeyFor(
  dataDir: string,
  environment: NodeJS.ProcessEnv = process.env,
): { load(): Promise<LedgerAuthenticator>; close(): void } {
  const keyId = environment.LEDGER_MAC_KEY?.trim() || undefined;
  if (keyId === undefined) {
    return { load: () => LocalLedgerKey.load(localLedgerKeyPath(dataDir)), close() {} };
  }
  const client = new KMSClient({});
  const key = new KmsLedgerKey(client, keyId);
  return { load: async () => key, close: () => client.destroy() };
}

/**
 * Connects to the ledger: `DYNAMODB_ENDPOINT` / `LEDGER_TABLE` from the environment (no endpoint
 * means the real AWS account of the current credentials), else `.dealreg/local.json` written by
 * the running local stack. Digests go to `LEDGER_DIGEST_BUCKET` when set, else to files under
 * `<data dir>/ledger-digests/`. The ledger key is `LEDGER_MAC_KEY` (KMS), else `<data dir>/ledger-mac.key`.
 */
export async function connectLedger(
  dataDir: string,
  environment: NodeJS.ProcessEnv = process.env,
): Promise<LedgerConnection> {
  let endpoint = environment.DYNAMODB_ENDPOINT?.trim() || undefined;
  let tableName = environment.LEDGER_TABLE?.trim() || undefined;
  if (tableName === undefined) {
    const file = join(dataDir, 'local.json');
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw unreadableLocalDescription(file, error);
      throw new LedgerConnectionError(
        `no ledger to connect to: set LEDGER_TABLE (and DYNAMODB_ENDPOINT for DynamoDB Local), or start the local stack (npx dealreg local) so that ${file} exists`,
        { cause: error },
      );
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw malformedLocalDescription(file, error);
    }
    const parsed = localJson.safeParse(raw);
    if (!parsed.success) {
      throw new LedgerConnectionError(
        `${file} has no dynamodb.endpoint and tables.Ledger; restart the local stack from this checkout (npx dealreg local), which writes them`,
        { cause: parsed.error },
      );
    }
    endpoint ??= parsed.data.dynamodb.endpoint;
    tableName = parsed.data.tables.Ledger;
  }
  const client = new DynamoDBClient(endpoint === undefined ? {} : localClientConfig(endpoint));
  const bucket = environment.LEDGER_DIGEST_BUCKET?.trim() || undefined;
  const digestDir = localDigestDirectory(dataDir);
  const s3 = bucket === undefined ? undefined : new S3Client({});
  const key = ledgerKeyFor(dataDir, environment);
  let loaded: Promise<LedgerAuthenticator> | undefined;
  return {
    store: new DynamoDbLedgerStore(client, tableName),
    digests:
      s3 === undefined || bucket === undefined
        ? new FileDigestStore(digestDir)
        : new S3DigestStore(s3, bucket),
    describe: `${tableName}${endpoint === undefined ? '' : ` at ${endpoint}`}`,
    ledgerKey() {
      loaded ??= key.load();
      return loaded;
    },
    close() {
      client.destroy();
      s3?.destroy();
      key.close();
    },
  };
}
