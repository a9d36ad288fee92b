import { describe, expect, it } from 'vitest';
import { otherLedgerWarning } from '#use-cases/ledger-verify.ts';

describe('the warning for digests of another ledger', () => {
  it('counts one digest and one chain head in the singular', () => {
    expect(otherLedgerWarning(1, 1)).toMatch(
      /^no digest for this ledger: the 1 digest found records 1 chain head and this ledger holds none of them/,
    );
  });

  it('counts several in the plural', () => {
    expect(otherLedgerWarning(3, 2)).toMatch(
      /^no digest for this ledger: the 3 digests found record 2 chain heads and this ledger holds none of them/,
    );
  });
});
