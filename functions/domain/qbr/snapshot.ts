import * as z from 'zod';
import { type QuarterFigures, quarterFiguresSchema } from './quarter-figures.ts';
import { quarterLabelSchema } from './report.ts';

/**
 * A closed quarter's ledger figures frozen when it was first reported after closing. A later
 * report recomputes the same quarter as of its last instant; any figure that moved means history
 * was rewritten (a back-dated entry or a correction) and is reported as RETROACTIVE_CHANGE.
 */
export const qbrSnapshotSchema = z.strictObject({
  quarter: quarterLabelSchema,
  /** System time the figures were computed as known at. */
  frozenAt: z.iso.datetime(),
  policyVersion: z.string(),
  /**
   * The IANA time zone the quarter's boundaries were cut in (the policy calendar's). Absent on
   * snapshots frozen when quarters were cut at UTC midnight: those are recomputed on UTC boundaries.
   */
  timeZone: z.string().min(1).optional(),
  figures: quarterFiguresSchema,
});
export type QbrSnapshot = z.infer<typeof qbrSnapshotSchema>;

/** One figure of a closed quarter that is not what was frozen. */
export interface SnapshotDifference {
  readonly figure: string;
  readonly opportunityId: string | undefined;
  readonly frozen: number | string | null;
  readonly now: number | string | null;
}

const headline = [
  'closedWon',
  'closedWonUsdMinor',
  'partnerSourcedUsdMinor',
  'partnerInfluencedUsdMinor',
] as const satisfies readonly (keyof QuarterFigures)[];

/** Every figure that differs between the frozen snapshot and the same quarter recomputed now, in a stable order. */
export function compareWithSnapshot(snapshot: QbrSnapshot, now: QuarterFigures): SnapshotDifference[] {
  const differences: SnapshotDifference[] = [];
  const frozen = snapshot.figures;
  for (const figure of headline) {
    if (frozen[figure] !== now[figure])
      differences.push({ figure, opportunityId: undefined, frozen: frozen[figure], now: now[figure] });
  }
  const types = [
    ...new Set([...Object.keys(frozen.investedUsdMinorByType), ...Object.keys(now.investedUsdMinorByType)]),
  ].sort();
  for (const type of types) {
    const before = frozen.investedUsdMinorByType[type] ?? 0;
    const after = now.investedUsdMinorByType[type] ?? 0;
    if (before !== after)
      differences.push({
        figure: `investedUsdMinor.${type}`,
        opportunityId: undefined,
        frozen: before,
        now: after,
      });
  }
  const ids = [...new Set([...Object.keys(frozen.opportunities), ...Object.keys(now.opportunities)])].sort();
  for (const id of ids) {
    const before = frozen.opportunities[id];
    const after = now.opportunities[id];
    if (before?.usdMinor !== after?.usdMinor)
      differences.push({
        figure: 'opportunity.usdMinor',
        opportunityId: id,
        frozen: before?.usdMinor ?? null,
        now: after?.usdMinor ?? null,
      });
    if (before?.attribution !== after?.attribution)
      differences.push({
        figure: 'opportunity.attribution',
        opportunityId: id,
        frozen: before?.attribution ?? null,
        now: after?.attribution ?? null,
      });
  }
  return differences;
}
