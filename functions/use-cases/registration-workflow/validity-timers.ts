import { secondsUntil } from './dependencies.ts';

/** The validity timers the workflow waits on after an approval or extension. */
export interface ValidityTimers {
  readonly warnAt: string;
  readonly expiresAt: string;
  /** From the warning until expiry: how long the partner may ask for the extension. */
  readonly secondsFromWarningToExpiry: number;
}

/** The timers of a validity window, as the state machine's waits read them. */
export function validityTimers(window: { warnAt: Date; expiresAt: Date }): ValidityTimers {
  return {
    warnAt: window.warnAt.toISOString(),
    expiresAt: window.expiresAt.toISOString(),
    secondsFromWarningToExpiry: secondsUntil(window.expiresAt, window.warnAt),
  };
}
