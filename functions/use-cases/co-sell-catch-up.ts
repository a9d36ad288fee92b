import { CoSellThrottledError, CoSellUnavailableError } from '#ports/partner-central-errors.ts';
import { coSellOverview } from '#use-cases/co-sell-overview.ts';
import { type ShareWithAwsDependencies, shareWithAws } from '#use-cases/share-with-aws.ts';

/**
 * How long after its approval a registration the policy selected may still be on its way to
 * AWS through the workflow's own step: the catch-up shares only those approved before.
 */
export const coSellShareCatchUpAfterMs = 60 * 60 * 1000;

/**
 * Shares every registration approved more than {@link coSellShareCatchUpAfterMs} ago whose
 * approval decided it goes to AWS and that has no `CoSellShared` on its deal, as the workflow's
 * step would have (a throttling spell that outlasted the step's retries leaves it so): the ACE
 * opportunity is looked up by the registration's id first, so none is created twice. A
 * registration Partner Central refuses is logged and left for the next run; throttling or an
 * outage stops this run's sharing (the next run carries on).
 */
export async function shareUnsharedRegistrations(
  deps: ShareWithAwsDependencies,
): Promise<{ shared: number; stillNotShared: number }> {
  const now = deps.now();
  const at = { asOf: now.toISOString(), knownAt: now.toISOString() };
  const latest = new Date(now.getTime() - coSellShareCatchUpAfterMs).toISOString();
  const due = (await coSellOverview(deps.ledger, at)).notShared.filter(
    (registration) =>
      registration.selected && registration.approvedAt !== undefined && registration.approvedAt <= latest,
  );
  let shared = 0;
  for (const [index, registration] of due.entries()) {
    try {
      const outcome = await shareWithAws(deps, registration.registrationId, { lookUpFirst: true });
      if (outcome.outcome === 'shared' || outcome.outcome === 'already-shared') shared += 1;
    } catch (error) {
      if (error instanceof CoSellThrottledError || error instanceof CoSellUnavailableError) {
        deps.logger.warn('co-sell catch-up stopped: Partner Central is throttling or unavailable', {
          registrationId: registration.registrationId,
          left: due.length - index,
        });
        break;
      }
      throw error;
    }
  }
  if (due.length > 0) deps.logger.info('co-sell catch-up done', { due: due.length, shared });
  return { shared, stillNotShared: due.length - shared };
}
