/**
 * A bad argument or option found while a command runs (a file that cannot be used, a combination
 * of options that does not go together). The CLI prints its message, which names the fix, and
 * exits 2 as it does for the options commander rejects.
 */
export class UsageError extends Error {
  override readonly name: string = 'UsageError';
}
