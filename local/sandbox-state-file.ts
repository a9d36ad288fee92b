import { readSavedJson, writeFileAtomically } from './atomic-file.ts';
import { type SandboxSnapshot, sandboxSnapshotSchema } from './hubspot-sandbox/index.ts';
import { SaveSoon } from './save-soon.ts';

/** How soon after a change the sandbox is saved (more when saves of a large portal are slow). */
const saveDelayMs = 250;

/**
 * The HubSpot sandbox saved by an earlier run in the data directory, or undefined when there is
 * none. A file that cannot be read as a sandbox fails the start, naming the file and the way out.
 */
export function readSandboxState(file: string): Promise<SandboxSnapshot | undefined> {
  return readSavedJson(file, sandboxSnapshotSchema, 'start with --fresh to start over');
}

/** Saves the sandbox now. */
export function writeSandboxState(file: string, snapshot: SandboxSnapshot): Promise<void> {
  return writeFileAtomically(file, JSON.stringify(snapshot));
}

/**
 * Saves the sandbox to `file` soon after each change (`changed()`), written aside and renamed
 * into place, so a stack killed at any moment restarts from a whole, recent snapshot.
 */
export function sandboxStateSaver(
  file: string,
  snapshot: () => SandboxSnapshot,
  onError: (error: unknown) => void,
): SaveSoon {
  return new SaveSoon({ save: () => writeSandboxState(file, snapshot()), delayMs: saveDelayMs, onError });
}
