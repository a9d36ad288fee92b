import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { DynamoDbLedgerStore } from '#adapters/ledger/dynamodb-ledger-store.ts';
import { FileDigestStore, localDigestDirectory } from '#adapters/ledger/file-digest-store.ts';
import { S3DigestStore } from '#adapters/ledger/s3-digest-store.ts';
import { localClientConfig } from '#local/create-tables.ts';
import type { DigestStore, LedgerStore } from '#ports/ledger.ts';

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
  close(): void;
}

/**
 * Connects to the ledger: `DYNAMODB_ENDPOINT` / `LEDGER_TABLE` from the environment (no endpoint
 * means the real AWS account of the current credentials), else `.dealreg/local.json` written by
 * the running local stack. Digests go to `LEDGER_DIGEST_BUCKET` when set, else to files under
 * `<data dir>/ledger-digests/`.
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
      throw new LedgerConnectionError(
        `no ledger to connect to: set LEDGER_TABLE (and DYNAMODB_ENDPOINT for DynamoDB Local), or start the local stack (npx dealreg local) so that ${file} exists`,
        { cause: error },
      );
    }
    let parsed: z.infer<typeof localJson>;
    try {
      parsed = localJson.parse(JSON.parse(text));
    } catch (error) {
      throw new LedgerConnectionError(`${file} has no dynamodb.endpoint and tables.Ledger`, { cause: error });
    }
    endpoint ??= parsed.dynamodb.endpoint;
    tableName = parsed.tables.Ledger;
  }
  const client = new DynamoDBClient(endpoint === undefined ? {} : localClientConfig(endpoint));
  const bucket = environment.LEDGER_DIGEST_BUCKET?.trim() || undefined;
  const digestDir = localDigestDirectory(dataDir);
  const s3 = bucket === undefined ? undefined : new S3Client({});
  return {
    store: new DynamoDbLedgerStore(client, tableName),
    digests:
      s3 === undefined || bucket === undefined
        ? new FileDigestStore(digestDir)
        : new S3DigestStore(s3, bucket),
    describe: `${tableName}${endpoint === undefined ? '' : ` at ${endpoint}`}`,
    close() {
      client.destroy();
      s3?.destroy();
    },
  };
}
