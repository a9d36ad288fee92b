import { readFile } from 'node:fs/promises';
import { type LoadedPolicy, loadPolicy } from '#domain/policy/load-policy.ts';
import { PolicyValidationError } from '#domain/policy/policy-validation-error.ts';
import { defaultPolicyFile } from './policy.ts';
import { UsageError } from './usage-error.ts';

/** A policy file that cannot be read at all (missing, unreadable): a bad file argument. */
export class PolicyFileError extends UsageError {
  override readonly name: string = 'PolicyFileError';
}

/** A policy file whose content is not a valid policy: a bad file argument, each problem named. */
export class InvalidPolicyFileError extends PolicyFileError {
  override readonly name = 'InvalidPolicyFileError';
  /** One sentence per problem. */
  readonly messages: readonly string[];

  constructor(file: string, error: PolicyValidationError) {
    const count = error.messages.length;
    super(
      `${file} is not a valid policy (${count} problem${count === 1 ? '' : 's'}):\n${error.messages.map((message) => `  - ${message}`).join('\n')}`,
      { cause: error },
    );
    this.messages = error.messages;
  }
}

/**
 * Reads and validates a policy file.
 *
 * @throws PolicyFileError when the file cannot be read
 * @throws InvalidPolicyFileError when its content is not a valid policy
 */
export async function loadPolicyFile(file: string = defaultPolicyFile): Promise<LoadedPolicy> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'the file does not exist; name a policy JSON file (policy/default-policy.json is the template)'
        : code === 'EISDIR'
          ? 'it is a directory; name a policy JSON file in it'
          : code === 'EACCES' || code === 'EPERM'
            ? 'permission denied; make the file readable or name another'
            : (error as Error).message;
    throw new PolicyFileError(`cannot read policy file ${file}: ${reason}`, { cause: error });
  }
  try {
    return loadPolicy(text);
  } catch (error) {
    if (error instanceof PolicyValidationError) throw new InvalidPolicyFileError(file, error);
    throw error;
  }
}
