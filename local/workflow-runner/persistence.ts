import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomically } from '../atomic-file.ts';
import { RunnerStateFileError } from './errors.ts';

/** What to do about a saved file that cannot be read. */
const fix = 'remove it, or start the local stack with --fresh, to start without the saved executions';

/** The name of the file, in the runner's directory, that holds its executions. */
export const runnerStateFileName = 'executions.json';

const instant = z.iso.datetime({ offset: true });

const historyEventSchema = z.object({
  id: z.number().int().positive(),
  timestamp: instant,
  type: z.string().min(1),
  stateName: z.string().optional(),
  stateType: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});

const savedExecutionSchema = z.object({
  arn: z.string().min(1),
  name: z.string().min(1),
  stateMachineName: z.string().min(1),
  /** Absent for a Standard execution. */
  type: z.enum(['STANDARD', 'EXPRESS']).optional(),
  /** The execution whose Task started it. */
  startedBy: z.string().min(1).optional(),
  /** Key into `definitions`. */
  definition: z.string().min(1),
  input: z.unknown(),
  startDate: instant,
  status: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']),
  output: z.unknown().optional(),
  error: z.string().optional(),
  cause: z.string().optional(),
  stopDate: instant.optional(),
  redriveCount: z.number().int().nonnegative(),
  redriveDate: instant.optional(),
  history: z.array(historyEventSchema),
  /** The Wait state (at the top level) the execution was waiting in, and until when. */
  wait: z.object({ stateName: z.string().min(1), dueAt: instant }).optional(),
});

const savedTaskSchema = z.object({
  taskToken: z.string().min(1),
  executionArn: z.string().min(1),
  stateName: z.string().min(1),
  input: z.unknown(),
  issuedAt: instant,
  timeoutAt: instant.optional(),
  open: z.boolean(),
  /** Its handler returned: resuming the task waits for the token without invoking it again. */
  submitted: z.boolean(),
  heartbeatSeconds: z.number().int().positive().optional(),
  heartbeatDueAt: instant.optional(),
  /** What was sent for the token and not yet taken by the execution. */
  outcome: z
    .union([z.object({ output: z.unknown() }), z.object({ error: z.string(), cause: z.string() })])
    .optional(),
});

const savedRunnerSchema = z.object({
  version: z.literal(1),
  /** State machine definitions as given, by key. */
  definitions: z.record(z.string(), z.record(z.string(), z.unknown())),
  executions: z.array(savedExecutionSchema),
  tasks: z.array(savedTaskSchema),
});

export type SavedRunner = z.infer<typeof savedRunnerSchema>;
export type SavedExecution = z.infer<typeof savedExecutionSchema>;
export type SavedTask = z.infer<typeof savedTaskSchema>;

/**
 * The runner's executions on disk: one JSON file in the given directory, replaced whole on each
 * save (`writeFileAtomically`: written to a temporary file beside it, flushed, then renamed over
 * it), so a process killed mid-write leaves the previous save intact.
 */
export class RunnerStateFile {
  readonly path: string;
  readonly #directory: string;

  constructor(directory: string) {
    this.#directory = directory;
    this.path = join(directory, runnerStateFileName);
  }

  /** The saved executions, or undefined when nothing was saved yet. Read at start-up, so synchronously. */
  load(): SavedRunner | undefined {
    mkdirSync(this.#directory, { recursive: true });
    // A write cut short by a kill leaves its temporary file; the last complete save is the file itself.
    for (const name of readdirSync(this.#directory)) {
      if (name.startsWith(`.${runnerStateFileName}.tmp-`)) {
        rmSync(join(this.#directory, name), { force: true });
      }
    }
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new RunnerStateFileError(`${this.path} cannot be read: ${(error as Error).message}; ${fix}`, {
        cause: error,
      });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new RunnerStateFileError(`${this.path} is not JSON: ${(error as Error).message}; ${fix}`, {
        cause: error,
      });
    }
    const parsed = savedRunnerSchema.safeParse(json);
    if (!parsed.success) {
      const [issue] = parsed.error.issues;
      const where = issue?.path.join('.') || '(top level)';
      throw new RunnerStateFileError(
        `${this.path} is not a saved workflow runner state: ${where}: ${issue?.message ?? 'invalid'}; ${fix}`,
      );
    }
    return parsed.data;
  }

  /** Replaces the saved executions with `state` (serialised at the call, written aside and renamed into place). */
  save(state: SavedRunner): Promise<void> {
    return writeFileAtomically(this.path, JSON.stringify(state));
  }
}
