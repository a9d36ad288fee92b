import { describe, expect, it } from 'vitest';
import { chain, created, factsOf, report, won } from './qbr-fixtures.ts';

/**
 * A deal won in one pipeline and moved straight into another pipeline's won stage (HubSpot's stage
 * ids are per pipeline; "CRM API | Pipelines") stays won from its first close: the move is a
 * stage change and a second ClosedWon of the same event, not a new sale. Quarter 2026-Q4, as of
 * 2026-12-15.
 */
const movedToRenewals = (at: string, amount: number) =>
  won(at, amount).map((body) => (body.type === 'StageChanged' ? { ...body, stage: '75841206' } : body));

describe('a closed-won deal moved into another won stage', () => {
  const orion = chain('O1', [
    created('2026-08-01T12:00:00Z', 'Orion', 50_000),
    ...won('2026-09-20T12:00:00Z', 50_000),
    ...movedToRenewals('2026-11-10T12:00:00Z', 50_000),
  ]);

  it('keeps the time of its first close', () => {
    expect(factsOf([orion])[0]).toMatchObject({ outcome: 'won', closedAt: '2026-09-20T12:00:00.000Z' });
  });

  it('is not closed-won revenue again in the quarter of the move', () => {
    expect(report({ chains: [orion] }).scorecard.closedWonAmount).toBe(0);
  });

  it('is won anew when it went through an open stage first', () => {
    const reopened = chain('O2', [
      created('2026-08-01T12:00:00Z', 'Lyra', 30_000),
      ...won('2026-09-20T12:00:00Z', 30_000),
      {
        type: 'StageChanged',
        effectiveAt: '2026-10-05T12:00:00Z',
        recordedBy: 'crm-events',
        stage: 'contractsent',
      },
      ...movedToRenewals('2026-11-10T12:00:00Z', 30_000),
    ]);
    expect(factsOf([reopened])[0]).toMatchObject({ outcome: 'won', closedAt: '2026-11-10T12:00:00.000Z' });
    expect(report({ chains: [reopened] }).scorecard.closedWonAmount).toBe(30_000);
  });
});
