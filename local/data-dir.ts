import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { localDigestDirectory } from '#adapters/ledger/file-digest-store.ts';
import { readSavedJson, SavedFileError, writeFileAtomically } from './atomic-file.ts';
import type { SandboxSnapshot } from './hubspot-sandbox/index.ts';
import type { PartnerCentralSnapshot } from './partner-central/index.ts';
import { readPartnerCentralState } from './partner-central-state-file.ts';
import { readSandboxState } from './sandbox-state-file.ts';

/**
 * Where the local stack keeps what it holds, so that a restart on the same data directory
 * carries on where the last run stopped (see README, "The data directory").
 */
export interface DataDirectory {
  readonly root: string;
  /** Held while a stack runs on this directory: `{pid, startedAt, dynamodbPid}`. */
  readonly lockFile: string;
  /** The stack's own state: when the directory was started, the virtual clock, the API's port. */
  readonly stateFile: string;
  /** The approval-link signing key, the webhook client secret and the sandbox token (mode 0600). */
  readonly secretsFile: string;
  /** The HubSpot sandbox's records, ids, forms and settings. */
  readonly sandboxFile: string;
  /** The AWS Partner Central stand-in's opportunities, client tokens and referrals. */
  readonly partnerCentralFile: string;
  /** DynamoDB Local's database file (`-dbPath`). */
  readonly dynamodb: string;
  /** DynamoDB Local's output. */
  readonly dynamodbLog: string;
  readonly mailbox: string;
  /** The ledger digests `dealreg ledger verify` checks the ledger against. */
  readonly ledgerDigests: string;
  /** The local workflow runner's saved executions and callback tokens. */
  readonly workflowRunner: string;
  /** `local.json`: the running stack's URLs and credentials, removed when it stops. */
  readonly description: string;
}

/** The layout of a data directory. */
export function dataDirectory(root: string): DataDirectory {
  return {
    root,
    lockFile: join(root, 'dealreg-local.lock'),
    stateFile: join(root, 'stack-state.json'),
    secretsFile: join(root, 'secrets.json'),
    sandboxFile: join(root, 'hubspot-sandbox.json'),
    partnerCentralFile: join(root, 'partner-central.json'),
    dynamodb: join(root, 'dynamodb'),
    dynamodbLog: join(root, 'dynamodb-local.log'),
    mailbox: join(root, 'mailbox'),
    ledgerDigests: localDigestDirectory(root),
    workflowRunner: join(root, 'workflow-runner'),
    description: join(root, 'local.json'),
  };
}

/**
 * What belongs to one run of data: the tables, the sandbox, the mailbox, the ledger digests that
 * seal the ledger's tables, the runner's executions, the keys and the clock. They are kept and
 * cleared together, so that nothing outlives the data it refers to.
 */
const runData = [
  'stack-state.json',
  'secrets.json',
  'hubspot-sandbox.json',
  'partner-central.json',
  'dynamodb',
  'dynamodb-local.log',
  'mailbox',
  'ledger-digests',
  'ledger-mac.key',
  'workflow-runner',
  'local.json',
] as const;

/**
 * The pre-QBR check's reports, closed-quarter snapshots and working files. `--fresh` clears them
 * with the rest: a snapshot frozen from the old ledger would report the new one as changed.
 */
const reportData = ['reports', 'runs'] as const;

/** A leftover temporary file of an atomic write of one of `names`. */
function isLeftoverOf(entry: string, names: readonly string[]): boolean {
  const match = /^\.(.+)\.tmp-[0-9a-f]+$/.exec(entry);
  return match?.[1] !== undefined && names.includes(match[1]);
}

async function removeEntries(root: string, names: readonly string[]): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(root);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const removing = entries.filter((entry) => names.includes(entry) || isLeftoverOf(entry, names));
  await Promise.all(removing.map((entry) => rm(join(root, entry), { recursive: true, force: true })));
  return removing.filter((entry) => names.includes(entry));
}

/** `--fresh`: removes everything a local stack keeps in the directory (the lock stays). */
export function clearDataDirectory(directory: DataDirectory): Promise<string[]> {
  return removeEntries(directory.root, [...runData, ...reportData]);
}

/**
 * For a directory with no saved stack state (new, or used by a version that kept nothing): removes
 * what is left of an earlier run's data, such as ledger digests of tables that are gone, which
 * `dealreg ledger verify` would report as a tampered ledger. Reports are left alone.
 */
export function clearLeftoverRunData(directory: DataDirectory): Promise<string[]> {
  return removeEntries(directory.root, runData);
}

const stackStateSchema = z.object({
  version: z.literal(1),
  /** When this data directory's run of data began. */
  createdAt: z.iso.datetime(),
  /**
   * The latest time the virtual clock showed (its time, or a later ticking reading something may
   * be dated with), so a restart resumes there and never shows an earlier time.
   */
  clock: z.iso.datetime(),
  /** The API's port, reused on a restart so the links in earlier emails still open. */
  apiPort: z.number().int().min(1).max(65535),
  /**
   * The policy file the run enforces (absolute), kept by a restart that names none. Absent in a
   * state saved before it was kept: such a restart takes the default a new run would.
   */
  policyFile: z.string().min(1).optional(),
});
export type StackState = z.infer<typeof stackStateSchema>;

const fresh = 'start with --fresh to start over';

/** The saved stack state, or undefined for a directory that has none. */
export function readStackState(directory: DataDirectory): Promise<StackState | undefined> {
  return readSavedJson(directory.stateFile, stackStateSchema, fresh);
}

export function writeStackState(directory: DataDirectory, state: StackState): Promise<void> {
  return writeFileAtomically(directory.stateFile, `${JSON.stringify(state, null, 2)}\n`);
}

/** What a data directory kept from its earlier runs. */
export interface KeptData {
  readonly state: StackState;
  readonly sandbox: SandboxSnapshot;
  /** Absent in a directory kept by a version that did not save the stand-in. */
  readonly partnerCentral: PartnerCentralSnapshot | undefined;
}

/**
 * Opens a locked data directory: with `fresh`, clears what it keeps and starts a new run of data;
 * otherwise returns what it kept, or undefined for a directory with nothing to resume (then any
 * leftover of an earlier run's data is cleared, with a notice).
 */
export async function openDataDirectory(
  directory: DataDirectory,
  options: { readonly fresh: boolean; readonly notice: (line: string) => void },
): Promise<KeptData | undefined> {
  if (options.fresh) {
    const cleared = await clearDataDirectory(directory);
    if (cleared.length > 0)
      options.notice(`Starting over in ${directory.root}: cleared ${cleared.join(', ')}.`);
    return undefined;
  }
  const state = await readStackState(directory);
  if (state === undefined) {
    const cleared = await clearLeftoverRunData(directory);
    if (cleared.length > 0) {
      options.notice(
        `${directory.root} held data of a run that kept no state (${cleared.join(', ')}); cleared it to start a new run.`,
      );
    }
    return undefined;
  }
  const sandbox = await readSandboxState(directory.sandboxFile);
  if (sandbox === undefined) {
    throw new SavedFileError(
      `${directory.sandboxFile} is missing, though ${directory.stateFile} says this directory holds a run of data; ${fresh}`,
    );
  }
  return { state, sandbox, partnerCentral: await readPartnerCentralState(directory.partnerCentralFile) };
}
