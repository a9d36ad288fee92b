import { UsageError } from './usage-error.ts';

/**
 * The CLI's exit codes (README, "Exit codes"): 1 is reserved for a check that ran and failed
 * (a broken ledger chain, an invalid policy under `policy validate`, …), which commands set
 * themselves; a thrown error ends the command with 2 or 3.
 */
export const exitCodes = {
  done: 0,
  checkFailed: 1,
  /** A bad argument, option, file or setting: the message names what to change. */
  badArgument: 2,
  /** The command could not finish: a service did not answer or refused, or an unexpected fault. */
  couldNotRun: 3,
} as const;

/** Errors whose message already names what to change in the command or its settings. */
const settingErrors = new Set([
  'UsageError',
  'PolicyFileError',
  'InvalidPolicyFileError',
  'PolicyValidationError',
  'LedgerConnectionError',
  'QbrCommandError',
  'HubSpotConfigurationError',
  'DataDirectoryInUseError',
  'SavedFileError',
  'LedgerKeyError',
]);

const fileProblems: Readonly<Record<string, string>> = {
  ENOENT: 'it does not exist',
  EEXIST: 'it already exists; choose a new name',
  EACCES: 'permission denied; choose a place you can write',
  EPERM: 'permission denied; choose a place you can write',
  EISDIR: 'it is a directory; name a file',
  ENOTDIR: 'a part of the path is a file, not a directory',
  ENOSPC: 'the disk is full',
  EROFS: 'the file system is read-only',
};

const connectionProblems = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

interface SystemError {
  readonly code?: unknown;
  readonly path?: unknown;
  readonly address?: unknown;
  readonly port?: unknown;
  readonly hostname?: unknown;
}

/**
 * The Node.js system error an error is or wraps: its causes are looked into only through generic
 * wrappers (fetch's "fetch failed" TypeError), never past a named error that says it in words.
 */
function systemErrorIn(error: unknown): SystemError | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth += 1) {
    const code = (current as SystemError).code;
    if (typeof code === 'string' && /^[A-Z_]+$/.test(code)) return current as SystemError;
    if (current.name !== 'Error' && current.name !== 'TypeError') return undefined;
    current = current.cause;
  }
  return undefined;
}

function describeSystemError(system: SystemError): { message: string; exitCode: 2 | 3 } | undefined {
  const code = String(system.code);
  const fileProblem = fileProblems[code];
  if (fileProblem !== undefined && typeof system.path === 'string') {
    return { message: `cannot use ${system.path}: ${fileProblem}`, exitCode: exitCodes.badArgument };
  }
  if (connectionProblems.has(code)) {
    const where =
      typeof system.address === 'string'
        ? `${system.address}${typeof system.port === 'number' ? `:${system.port}` : ''}`
        : typeof system.hostname === 'string'
          ? system.hostname
          : 'the service';
    return {
      message: `could not reach ${where} (${code}): start the local stack (npx dealreg local) or check the endpoint settings (local.json, DYNAMODB_ENDPOINT, HUBSPOT_BASE_URL) and the network`,
      exitCode: exitCodes.couldNotRun,
    };
  }
  return undefined;
}

/** An AWS SDK v3 service or client error, named for what to do about it. */
function describeAwsError(error: Error): string | undefined {
  const metadata = (error as { $metadata?: unknown }).$metadata;
  if (error.name === 'CredentialsProviderError' || error.name === 'ProviderError') {
    return 'no AWS credentials: set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), or unset LEDGER_TABLE / REGISTRATIONS_TABLE to use the local stack';
  }
  if (metadata === undefined) return undefined;
  if (error.name === 'ResourceNotFoundException') {
    return `AWS answered ResourceNotFoundException (${error.message}): check LEDGER_TABLE / REGISTRATIONS_TABLE and the region, or restart the local stack`;
  }
  if (
    error.name === 'AccessDeniedException' ||
    error.name === 'UnrecognizedClientException' ||
    error.name === 'ExpiredTokenException'
  ) {
    return `AWS refused the request (${error.name}: ${error.message}): use credentials of the deployed stage with the rights the README lists`;
  }
  return `AWS answered ${error.name}: ${error.message}`;
}

/** A zod error (validation of data the command read, not of its arguments): its first issue. */
function describeZodError(error: Error): string | undefined {
  const issues = (error as { issues?: unknown }).issues;
  if (error.name !== 'ZodError' || !Array.isArray(issues)) return undefined;
  const first = issues[0] as { path?: unknown[]; message?: string } | undefined;
  const where = Array.isArray(first?.path) && first.path.length > 0 ? `${first.path.join('.')}: ` : '';
  return `data read from a file or service is not what this version of dealreg expects (${where}${first?.message ?? 'invalid'}); check that the local stack and the CLI come from the same checkout`;
}

/**
 * What the CLI prints and exits with for an error a command threw: a sentence naming the fix,
 * never a raw errno code, zod issue list or SDK stack trace (`DEALREG_DEBUG=1` adds the stack).
 */
export function describeFailure(error: unknown): { message: string; exitCode: 2 | 3 } {
  if (error instanceof UsageError) return { message: error.message, exitCode: exitCodes.badArgument };
  if (!(error instanceof Error)) return { message: String(error), exitCode: exitCodes.couldNotRun };
  if (settingErrors.has(error.name)) return { message: error.message, exitCode: exitCodes.badArgument };
  const system = systemErrorIn(error);
  const described = system === undefined ? undefined : describeSystemError(system);
  if (described !== undefined) return described;
  const aws = describeAwsError(error) ?? describeZodError(error);
  if (aws !== undefined) return { message: aws, exitCode: exitCodes.couldNotRun };
  return { message: error.message || error.name, exitCode: exitCodes.couldNotRun };
}
