import type { RegistrationWorkflowDependencies } from './dependencies.ts';

/**
 * "Wait for approver decision" (a callback task): remembers this wait's task token on the
 * approval, so the decision page can resume the workflow. A decision recorded before the token
 * was attached (a fast approver, or the race an escalation lost) resumes it at once.
 */
export async function awaitDecision(
  deps: RegistrationWorkflowDependencies,
  input: { approvalId: string; taskToken: string },
): Promise<void> {
  await deps.approvals.attachCallbackToken(input.approvalId, input.taskToken);
  const task = await deps.approvals.get(input.approvalId);
  if (task?.decision !== undefined) {
    await deps.callbacks.succeed(input.taskToken, { approvalId: task.approvalId, decision: task.decision });
    await deps.approvals.recordHandedOver(task.approvalId, deps.now());
  }
}
