import { Duration } from 'aws-cdk-lib';
import { type IFunction, Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import {
  Choice,
  Condition,
  type IChainable,
  IntegrationPattern,
  JitterType,
  JsonPath,
  Succeed,
  TaskInput,
  Timeout,
  Wait,
  WaitTime,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import type { RegistrationStepName } from '#use-cases/registration-workflow/step-names.ts';
import { renderAsl } from './render-asl.ts';

/** The state machine's comment: what one execution is. */
export const registrationWorkflowComment = 'One deal registration, from receipt to decision and expiry';

/** The name of the Lambda function that runs every step, when the definition is rendered on its own. */
export const registrationStepsFunctionName = 'dealreg-registration-steps';

export interface RegistrationWorkflowFunctions {
  /** The function that runs every step (functions/handlers/registration-steps.ts). */
  readonly steps: IFunction;
}

/**
 * Errors worth retrying: the CRM's rate limit or outage (including a step that gave way rather
 * than wait for its share of the portal's budget past its deadline), a mail hand-over, ledger
 * contention, DynamoDB throttling and its transient server errors (named as the SDK names them,
 * "Error retries and exponential backoff in AWS" / DynamoDB "Error handling with DynamoDB"), a
 * client-side request timeout, and Lambda's own transient service errors ("Handle Lambda service
 * exceptions", Step Functions best practices). Every step is safe to repeat: writes are
 * conditional or keyed, HubSpot creates look for what an earlier attempt made, and each email
 * is sent once per purpose.
 */
const transientErrors = [
  'HubSpotRateLimitError',
  'HubSpotUnavailableError',
  'EmailDeliveryError',
  'AppendContentionError',
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'TransactionConflictException',
  'TimeoutError',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.ClientExecutionTimeoutException',
  'CoSellThrottledError',
  'CoSellUnavailableError',
];

const transient = {
  errors: transientErrors,
  interval: Duration.seconds(5),
  maxAttempts: 6,
  backoffRate: 2,
  maxDelay: Duration.minutes(5),
  jitterStrategy: JitterType.FULL,
};

/**
 * A step that ran out of time: the Task's timeout (`States.Timeout`) or the function's own
 * (reported as `Lambda.Unknown`, or `Sandbox.Timedout`, per "Handle Lambda service exceptions").
 * Only for steps that answer at once: on a callback step `States.Timeout` is an SLA timer
 * firing, which the approval loop catches.
 */
const stepTimedOut = {
  errors: ['States.Timeout', 'Lambda.Unknown', 'Sandbox.Timedout'],
  interval: Duration.seconds(30),
  maxAttempts: 3,
  backoffRate: 2,
  jitterStrategy: JitterType.FULL,
};

/**
 * Lambda refused the invocation because every container the steps function may run is busy (its
 * concurrency is capped to share the HubSpot portal's budget): nothing ran, so it is always safe
 * to try again, with jitter so a burst does not come back at once. The attempts cover a
 * quarter-end burst: with 12, a step throttled every time had waited about 4 minutes on average
 * (at most 462 s), and in a burst of 700 registrations on the local stack, where four containers
 * take about 12 minutes to work through it, 407 executions ran out of attempts and waited for the
 * backfill's redrive (BENCHMARKS.md, "A quarter-end burst"). With 25 the pauses add up to at most
 * about 32 minutes (half that on average, with full jitter); each retry is one more billed state
 * transition ("Step Functions pricing": retries count as transitions), $0.000025, less than a
 * failed execution and its redrive.
 */
const throttled = {
  errors: ['Lambda.TooManyRequestsException'],
  interval: Duration.seconds(2),
  maxAttempts: 25,
  backoffRate: 1.5,
  maxDelay: Duration.minutes(2),
  jitterStrategy: JitterType.FULL,
};

/**
 * The registration workflow (DESIGN §3.2) as CDK chainables, JSONPath query language. The
 * stack deploys it and the local workflow runner executes the same definition.
 *
 * One execution per registration, named by its registration id. Every Task runs one step of
 * `functions/use-cases/registration-workflow/steps.ts` in the steps function, named as
 * `step-names.ts` lists them (a misspelt step does not compile); the execution's
 * state carries only ids, the routing answers and the approval loop's timers, so the history
 * holds no more personal data than it must. The approval loop waits on callback tasks whose
 * timeouts are the SLA timers: reminder, escalation, then the policy default at the final
 * deadline.
 */
export function buildRegistrationWorkflow(
  scope: Construct,
  functions: RegistrationWorkflowFunctions,
): IChainable {
  const id = { 'registrationId.$': '$.registrationId' };

  /** A step that answers at once; its answer lands at `resultPath` (or is discarded). */
  const step = (
    name: string,
    stepName: RegistrationStepName,
    resultPath: string | undefined,
    extra: Record<string, unknown> = {},
  ) => {
    const task = new LambdaInvoke(scope, name, {
      lambdaFunction: functions.steps,
      payload: TaskInput.fromObject({ step: stepName, ...id, ...extra }),
      payloadResponseOnly: true,
      resultPath: resultPath ?? JsonPath.DISCARD,
      taskTimeout: Timeout.duration(Duration.minutes(2)),
    });
    task.addRetry(transient);
    task.addRetry(stepTimedOut);
    task.addRetry(throttled);
    return task;
  };

  /** A step that waits for a callback (the task token) until `timeoutPath` seconds pass. */
  const callback = (
    name: string,
    stepName: RegistrationStepName,
    resultPath: string,
    timeoutPath: string,
    extra: Record<string, unknown> = {},
  ) => {
    const task = new LambdaInvoke(scope, name, {
      lambdaFunction: functions.steps,
      integrationPattern: IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: TaskInput.fromObject({ step: stepName, ...id, taskToken: JsonPath.taskToken, ...extra }),
      resultPath,
      taskTimeout: Timeout.at(timeoutPath),
    });
    task.addRetry(transient);
    task.addRetry(throttled);
    return task;
  };

  const timedOut = { errors: ['States.Timeout'], resultPath: '$.timeout' };

  // Intake → assessment.
  const normalise = step('Normalise registration', 'normalise', '$.normalised');
  const check = step('Check for channel conflict', 'check-conflicts', '$.assessment');
  const route = new Choice(scope, 'Route by verdict', {
    comment: 'Clear and small: approve; rejected by a rule: decline; otherwise an approver decides',
  });

  // Decisions without an approver.
  const approveAutomatically = step('Approve automatically', 'approve-automatically', undefined, {
    'reason.$': '$.assessment.reason',
  });
  const rejectAutomatically = step('Reject automatically', 'reject-automatically', undefined, {
    'reason.$': '$.assessment.reason',
  });
  const answerHandedOver = new Succeed(scope, 'Answer handed to the earlier registration', {
    comment: 'A resubmission that answered an approver question resumed that registration',
  });

  // The approval loop.
  const askApprover = step('Ask approver', 'ask-approver', '$.approval');
  const waitForDecision = callback(
    'Wait for approver decision',
    'await-decision',
    '$.decision',
    '$.approval.secondsToNextTimer',
    { 'approvalId.$': '$.approval.approvalId' },
  );
  const whichDeadline = new Choice(scope, 'Which SLA deadline passed?');
  const remind = step('Remind approver', 'remind-approver', '$.approval', { 'approval.$': '$.approval' });
  const escalate = step('Escalate to next approver', 'escalate', '$.approval', {
    'approval.$': '$.approval',
  });
  const applyDefault = step('Apply the policy default', 'apply-policy-default', '$.decision', {
    'approval.$': '$.approval',
  });
  const recordDecision = step('Record approver decision', 'record-decision', '$.outcome', {
    'approval.$': '$.approval',
    'decision.$': '$.decision',
  });
  const whatDecided = new Choice(scope, 'What was decided?');
  const askPartner = callback(
    'Ask partner for more information',
    'ask-partner-for-information',
    '$.answer',
    '$.outcome.informationTimeoutSeconds',
    { 'approval.$': '$.approval', 'decision.$': '$.decision' },
  );
  const resume = step("Resume approval with the partner's answer", 'resume-approval', '$.approval', {
    'approval.$': '$.approval',
    'answer.$': '$.answer',
  });
  const declineUnanswered = step('Decline unanswered registration', 'decline-unanswered', undefined);

  // Outcomes.
  const register = step('Register deal in HubSpot', 'register-in-hubspot', '$.registered');
  // Co-sell with AWS: what AWS refuses is answered, not thrown; anything still failing after the
  // retries is kept at $.coSellFailure and the registration carries on, its attribution untouched.
  const shareWithAws = step('Share with AWS co-sell', 'share-with-aws', '$.coSell');
  const tellApproved = step('Tell partner it is approved', 'tell-partner-approved', undefined);
  shareWithAws.addCatch(tellApproved, { errors: ['States.ALL'], resultPath: '$.coSellFailure' });
  const tellDeclined = step('Tell partner it is declined', 'tell-partner-declined', undefined);

  // Validity: warning, one extension on request, expiry.
  const waitForWarning = new Wait(scope, 'Wait until expiry warning', {
    time: WaitTime.timestampPath('$.registered.validity.warnAt'),
  });
  const checkStage = step("Check the deal's stage", 'check-deal-stage', '$.dealStage');
  const stillOpen = new Choice(scope, 'Is the deal still open?', {
    comment: 'Expiry and its warning apply to open deals; the policy keeps or ends a closed one',
  });
  const keptForClosedDeal = new Succeed(scope, 'Protection kept for the closed deal', {
    comment: 'The deal closed and the policy keeps the partner protection: no warning, no expiry',
  });
  const warn = callback(
    'Warn partner of expiry',
    'warn-of-expiry',
    '$.extensionRequest',
    '$.registered.validity.secondsFromWarningToExpiry',
  );
  const extend = step('Extend validity', 'extend-validity', '$.registered.validity');
  const tellRefused = step(
    'Tell partner the extension is refused',
    'tell-partner-extension-refused',
    undefined,
    {
      'decision.$': '$.decision',
    },
  );
  const waitForExpiry = new Wait(scope, 'Wait until expiry', {
    time: WaitTime.timestampPath('$.registered.validity.expiresAt'),
  });
  const expire = step('Expire registration', 'expire', undefined);

  normalise.next(check).next(route);
  route
    .when(Condition.stringEquals('$.assessment.next', 'auto-approve'), approveAutomatically)
    .when(Condition.stringEquals('$.assessment.next', 'auto-reject'), rejectAutomatically)
    .when(Condition.stringEquals('$.assessment.next', 'resubmission'), answerHandedOver)
    .otherwise(askApprover);
  approveAutomatically.next(register);
  rejectAutomatically.next(tellDeclined);

  askApprover.next(waitForDecision);
  waitForDecision.addCatch(whichDeadline, timedOut).next(recordDecision);
  whichDeadline
    .when(Condition.stringEquals('$.approval.nextTimer', 'reminder'), remind)
    .when(Condition.stringEquals('$.approval.nextTimer', 'escalation'), escalate)
    .otherwise(applyDefault);
  remind.next(waitForDecision);
  escalate.next(waitForDecision);
  applyDefault.next(recordDecision);
  recordDecision.next(whatDecided);
  whatDecided
    .when(Condition.stringEquals('$.outcome.next', 'second-level'), askApprover)
    .when(Condition.stringEquals('$.outcome.next', 'information'), askPartner)
    .when(Condition.stringEquals('$.outcome.next', 'approved'), register)
    .when(Condition.stringEquals('$.outcome.next', 'extended'), extend)
    .when(Condition.stringEquals('$.outcome.next', 'extension-refused'), tellRefused)
    .otherwise(tellDeclined);
  askPartner.addCatch(declineUnanswered, timedOut).next(resume);
  resume.next(waitForDecision);
  declineUnanswered.next(tellDeclined);

  register.next(shareWithAws).next(tellApproved).next(waitForWarning).next(checkStage).next(stillOpen);
  stillOpen
    .when(Condition.stringEquals('$.dealStage.next', 'open'), warn)
    .when(Condition.stringEquals('$.dealStage.next', 'keep'), keptForClosedDeal)
    .otherwise(expire);
  warn.addCatch(expire, timedOut).next(askApprover);
  extend.next(waitForWarning);
  tellRefused.next(waitForExpiry).next(expire);
  return normalise;
}

/**
 * The workflow's Amazon States Language document, rendered without deploying anything (for
 * the local workflow runner and for validation): the steps function is the one named
 * `registrationStepsFunctionName`, in the given region and account.
 */
export function renderRegistrationWorkflowAsl(
  options: { region?: string; account?: string } = {},
): Record<string, unknown> {
  return renderAsl(
    (scope) =>
      buildRegistrationWorkflow(scope, {
        steps: LambdaFunction.fromFunctionName(scope, 'RegistrationSteps', registrationStepsFunctionName),
      }),
    { comment: registrationWorkflowComment, ...options },
  );
}
