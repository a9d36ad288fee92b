import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { dataDirectory, readStackState } from '#local/data-dir.ts';
import { malformedLocalDescription, unreadableLocalDescription } from './local-description-file.ts';

/** The local stack's clock could not be read, though the command works against the local stack. */
export class LocalClockError extends Error {
  override readonly name = 'LocalClockError';
}

const localApiSchema = z.object({ api: z.string().url() });
const clockAnswerSchema = z.object({ now: z.iso.datetime(), ticking: z.iso.datetime().optional() });

/** Whether the environment names the tables itself (a deployed stage), rather than the local stack's. */
function tablesFromEnvironment(environment: NodeJS.ProcessEnv): boolean {
  return Boolean(environment.LEDGER_TABLE?.trim() || environment.REGISTRATIONS_TABLE?.trim());
}

async function runningStackApi(dataDir: string): Promise<string | undefined> {
  const file = join(dataDir, 'local.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw unreadableLocalDescription(file, error);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw malformedLocalDescription(file, error);
  }
  // A description without the API (written by hand, for the tables alone) has no clock to ask.
  const parsed = localApiSchema.safeParse(raw);
  return parsed.success ? parsed.data.api : undefined;
}

/**
 * "Now" for a command. Against the local stack it is the stack's virtual clock, which stands still
 * until it is moved (`POST /_local/clock`) and which the workflows, approvals and ledger entries
 * run on: the running stack answers it at `GET {api}/_local/clock`; a stopped one kept it in its
 * data directory's stack state. Against a deployed stage (the environment names the tables) and
 * without a local stack it is the real time.
 */
export async function commandNow(
  dataDir: string,
  environment: NodeJS.ProcessEnv = process.env,
): Promise<Date> {
  if (tablesFromEnvironment(environment)) return new Date();
  const api = await runningStackApi(dataDir);
  if (api === undefined) {
    const state = await readStackState(dataDirectory(dataDir)).catch(() => undefined);
    return state === undefined ? new Date() : new Date(state.clock);
  }
  let answer: Response;
  try {
    answer = await fetch(`${api}/_local/clock`, { signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    throw new LocalClockError(
      `the local stack at ${api} does not answer; start it again (npx dealreg local --data-dir ${dataDir}), or remove ${join(dataDir, 'local.json')} if it is no longer running`,
      { cause: error },
    );
  }
  const body: unknown = await answer.json().catch(() => undefined);
  const parsed = clockAnswerSchema.safeParse(body);
  if (!answer.ok || !parsed.success) {
    throw new LocalClockError(
      `the local stack at ${api} answered ${answer.status} for its clock; restart it from this checkout (npx dealreg local)`,
    );
  }
  // What the stack recorded since the clock's last move carries the ticking reading, so a command
  // reads it as of that reading (a stack from before it had only `now`).
  return new Date(parsed.data.ticking ?? parsed.data.now);
}
