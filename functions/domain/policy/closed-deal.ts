import type { Policy } from './policy-schema.ts';

/** A deal's stage as the CRM's pipeline describes it. */
export interface DealStage {
  readonly id: string;
  readonly isClosed: boolean;
  /** Win probability 0..1; 1 with `isClosed` means closed won. */
  readonly probability: number | null;
}

/** What a registration's protection does at its expiry warning or expiry, given its deal's stage. */
export type ProtectionAtClose =
  | { readonly next: 'open' }
  | {
      readonly next: 'keep' | 'end';
      readonly outcome: 'won' | 'lost';
      readonly stage: string;
    };

/**
 * Expiry and its warning apply to open deals only. A deal closed won or lost is kept or ended as
 * the policy says (`validity.onClosedWon`, default keep; `validity.onClosedLost`, default end).
 * A deal with no known stage counts as open: the partner is warned rather than surprised.
 */
export function protectionAtClose(policy: Policy, stage: DealStage | undefined): ProtectionAtClose {
  if (stage === undefined || !stage.isClosed) return { next: 'open' };
  const outcome = stage.probability === 1 ? 'won' : 'lost';
  const rule = outcome === 'won' ? policy.validity.onClosedWon : policy.validity.onClosedLost;
  return { next: rule, outcome, stage: stage.id };
}
