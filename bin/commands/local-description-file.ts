import { UsageError } from './usage-error.ts';

/**
 * The local stack's description (`<data dir>/local.json`) exists but cannot be read or is not
 * JSON: a bad `--data-dir` or a damaged file, named with the fix (exit 2).
 */
export class LocalDescriptionFileError extends UsageError {
  override readonly name = 'LocalDescriptionFileError';
}

/** The error for a `local.json` that could not be read for a reason other than its absence. */
export function unreadableLocalDescription(file: string, error: unknown): LocalDescriptionFileError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    code === 'EISDIR'
      ? 'it is a directory, not the file the local stack writes; remove it, or name the data directory of a local stack with --data-dir'
      : code === 'ENOTDIR'
        ? 'a part of the path is a file, not a directory; --data-dir names the directory the local stack keeps its data in (default .dealreg)'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied; make it readable, or name another data directory with --data-dir'
          : (error as Error).message;
  return new LocalDescriptionFileError(`cannot read ${file}: ${reason}`, { cause: error });
}

/** The error for a `local.json` whose content is not JSON. */
export function malformedLocalDescription(file: string, error: unknown): LocalDescriptionFileError {
  return new LocalDescriptionFileError(
    `${file} is not JSON; restart the local stack (npx dealreg local), which writes it`,
    { cause: error },
  );
}
