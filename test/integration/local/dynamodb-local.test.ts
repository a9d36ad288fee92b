import { spawn } from 'node:child_process';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import type { TableDefinition } from '#lib/tables/index.ts';
import { ensureTables, localClientConfig, TableDefinitionMismatchError } from '#local/create-tables.ts';
import { type RunningDynamoDbLocal, startDynamoDbLocal } from '#local/dynamodb-local.ts';

const started: RunningDynamoDbLocal[] = [];
afterEach(async () => {
  for (const dynamodb of started.splice(0)) await dynamodb.stop();
});

async function start(options: Parameters<typeof startDynamoDbLocal>[0]): Promise<RunningDynamoDbLocal> {
  const dynamodb = await startDynamoDbLocal(options);
  started.push(dynamodb);
  return dynamodb;
}

const notes: TableDefinition = {
  logicalName: 'Notes',
  partitionKey: { name: 'pk', type: 'S' },
};

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntilGone(pid: number, timeoutMs: number): Promise<number> {
  const started = performance.now();
  while (isRunning(pid)) {
    if (performance.now() - started > timeoutMs)
      throw new Error(`process ${pid} still runs after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return performance.now() - started;
}

describe('DynamoDB Local kept on disk', () => {
  it('keeps tables and items in its -dbPath directory across a restart, and creates only missing tables', async () => {
    const dbPath = await mkdtemp(join(tmpdir(), 'dealreg-dynamodb-'));
    const first = await start({ dbPath });
    await ensureTables(first.endpoint, [notes]);
    const client = new DynamoDBClient(localClientConfig(first.endpoint));
    await client.send(new PutItemCommand({ TableName: 'Notes', Item: { pk: { S: 'kept' } } }));
    client.destroy();
    await first.stop();
    // -sharedDb: one database file whatever the client's credentials and Region.
    expect(await readdir(dbPath)).toContain('shared-local-instance.db');

    const second = await start({ dbPath });
    await ensureTables(second.endpoint, [notes]);
    const otherCredentials = new DynamoDBClient({
      ...localClientConfig(second.endpoint),
      region: 'eu-west-1',
      credentials: { accessKeyId: 'someoneelse', secretAccessKey: 'x' },
    });
    const kept = await otherCredentials.send(
      new GetItemCommand({ TableName: 'Notes', Key: { pk: { S: 'kept' } } }),
    );
    otherCredentials.destroy();
    expect(kept.Item).toEqual({ pk: { S: 'kept' } });

    await expect(
      ensureTables(second.endpoint, [{ ...notes, sortKey: { name: 'sk', type: 'S' } }]),
    ).rejects.toThrow(TableDefinitionMismatchError);
  }, 90_000);

  it('adds an index a newer definition has to a kept table, with the items already there', async () => {
    const dbPath = await mkdtemp(join(tmpdir(), 'dealreg-dynamodb-'));
    const dynamodb = await start({ dbPath });
    const tagged: TableDefinition = { logicalName: 'Tagged', partitionKey: { name: 'pk', type: 'S' } };
    await ensureTables(dynamodb.endpoint, [tagged]);
    const client = new DynamoDBClient(localClientConfig(dynamodb.endpoint));
    try {
      await client.send(
        new PutItemCommand({ TableName: 'Tagged', Item: { pk: { S: 'kept' }, tag: { S: 'blue' } } }),
      );

      await ensureTables(dynamodb.endpoint, [
        {
          ...tagged,
          globalSecondaryIndexes: [{ indexName: 'byTag', partitionKey: { name: 'tag', type: 'S' } }],
        },
      ]);

      const found = await client.send(
        new QueryCommand({
          TableName: 'Tagged',
          IndexName: 'byTag',
          KeyConditionExpression: 'tag = :tag',
          ExpressionAttributeValues: { ':tag': { S: 'blue' } },
        }),
      );
      expect(found.Items?.map((item) => item.pk?.S)).toEqual(['kept']);
      // An index the kept table has and the definition does not is still named, not dropped.
      await expect(ensureTables(dynamodb.endpoint, [tagged])).rejects.toThrow(TableDefinitionMismatchError);
    } finally {
      client.destroy();
    }
  }, 90_000);

  it('tells when it ends other than by stop(), naming its log', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'dealreg-dynamodb-'));
    const logFile = join(directory, 'dynamodb-local.log');
    const dynamodb = await start({ dbPath: join(directory, 'db'), logFile });

    process.kill(dynamodb.pid, 'SIGKILL');

    const exit = await dynamodb.unexpectedExit;
    expect(exit).toMatchObject({ code: null, signal: 'SIGKILL', logFile });
    expect(exit.output).toContain('Port:');
  }, 90_000);

  it('ends when the process that started it is killed with SIGKILL', async () => {
    // A parent of its own, so that it can be killed: it starts DynamoDB Local and prints its pid.
    const parent = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { startDynamoDbLocal } from ${JSON.stringify(join(process.cwd(), 'local/dynamodb-local.ts'))};
         const dynamodb = await startDynamoDbLocal();
         console.log('pid', dynamodb.pid);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const pid = await new Promise<number>((resolve, reject) => {
      let output = '';
      parent.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /pid (\d+)/.exec(output);
        if (match?.[1] !== undefined) resolve(Number(match[1]));
      });
      parent.once('exit', (code) => reject(new Error(`the parent exited with ${code}: ${output}`)));
    });
    expect(isRunning(pid)).toBe(true);

    parent.kill('SIGKILL');

    const goneAfterMs = await waitUntilGone(pid, 30_000);
    console.log(`DynamoDB Local ended ${Math.round(goneAfterMs)} ms after its parent was killed`);
  }, 90_000);
});
