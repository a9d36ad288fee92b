/** A Lambda started without a setting it needs. */
export class ConfigurationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConfigurationError';
  }
}

/**
 * One required variable, read without a schema library: for a function whose bundle would
 * otherwise carry zod and the policy for a single setting (the ledger's stream guard). Fails as
 * `readEnvironment` does, naming the variable.
 */
export function requiredVariable(
  name: string,
  environment: Readonly<Record<string, string | undefined>> = process.env,
): string {
  const value = environment[name];
  if (value === undefined)
    throw new ConfigurationError(`the function is misconfigured — ${name}: is not set`);
  if (value.trim() === '') throw new ConfigurationError(`the function is misconfigured — ${name}: is empty`);
  return value.trim();
}
