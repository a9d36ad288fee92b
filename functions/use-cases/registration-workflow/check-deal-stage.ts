import { type DealStage, type ProtectionAtClose, protectionAtClose } from '#domain/policy/closed-deal.ts';
import type { RegistrationProgress } from '#domain/registration-progress.ts';
import type { Pipeline } from '#ports/hubspot.ts';
import { loadApprovedRegistration } from './approved-registration.ts';
import type { RegistrationWorkflowDependencies } from './dependencies.ts';

/**
 * The current stage of the registration's deal in HubSpot, from the pipelines' stage metadata
 * ("CRM API | Pipelines"); undefined when it has none or HubSpot lost it. The pipelines are the
 * adapter's kept copy; a stage that copy does not have (added since it was read) has them read
 * again, once, before the deal is judged open.
 */
async function stageOfDeal(
  deps: RegistrationWorkflowDependencies,
  dealId: string | undefined,
): Promise<DealStage | undefined> {
  if (dealId === undefined) return undefined;
  const [{ deals }, kept] = await Promise.all([deps.crm.batchReadDeals([dealId]), deps.crm.pipelines()]);
  const stageId = deals[0]?.stageId;
  if (stageId === undefined || stageId === null) return undefined;
  const pipelineId = deals[0]?.pipelineId;
  const find = (pipelines: readonly Pipeline[]) =>
    pipelines
      .filter((pipeline) => pipelineId === null || pipelineId === undefined || pipeline.id === pipelineId)
      .flatMap((pipeline) => pipeline.stages)
      .find((candidate) => candidate.id === stageId);
  const stage = find(kept) ?? find(await deps.crm.pipelines({ fresh: true }));
  return stage === undefined
    ? undefined
    : { id: stage.id, isClosed: stage.isClosed, probability: stage.probability };
}

/** What the policy does with the registration's protection, given its deal's stage now. */
export async function protectionNow(
  deps: RegistrationWorkflowDependencies,
  progress: RegistrationProgress,
): Promise<ProtectionAtClose> {
  return protectionAtClose(deps.policy.policy, await stageOfDeal(deps, progress.dealId));
}

/**
 * "Check the deal's stage" (before the expiry warning), a state of the workflow until the
 * warning step took the check over (`warn-partner-of-expiry.ts`): kept for executions started
 * before, which run on with the definition they started with. Expiry and its warning apply to open
 * deals only. An open deal goes on to the warning; a closed one whose protection the policy keeps
 * is recorded as kept for good (no expiry: the conflict check sees it active); one whose
 * protection the policy ends goes straight to expiry, without a warning.
 */
export async function checkDealStage(
  deps: RegistrationWorkflowDependencies,
  registrationId: string,
): Promise<{ next: ProtectionAtClose['next'] }> {
  const { progress } = await loadApprovedRegistration(deps, registrationId, { withVerdict: false });
  const protection = await protectionNow(deps, progress);
  if (protection.next === 'keep') await keepProtection(deps, registrationId, progress, protection);
  deps.logger.info('deal stage checked before the expiry warning', { registrationId, ...protection });
  return { next: protection.next };
}

/** Records that the closed deal keeps its protection: no expiry any more. */
export async function keepProtection(
  deps: RegistrationWorkflowDependencies,
  registrationId: string,
  progress: RegistrationProgress,
  protection: ProtectionAtClose & { next: 'keep' | 'end' },
): Promise<void> {
  const now = deps.now().toISOString();
  const { expiresAt: _ended, ...kept } = progress;
  await deps.book.saveProgress(
    registrationId,
    {
      ...kept,
      closedDeal: { outcome: protection.outcome, stage: protection.stage, protection: 'kept', at: now },
      updatedAt: now,
    },
    { sideEffects: { remove: ['extensionCallbackToken', 'extensionOffer'] } },
  );
}
