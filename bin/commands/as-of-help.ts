/**
 * Help wording shared by every command with `--as-of`. Kept apart from `instant-option.ts` so that
 * `--help` loads no policy or schema code.
 */
export const dateAloneHelp =
  "a date alone (2026-12-31) means the end of that day in the policy calendar's time zone; an instant with Z or an offset is taken as given";

/** `--as-of`'s help: what it is, how a date alone is read, and the default. */
export function asOfHelp(what: string): string {
  return `${what}: ${dateAloneHelp} (default: now)`;
}

/** `--policy`'s help for a command that reads the policy only for its calendar. */
export const calendarPolicyHelp =
  "policy whose calendar time zone reads a date alone (default: the running local stack's policy, else policy/default-policy.json)";
