import type { LedgerEntry, ParsedLedgerEntryInput } from './entry.ts';
import { projectOpportunity } from './projection.ts';

/** Every entry of the chain, in effect at any business time, as known now. */
const everything = { asOf: '9999-12-31T23:59:59.999Z', knownAt: '9999-12-31T23:59:59.999Z' };

/**
 * The entry that already records the fact `input` states, when the chain has one — then appending
 * `input` would record the same fact twice. The registration workflow and the CRM events both see
 * an approved deal being created and its partner being associated (the workflow because it does
 * it, the CRM events because HubSpot reports it), in either order; the ledger keeps the first
 * recording of each fact and the second becomes a no-op:
 * - `OpportunityCreated`: an opportunity is created once; a chain that already records its
 *   creation (or the deal as linked at an approval) needs no second one.
 * - `PartnerAttached`: the same partner already actively attached to the opportunity with the same
 *   relationship (at any business time, as known now) is the same fact. A different relationship,
 *   or a partner attached again after a detachment, is a new fact.
 * - `PartnerDetached`: a relationship the ledger already shows as detached since it last began is
 *   not detached twice (two CRM batches that both saw a relabel before either was recorded each
 *   detach the old label).
 * Pure: the decision depends on the chain read just before the append, and the append is
 * conditional on that chain's head, so a writer that raced ahead makes the caller decide again.
 */
export function entryRecordingSameFact(
  input: ParsedLedgerEntryInput,
  chain: readonly LedgerEntry[],
): LedgerEntry | undefined {
  if (input.type === 'OpportunityCreated') {
    return chain.find((entry) => entry.type === 'OpportunityCreated');
  }
  if (input.type === 'PartnerAttached') {
    const state = projectOpportunity(input.opportunityId, chain, everything);
    const active = state.attributions.find(
      (attribution) =>
        attribution.active &&
        attribution.partnerId === input.partnerId &&
        attribution.relationshipType === input.relationshipType,
    );
    return active === undefined ? undefined : chain.find((entry) => entry.sequence === active.sequence);
  }
  if (input.type === 'PartnerDetached') {
    const state = projectOpportunity(input.opportunityId, chain, everything);
    const latest = state.attributions
      .filter(
        (attribution) =>
          attribution.partnerId === input.partnerId &&
          (input.relationshipType === undefined || attribution.relationshipType === input.relationshipType),
      )
      .sort((a, b) => (a.since < b.since ? -1 : a.since > b.since ? 1 : a.sequence - b.sequence))
      .at(-1);
    // Nothing attached yet is not "already detached": CRM events arrive out of order, and a
    // detachment recorded before its attachment still ends it (entries apply in business time).
    // A relationship ended only by a relabel has had no detachment of its own yet.
    if (latest === undefined || latest.active) return undefined;
    return chain.findLast(
      (entry) =>
        entry.type === 'PartnerDetached' &&
        entry.partnerId === input.partnerId &&
        (entry.relationshipType === undefined || entry.relationshipType === latest.relationshipType) &&
        entry.effectiveAt >= latest.since,
    );
  }
  return undefined;
}

/** Whether appending an entry of this type depends on the facts already on its chain. */
export function mayRepeatAFact(input: ParsedLedgerEntryInput): boolean {
  return (
    input.type === 'OpportunityCreated' ||
    input.type === 'PartnerAttached' ||
    input.type === 'PartnerDetached'
  );
}
