import { describe, expect, it } from 'vitest';
import { ConfigurationError, requiredVariable } from '#handlers/wiring/configuration-error.ts';

describe('a required variable read without a schema', () => {
  it('gives the trimmed value, and names a variable that is missing or empty', () => {
    expect(requiredVariable('LEDGER_MAC_KEY', { LEDGER_MAC_KEY: ' alias/ledger ' })).toBe('alias/ledger');
    expect(() => requiredVariable('LEDGER_MAC_KEY', {})).toThrow(
      new ConfigurationError('the function is misconfigured — LEDGER_MAC_KEY: is not set'),
    );
    expect(() => requiredVariable('LEDGER_MAC_KEY', { LEDGER_MAC_KEY: '  ' })).toThrow(
      /LEDGER_MAC_KEY: is empty/,
    );
  });
});
