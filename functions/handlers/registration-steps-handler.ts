import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { withInvocationDeadline } from '#adapters/invocation-deadline.ts';
import type { RegistrationWorkflowDependencies } from '#use-cases/registration-workflow/dependencies.ts';
import { runRegistrationStep } from '#use-cases/registration-workflow/steps.ts';

interface RegistrationStepsHandlerDependencies extends RegistrationWorkflowDependencies {
  readonly logger: Logger;
}

/**
 * The Lambda handler behind every Task of the registration workflow: the event names the step
 * (`{"step": "check-conflicts", "registrationId": …}`) and the answer is what the state machine
 * reads next. Errors propagate by name, so the state machine retries the transient ones
 * (`HubSpotRateLimitError`, `EmailDeliveryError`…) and fails loudly on the rest. HubSpot calls
 * know the invocation's deadline, so a step whose share of the portal's budget is taken gives
 * way with a retryable error instead of timing out in the queue.
 */
export function createRegistrationStepsHandler(deps: RegistrationStepsHandlerDependencies) {
  return middy<unknown, unknown>()
    .use(injectLambdaContext(deps.logger))
    .handler(async (event, context: Context) =>
      withInvocationDeadline(
        Date.now() + context.getRemainingTimeInMillis(),
        async () => (await runRegistrationStep(deps, event)) ?? null,
      ),
    );
}
