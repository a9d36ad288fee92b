import { readFile } from 'node:fs/promises';
import { isAbsolute, relative } from 'node:path';
import { counted } from '#domain/plural.ts';
import { type LoadedPolicy, loadPolicy } from '#domain/policy/load-policy.ts';
import { PolicyValidationError } from '#domain/policy/policy-validation-error.ts';
import { readLocalDescription } from './hubspot-settings.ts';
import { defaultPolicyFile } from './policy.ts';
import { UsageError } from './usage-error.ts';

/** A policy file that cannot be read at all (missing, unreadable): a bad file argument. */
export class PolicyFileError extends UsageError {
  override readonly name: string = 'PolicyFileError';
}

/** "FILE is not a valid policy (2 problems):" with each problem on its own indented line. */
export function invalidPolicyText(file: string, messages: readonly string[]): string {
  const count = messages.length;
  return `${file} is not a valid policy (${counted(count, 'problem')}):\n${messages.map((message) => `  - ${message}`).join('\n')}`;
}

/** A policy file whose content is not a valid policy: a bad file argument, each problem named. */
export class InvalidPolicyFileError extends PolicyFileError {
  override readonly name = 'InvalidPolicyFileError';
  /** One sentence per problem. */
  readonly messages: readonly string[];

  constructor(file: string, error: PolicyValidationError) {
    super(invalidPolicyText(file, error.messages), { cause: error });
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
  if (file.trim() === '') {
    throw new PolicyFileError(
      'the policy file name is empty; name a policy JSON file (policy/default-policy.json is the template)',
    );
  }
  // Bytes, not text: loadPolicy refuses a file that is not UTF-8 rather than decode it wrongly.
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
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
    return loadPolicy(bytes);
  } catch (error) {
    if (!(error instanceof PolicyValidationError)) throw error;
    throw new InvalidPolicyFileError(file, isYamlNotJson(file, error) ? yamlRefused(error) : error);
  }
}

/** A `.yaml`/`.yml` file that is not JSON: YAML is not read, which says more than a JSON syntax error. */
function isYamlNotJson(file: string, error: PolicyValidationError): boolean {
  const [problem] = error.problems;
  return (
    /\.ya?ml$/i.test(file) &&
    error.problems.length === 1 &&
    problem?.path === '' &&
    problem.message.startsWith('is not valid JSON')
  );
}

function yamlRefused(error: PolicyValidationError): PolicyValidationError {
  return new PolicyValidationError(
    [
      {
        path: '',
        message:
          'is YAML, which Dealreg does not read: write it as JSON (policy/example-policy.json shows how)',
      },
    ],
    { cause: error },
  );
}

/** The policy a command runs under, the file it came from and why that file. */
export interface CommandPolicy {
  readonly loaded: LoadedPolicy;
  readonly file: string;
  readonly source: 'option' | 'local stack' | 'default';
}

/**
 * The policy of a command that reads or writes the ledger: `--policy FILE` when given; else,
 * when the command works on the local stack (no `LEDGER_TABLE` in the environment), the policy
 * that stack runs, as its `local.json` names it, so the CLI finds what the stack's workflows and
 * emailed reports find; else `policy/default-policy.json`.
 */
export async function resolveCommandPolicy(
  options: { readonly policy?: string | undefined; readonly dataDir: string },
  environment: NodeJS.ProcessEnv = process.env,
): Promise<CommandPolicy> {
  if (options.policy !== undefined) {
    return { loaded: await loadPolicyFile(options.policy), file: options.policy, source: 'option' };
  }
  if ((environment.LEDGER_TABLE?.trim() || undefined) === undefined) {
    const file = (await readLocalDescription(options.dataDir))?.policyFile;
    if (file !== undefined) return { loaded: await loadPolicyFile(file), file, source: 'local stack' };
  }
  return { loaded: await loadPolicyFile(defaultPolicyFile), file: defaultPolicyFile, source: 'default' };
}

/** "policy policy/demo-policy.json (the local stack's)": which policy file a command used, for its output. */
export function describeCommandPolicy(policy: CommandPolicy, cwd: string = process.cwd()): string {
  const fromHere = relative(cwd, policy.file);
  const file = fromHere.startsWith('..') || isAbsolute(fromHere) ? policy.file : fromHere;
  const why =
    policy.source === 'option'
      ? '--policy'
      : policy.source === 'local stack'
        ? "the local stack's"
        : 'the default; --policy names another';
  return `policy ${file} (${why})`;
}
