import { describe, expect, it } from 'vitest';
import type { LedgerEntry } from '#domain/ledger/entry.ts';
import { parseEntryInput, sealEntry } from '#domain/ledger/seal.ts';
import { asOf, report, usd } from './qbr-fixtures.ts';
import { scenarioChains, scenarioCrm, scenarioRegistrations } from './qbr-scenario.ts';

/** Appends an entry to a chain as the ledger would, recorded at `recordedAt`. */
function append(chain: LedgerEntry[], body: Record<string, unknown>, recordedAt: string): LedgerEntry[] {
  const head = chain.at(-1);
  const input = parseEntryInput({ recordedBy: 'crm-events', opportunityId: head?.opportunityId, ...body });
  return [...chain, sealEntry(input, head, new Date(recordedAt))];
}

describe('pre-QBR report as of a moment', () => {
  it('is the same before and after later ledger entries, back-dated ones included', () => {
    const before = report({
      chains: scenarioChains(),
      registrations: scenarioRegistrations(),
      crm: scenarioCrm(),
    });

    const later = scenarioChains().map((chain) => {
      if (chain[0]?.opportunityId === 'O2') {
        // Won after asOf …
        return append(
          chain,
          { type: 'ClosedWon', effectiveAt: '2026-12-20T12:00:00Z', amount: usd(40_000) },
          '2026-12-20T12:00:00Z',
        );
      }
      if (chain[0]?.opportunityId === 'O1') {
        // … and a correction recorded after asOf but back-dated into the quarter.
        return append(
          chain,
          {
            type: 'Correction',
            effectiveAt: '2026-11-21T00:00:00Z',
            supersedesSequence: 5,
            reason: 'typo',
            approver: 'revops@example.com',
            changes: { amount: usd(1) },
          },
          '2026-12-16T09:00:00Z',
        );
      }
      return chain;
    });
    const after = report({ chains: later, registrations: scenarioRegistrations(), crm: scenarioCrm() });
    expect(after).toEqual(before);

    // The same later entries do count for a report as of a later moment.
    const atYearEnd = report({
      chains: later,
      registrations: scenarioRegistrations(),
      crm: scenarioCrm(),
      asOf: '2026-12-31T00:00:00.000Z',
    });
    // 100,000 (O1) − 100,000 + 1 (corrected) + 40,000 (O2 won) + 50,000 + 20,000 = 110,001
    expect(atYearEnd.scorecard.closedWonAmount).toBe(110_001);
    expect(before.asOf).toBe(asOf);
  });
});
