import type { ApprovalSubject, ApprovalTask } from '#domain/approvals/approval-task.ts';
import { relationshipOptions, whyApprovalIsNeeded } from '#domain/policy/approval-reason.ts';
import { type RoutedApprover, routeApproval } from '#domain/policy/approver-routing.ts';
import { validInstant } from '#domain/submission-time.ts';
import type { RegistrationInProgress, RegistrationWorkflowDependencies } from './dependencies.ts';

/** The approval task, which must exist: the workflow opened it. */
export async function getTask(
  deps: Pick<RegistrationWorkflowDependencies, 'approvals'>,
  approvalId: string,
): Promise<ApprovalTask> {
  const task = await deps.approvals.get(approvalId);
  if (task === undefined) throw new Error(`approval ${approvalId} does not exist`);
  return task;
}

/** Who approves the registration under the policy, at each level, and whom each escalates to. */
export function routeOf(deps: RegistrationWorkflowDependencies, registration: RegistrationInProgress) {
  return routeApproval(deps.policy.policy, {
    customerCountry: registration.details.customerCountry,
    cloudMarketplace: registration.details.cloudMarketplace,
    amountUsdMinor: registration.progress.amountUsdMinor,
  });
}

/** The approver as an approval task names them. */
export function approverInput(approver: RoutedApprover) {
  return { name: approver.name, email: approver.email, timeZone: approver.timeZone };
}

/**
 * What an approval task shows the approver: the registration, the conflict verdict, what is
 * asked and why (the policy rule), and every relationship type the policy prices at its amount.
 */
export function subjectOf(
  deps: Pick<RegistrationWorkflowDependencies, 'policy'>,
  registration: RegistrationInProgress,
  asked: {
    readonly level: 1 | 2;
    readonly request?: ApprovalSubject['request'];
    /** The approval's round at this level: 1, and one more after each answered question. */
    readonly round: number;
  },
): ApprovalSubject {
  const { details, record, progress } = registration;
  const { request } = asked;
  if (progress.verdict === undefined) {
    throw new Error(`registration ${record.registrationId} has no conflict verdict to show the approver`);
  }
  const { policy } = deps.policy;
  const amountUsdMinor = progress.amountUsdMinor ?? 0;
  return {
    partnerName: progress.partnerName || undefined,
    partnerDomain: details.partnerDomain,
    submitterEmail: details.submitterEmail,
    customerCompanyName: details.customerCompanyName,
    customerDomain: details.customerDomain,
    customerCountry: details.customerCountry || undefined,
    amount: { minorUnits: details.estimatedAmount.minorUnits, currency: details.estimatedAmount.currency },
    amountUsdMinor: progress.amountUsdMinor,
    expectedCloseDate: details.expectedCloseDate,
    products: [...details.products],
    campaignId: details.campaignId || undefined,
    cloudMarketplace: details.cloudMarketplace,
    dealDescription: details.dealDescription || undefined,
    receivedAt: new Date(record.receivedAt).toISOString(),
    submittedAt: validInstant(record.submittedAt),
    verdict: progress.verdict,
    request,
    relationshipOptions: relationshipOptions(policy, amountUsdMinor),
    // Each answered question starts a new round; an extension is decided as a whole.
    questionsLeft:
      request?.kind === 'extension' ? 0 : Math.max(0, policy.sla.maxQuestions - (asked.round - 1)),
    firstLevel: asked.level === 2 ? progress.firstLevel : undefined,
    approvalReason: whyApprovalIsNeeded(policy, {
      verdict: progress.verdict,
      amountUsdMinor: progress.amountUsdMinor,
      level: asked.level,
      purpose: request?.kind === 'extension' ? 'extension' : 'registration',
    }),
  };
}
