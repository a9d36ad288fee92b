import { readFile } from 'node:fs/promises';
import { type LoadedPolicy, loadPolicy } from '#domain/policy/load-policy.ts';
import { defaultPolicyFile } from './policy.ts';
import { UsageError } from './usage-error.ts';

/** A policy file that cannot be read at all (missing, unreadable): a bad file argument. */
export class PolicyFileError extends UsageError {
  override readonly name = 'PolicyFileError';
}

/**
 * Reads and validates a policy file.
 *
 * @throws PolicyFileError when the file cannot be read
 * @throws PolicyValidationError when its content is not a valid policy
 */
export async function loadPolicyFile(file: string = defaultPolicyFile): Promise<LoadedPolicy> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'the file does not exist; name a policy JSON file (policy/default-policy.json is the template)'
        : String(error);
    throw new PolicyFileError(`cannot read policy file ${file}: ${reason}`, { cause: error });
  }
  return loadPolicy(text);
}
