import { createServer } from 'node:net';
import { relative, resolve } from 'node:path';
import { Duration } from 'luxon';
import { dataDirectory } from '#local/data-dir.ts';
import { DataDirectoryInUseError, runningLockHolder } from '#local/lock.ts';
import type { RunningLocalStack } from '#local/stack.ts';
import type { LocalOptions } from './local.ts';
import { loadPolicyFile } from './policy-file.ts';
import { UsageError } from './usage-error.ts';

function digestInterval(value: string): number {
  const duration = Duration.fromISO(value);
  const ms = duration.isValid ? duration.toMillis() : Number.NaN;
  if (!(ms >= 1000)) {
    throw new UsageError(
      `--digest-every must be an ISO 8601 duration of at least one second such as PT1H, got "${value}"`,
    );
  }
  return ms;
}

function portRefused(port: number, code: string, cause?: unknown): UsageError {
  return new UsageError(
    `--port ${port} ${code === 'EADDRINUSE' ? 'is already in use' : 'needs privileges this user does not have'}: choose another --port, or leave it out to take a free port`,
    { cause },
  );
}

/**
 * Refuses a --port this process cannot listen on (the API listens on 127.0.0.1), before the data
 * directory is locked or written and DynamoDB Local started: a bad argument changes nothing. The
 * stack still names a port taken between this check and its own listen.
 */
async function checkPortFree(port: number | undefined): Promise<void> {
  if (port === undefined || port === 0) return;
  const probe = createServer();
  const code = await new Promise<string | undefined>((resolve) => {
    probe.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'EADDRINUSE'));
    probe.listen(port, '127.0.0.1', () => resolve(undefined));
  });
  if (code === undefined) {
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    return;
  }
  if (code === 'EADDRINUSE' || code === 'EACCES') throw portRefused(port, code);
}

/**
 * SIGINT or SIGTERM, from the moment it is called: the first aborts `signal`; a second one, for
 * someone who will not wait for the orderly stop, ends the process at once.
 */
function stopOnSignals(): AbortSignal {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort(new Error(`stopped by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return controller.signal;
}

/** Which policy the stack runs, and why that one. */
function policyLine(stack: RunningLocalStack): string {
  const { file, chosenBy } = stack.policySource;
  const shown = relative(process.cwd(), file).startsWith('..') ? file : relative(process.cwd(), file);
  const coSell = stack.policy.policy.coSell.enabled ? 'co-sell on' : 'co-sell off';
  const why = {
    named: 'named with --policy',
    kept: 'the policy this data directory ran under before; --policy names another',
    'new-run': 'the default of a new data directory; --policy names another',
  }[chosenBy];
  return `${shown} (${coSell}; ${why})`;
}

const aborted = (signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });

/**
 * `dealreg local`: starts the stack, tells the demo, and runs until Ctrl-C. Stopping takes
 * seconds, however much work is queued: the runner refuses new executions and aborts the running
 * ones, the servers close, DynamoDB Local is stopped, and the process exits without waiting for
 * handler code that was cut off.
 */
export async function runLocal(options: LocalOptions): Promise<void> {
  const digestIntervalMs =
    options.digestEvery === undefined ? undefined : digestInterval(options.digestEvery);
  // A policy file that cannot be used is a bad argument, named before anything starts.
  if (options.policy !== undefined) await loadPolicyFile(options.policy);
  // Another stack on the directory is named before its port: stopping it is the fix.
  const holder = await runningLockHolder(dataDirectory(options.dataDir));
  if (holder !== undefined)
    throw new UsageError(new DataDirectoryInUseError(resolve(options.dataDir), holder).message);
  await checkPortFree(options.port);
  const stopRequested = stopOnSignals();
  // Loaded after the options are checked: the stack renders the workflows with aws-cdk-lib.
  const [{ startLocalStack }, { runDemo, demoClockStart, demoPolicyFile }] = await Promise.all([
    import('#local/stack.ts'),
    import('#local/demo.ts'),
  ]);
  let stack: RunningLocalStack;
  try {
    stack = await startLocalStack({
      dataDir: options.dataDir,
      fresh: options.fresh === true,
      notice: (line) => console.log(line),
      digestIntervalMs,
      // A kept run keeps its policy unless another is named; a new run with the demo portal
      // plays under the demo policy (co-sell on), an empty one under the default policy.
      policyFile: options.policy,
      newRunPolicyFile: options.empty === true ? undefined : demoPolicyFile,
      demoData: options.empty !== true,
      // A new run with the demo plays the current fiscal quarter from its first working morning.
      ...(options.empty === true || options.demo === 'week'
        ? {}
        : { clockStart: (policy) => demoClockStart(policy) }),
      port: options.port,
      signal: stopRequested,
    });
  } catch (error) {
    // Another stack's directory: the fix is another --data-dir, or stopping that stack.
    if (error instanceof DataDirectoryInUseError) throw new UsageError(error.message, { cause: error });
    // The port asked for cannot be had: the fix is another --port (or none: a free one).
    const code = (error as NodeJS.ErrnoException).code;
    if (options.port !== undefined && (code === 'EADDRINUSE' || code === 'EACCES')) {
      throw portRefused(options.port, code, error);
    }
    if (!stopRequested.aborted) throw error;
    console.log('Dealreg local stack stopped before it was ready.');
    process.exit(0);
  }
  const { description } = stack;
  console.log(`Dealreg local stack ready at ${description.api}`);
  console.log(`  form submissions  POST ${description.api}/hubspot/form-submissions`);
  console.log(`  mailbox           ${description.api}/_local/mail/ui`);
  console.log(`  HubSpot sandbox   ${description.hubspot.url} (form ${description.hubspot.formGuid})`);
  console.log(`  DynamoDB Local    ${description.dynamodb.endpoint}`);
  console.log(`  settings          ${options.dataDir}/local.json`);
  console.log(`  policy            ${policyLine(stack)}`);
  if (!stack.newRun) {
    console.log(
      `Resumed the data kept in ${options.dataDir} since ${stack.runStartedAt.toISOString()} (virtual time ${stack.clock.now().toISOString()}); --fresh starts over.`,
    );
  }
  let failure: { readonly error: unknown } | undefined;
  // A part the stack cannot go on without ended under it: the stack stops, naming it.
  const partEnded = stack.failure.then((error) => {
    failure ??= { error };
  });
  try {
    // The demo tells its story once, in a new run of data; a restart carries on from it.
    if (options.empty !== true && stack.newRun && !stopRequested.aborted) {
      const demo = runDemo(stack, (line) => console.log(line), options.demo);
      // Cut short by Ctrl-C, the demo fails against the stopped stack; that is expected.
      demo.catch(() => undefined);
      await Promise.race([demo, aborted(stopRequested), partEnded]);
    }
    if (!stopRequested.aborted && failure === undefined) console.log('Press Ctrl-C to stop.');
    await Promise.race([aborted(stopRequested), partEnded]);
    console.log(failure === undefined ? 'Stopping…' : 'Stopping: a part of the local stack ended.');
  } catch (error) {
    failure = { error };
  }
  await stack.stop();
  if (failure !== undefined) {
    // As after Ctrl-C, handler code cut off may hold the event loop: the exit comes anyway.
    setTimeout(() => process.exit(), 1_000).unref();
    throw failure.error;
  }
  console.log('Dealreg local stack stopped.');
  // Handler code of the aborted executions may still wait on a closed socket; none of it matters now.
  process.exit(0);
}
