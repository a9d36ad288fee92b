import { readSavedJson, writeFileAtomically } from './atomic-file.ts';
import { type SandboxSnapshot, sandboxSnapshotSchema } from './hubspot-sandbox/index.ts';
import { type SaveSoon, saveJsonSoon } from './save-soon.ts';

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

/** Saves the sandbox to `file` soon after each change (`changed()`), as `saveJsonSoon` does. */
export function sandboxStateSaver(
  file: string,
  snapshot: () => SandboxSnapshot,
  onError: (error: unknown) => void,
): SaveSoon {
  return saveJsonSoon(file, snapshot, onError);
}
