import { Duration } from 'aws-cdk-lib';
import { type IFunction, Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import {
  Choice,
  Condition,
  Fail,
  type IChainable,
  IntegrationPattern,
  type IStateMachine,
  JitterType,
  JsonPath,
  StateMachine,
  Succeed,
  TaskInput,
  Timeout,
  Wait,
  WaitTime,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke, StepFunctionsStartExecution } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import type { RegistrationStepName } from '#use-cases/registration-workflow/step-names.ts';
import { renderAsl } from './render-asl.ts';

/** The state machine's comment: what one execution is. */
export const registrationWorkflowComment = 'One deal registration, from receipt to decision and expiry';

/** The Express state machine's comment: what one execution of it is. */
export const registrationSegmentsComment =
  "One registration's steps that run without waiting: its assessment, or registering an approved deal";

/** The name of the Lambda function that runs every step, when the definition is rendered on its own. */
export const registrationStepsFunctionName = 'dealreg-registration-steps';

/** The name of the Express state machine of the segments, when the definitions are rendered on their own. */
export const registrationSegmentsStateMachineName = 'dealreg-registration-segments';

/**
 * Longest a segment runs: under the 5 minutes an Express execution may run at most ("Step
 * Functions service quotas"; "Choosing workflow type in Step Functions"), so a segment that
 * cannot finish fails in time for the registration to start it again.
 */
export const segmentTimeout = Duration.seconds(270);

export interface RegistrationSegmentsFunctions {
  /** The function that runs every step (functions/handlers/registration-steps.ts). */
  readonly steps: IFunction;
}

export interface RegistrationWorkflowFunctions extends RegistrationSegmentsFunctions {
  /** The Express state machine `buildRegistrationSegments` defines. */
  readonly segments: IStateMachine;
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
  'ConflictCheckContentionError',
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
 * The retries of a step inside a segment: short, so the segment ends well within its
 * `segmentTimeout` (about 20 s of pauses at most per step); what is still failing then fails the
 * segment, and the registration starts the segment again with `segmentRestarted`'s long budget.
 */
const segmentRetries = [
  { ...transient, interval: Duration.seconds(2), maxAttempts: 3, maxDelay: Duration.seconds(10) },
  { ...stepTimedOut, interval: Duration.seconds(2), maxAttempts: 1 },
  { ...throttled, interval: Duration.seconds(1), maxAttempts: 6, maxDelay: Duration.seconds(5) },
];

/**
 * A segment that did not succeed, started again from its beginning. The registration's Task
 * fails when its Express execution fails, times out or is aborted ("Discover service integration
 * patterns in Step Functions", Run a Job (.sync): the task ends with the job), with
 * `States.TaskFailed` and the child's DescribeExecution response as cause (the guide names no
 * error; this is Step Functions' behaviour as LocalStack records it), and with
 * `StepFunctions.…Exception` when StartExecution itself is refused. One retrier naming
 * `States.TaskFailed` takes both ("Handling errors in Step Functions workflows": it matches every
 * Task error but `States.Timeout`). The budget is the one a throttled step had before the segments
 * ran as Express executions (25 attempts, about 32 minutes of pauses at most): mostly Lambda
 * throttling in a quarter-end burst (see `throttled`). Running a
 * segment again is safe: Express executions are at-least-once anyway, and every step is
 * idempotent (writes conditional or keyed, HubSpot creates look for an earlier attempt's
 * records, each email sent once per purpose), so a step that had succeeded finds its work done.
 */
const segmentRestarted = {
  errors: ['States.TaskFailed'],
  interval: Duration.seconds(2),
  maxAttempts: 25,
  backoffRate: 1.5,
  maxDelay: Duration.minutes(2),
  jitterStrategy: JitterType.FULL,
};

/** Retriers of a step, as CDK's `addRetry` takes them. */
type StepRetries = readonly Parameters<LambdaInvoke['addRetry']>[0][];

/** A step that answers at once: the steps function invoked with `step`, its answer at `resultPath`. */
function stepBuilder(scope: Construct, steps: IFunction, retries: StepRetries) {
  return (
    name: string,
    stepName: RegistrationStepName,
    resultPath: string | undefined,
    extra: Record<string, unknown> = {},
  ) => {
    const task = new LambdaInvoke(scope, name, {
      lambdaFunction: steps,
      payload: TaskInput.fromObject({ step: stepName, 'registrationId.$': '$.registrationId', ...extra }),
      payloadResponseOnly: true,
      resultPath: resultPath ?? JsonPath.DISCARD,
      taskTimeout: Timeout.duration(Duration.minutes(2)),
    });
    for (const retry of retries) task.addRetry(retry);
    return task;
  };
}

/**
 * Routes by what the conflict check answered (`$.assessment.next`): inside the segment to the
 * automatic decision, and in the registration workflow to what follows it.
 */
function routeByAssessment(
  choice: Choice,
  next: {
    readonly autoApprove: IChainable;
    readonly autoReject: IChainable;
    readonly resubmission: IChainable;
    readonly approver: IChainable;
  },
): Choice {
  return choice
    .when(Condition.stringEquals('$.assessment.next', 'auto-approve'), next.autoApprove)
    .when(Condition.stringEquals('$.assessment.next', 'auto-reject'), next.autoReject)
    .when(Condition.stringEquals('$.assessment.next', 'resubmission'), next.resubmission)
    .otherwise(next.approver);
}

/** Which segment an execution of the segments' state machine runs (its input's `segment`). */
export type RegistrationSegment = 'assess' | 'approved';

/**
 * The registration's steps that run without waiting for anyone, as one Express state machine
 * (billed per request and duration, not per state transition) the registration workflow starts
 * and waits for (`startExecution.sync:2`). Its input is `{segment, registrationId}`:
 * - `assess`: normalise, check for channel conflict, route by verdict, and when no approver is
 *   needed decide (approve automatically → register in HubSpot → share with AWS co-sell → tell
 *   approved, or reject automatically → tell declined); a resubmission or a registration for an
 *   approver ends at once. `$.assessment.next` tells the registration what comes next.
 * - `approved`: register in HubSpot → share with AWS co-sell → tell approved, once an approver
 *   or the policy default approved.
 * Its output is its input with each step's answer at the path the registration workflow reads
 * (`$.registered.validity` …). Its steps retry briefly (`segmentRetries`); the registration
 * starts a failed segment again.
 */
export function buildRegistrationSegments(
  scope: Construct,
  functions: RegistrationSegmentsFunctions,
): IChainable {
  const step = stepBuilder(scope, functions.steps, segmentRetries);
  const whichSegment = new Choice(scope, 'Assess or register?', {
    comment: 'A new registration is assessed; an approved one is registered',
  });

  const normalise = step('Normalise registration', 'normalise', '$.normalised');
  const check = step('Check for channel conflict', 'check-conflicts', '$.assessment');
  const route = new Choice(scope, 'Route by verdict', {
    comment: 'Clear and small: approve; rejected by a rule: decline; otherwise an approver decides',
  });
  const approveAutomatically = step('Approve automatically', 'approve-automatically', undefined, {
    'reason.$': '$.assessment.reason',
  });
  const rejectAutomatically = step('Reject automatically', 'reject-automatically', undefined, {
    'reason.$': '$.assessment.reason',
  });
  const answerHandedOver = new Succeed(scope, 'Answer handed to the earlier registration', {
    comment: 'A resubmission that answered an approver question resumed that registration',
  });
  const forAnApprover = new Succeed(scope, 'Hand over to an approver', {
    comment: 'The registration workflow asks the approver and waits for the decision',
  });

  const register = step('Register deal in HubSpot', 'register-in-hubspot', '$.registered');
  // Co-sell with AWS: what AWS refuses is answered, not thrown; anything still failing after the
  // retries is kept at $.coSellFailure and the registration carries on, its attribution untouched.
  // A throttled steps function is not a co-sell failure: the segment fails and runs again later.
  const shareWithAws = step('Share with AWS co-sell', 'share-with-aws', '$.coSell');
  const tellApproved = step('Tell partner it is approved', 'tell-partner-approved', undefined);
  const stepsBusy = new Fail(scope, 'Steps busy: try the registration again later', {
    error: 'Lambda.TooManyRequestsException',
    cause: 'The steps function was throttled while sharing with AWS co-sell',
  });
  shareWithAws.addCatch(stepsBusy, { errors: ['Lambda.TooManyRequestsException'] });
  shareWithAws.addCatch(tellApproved, { errors: ['States.ALL'], resultPath: '$.coSellFailure' });
  const tellDeclined = step('Tell partner it is declined', 'tell-partner-declined', undefined);

  whichSegment
    .when(Condition.stringEquals('$.segment', 'assess'), normalise)
    .when(Condition.stringEquals('$.segment', 'approved'), register);
  normalise.next(check).next(route);
  routeByAssessment(route, {
    autoApprove: approveAutomatically,
    autoReject: rejectAutomatically,
    resubmission: answerHandedOver,
    approver: forAnApprover,
  });
  approveAutomatically.next(register);
  rejectAutomatically.next(tellDeclined);
  register.next(shareWithAws).next(tellApproved);
  return whichSegment;
}

/**
 * The registration workflow (DESIGN §3.2) as CDK chainables, JSONPath query language. The
 * stack deploys it and the local workflow runner executes the same definition.
 *
 * One Standard execution per registration, named by its registration id. What runs without
 * waiting runs as one Express execution of `functions.segments` (`buildRegistrationSegments`),
 * started and waited for by one Task, so those steps are not billed as Standard state
 * transitions: the assessment, and registering an approved deal. The Standard execution keeps
 * what waits: the approval loop, whose callback tasks' timeouts are the SLA timers (reminder,
 * escalation, then the policy default at the final deadline), and the validity tail (expiry
 * warning, one extension on request, expiry). Every Lambda Task runs one step of
 * `functions/use-cases/registration-workflow/steps.ts` in the steps function, named as
 * `step-names.ts` lists them (a misspelt step does not compile); the execution's state carries
 * only ids, the routing answers and the approval loop's timers, so the history holds no more
 * personal data than it must.
 */
export function buildRegistrationWorkflow(
  scope: Construct,
  functions: RegistrationWorkflowFunctions,
): IChainable {
  const id = { 'registrationId.$': '$.registrationId' };

  /** A step that answers at once; its answer lands at `resultPath` (or is discarded). */
  const step = stepBuilder(scope, functions.steps, [transient, stepTimedOut, throttled]);

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

  /**
   * Runs a segment as an Express execution and waits for it (`.sync:2`: its output as JSON); the
   * segment's output becomes this execution's state, so later states read the same paths.
   */
  const segment = (name: string, which: RegistrationSegment) => {
    const task = new StepFunctionsStartExecution(scope, name, {
      stateMachine: functions.segments,
      integrationPattern: IntegrationPattern.RUN_JOB,
      input: TaskInput.fromObject({ segment: which, ...id }),
      associateWithParent: true,
      outputPath: '$.Output',
    });
    task.addRetry(segmentRestarted);
    return task;
  };

  const timedOut = { errors: ['States.Timeout'], resultPath: '$.timeout' };

  // Intake → assessment, and the decisions without an approver, in one segment.
  const assess = segment('Assess registration', 'assess');
  const afterAssessment = new Choice(scope, 'What did the assessment decide?', {
    comment: 'Approved or declined without an approver, a resubmission handed over, or an approver decides',
  });
  const declinedAutomatically = new Succeed(scope, 'Declined by a policy rule', {
    comment: 'Rejected automatically; the partner was told',
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

  // Outcomes: an approved deal is registered, shared and announced in one segment.
  const registerApproved = segment('Register the approved deal', 'approved');
  const tellDeclined = step('Tell partner it is declined', 'tell-partner-declined', undefined);

  // Validity: warning, one extension on request, expiry.
  const waitForWarning = new Wait(scope, 'Wait until expiry warning', {
    time: WaitTime.timestampPath('$.registered.validity.warnAt'),
  });
  const keptForClosedDeal = new Succeed(scope, 'Protection kept for the closed deal', {
    comment: 'The deal closed and the policy keeps the partner protection: no warning, no expiry',
  });
  // The warning step checks the deal's stage first (expiry and its warning apply to open deals)
  // and answers at once for a closed one; an open one waits for an extension request until expiry.
  const warn = callback(
    'Warn partner of expiry',
    'warn-of-expiry',
    '$.extensionRequest',
    '$.registered.validity.secondsFromWarningToExpiry',
  );
  const afterWarning = new Choice(scope, 'Closed deal, or extension requested?', {
    comment:
      'A deal closed before the warning is kept or ended as the policy says; otherwise the partner asked',
  });
  const closedDeal = '$.extensionRequest.closedDeal';
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

  assess.next(afterAssessment);
  routeByAssessment(afterAssessment, {
    autoApprove: waitForWarning,
    autoReject: declinedAutomatically,
    resubmission: answerHandedOver,
    approver: askApprover,
  });

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
    .when(Condition.stringEquals('$.outcome.next', 'approved'), registerApproved)
    .when(Condition.stringEquals('$.outcome.next', 'extended'), extend)
    .when(Condition.stringEquals('$.outcome.next', 'extension-refused'), tellRefused)
    .otherwise(tellDeclined);
  askPartner.addCatch(declineUnanswered, timedOut).next(resume);
  resume.next(waitForDecision);
  declineUnanswered.next(tellDeclined);

  registerApproved.next(waitForWarning).next(warn);
  warn.addCatch(expire, timedOut).next(afterWarning);
  afterWarning
    .when(
      Condition.and(Condition.isPresent(closedDeal), Condition.stringEquals(closedDeal, 'keep')),
      keptForClosedDeal,
    )
    .when(Condition.isPresent(closedDeal), expire)
    .otherwise(askApprover);
  extend.next(waitForWarning);
  tellRefused.next(waitForExpiry).next(expire);
  return assess;
}

/** The registration workflow's two Amazon States Language documents. */
export interface RegistrationWorkflowAsl {
  /** The Standard state machine: one execution per registration. */
  readonly workflow: Record<string, unknown>;
  /** The Express state machine of its segments, named `registrationSegmentsStateMachineName`. */
  readonly segments: Record<string, unknown>;
}

/**
 * The workflow's Amazon States Language documents, rendered without deploying anything (for
 * the local workflow runner and for validation): the steps function is the one named
 * `registrationStepsFunctionName` and the segments' state machine the one named
 * `registrationSegmentsStateMachineName`, in the given region and account.
 */
export function renderRegistrationWorkflowAsl(
  options: { region?: string; account?: string } = {},
): RegistrationWorkflowAsl {
  const steps = (scope: Construct) =>
    LambdaFunction.fromFunctionName(scope, 'RegistrationSteps', registrationStepsFunctionName);
  return {
    workflow: renderAsl(
      (scope) =>
        buildRegistrationWorkflow(scope, {
          steps: steps(scope),
          segments: StateMachine.fromStateMachineName(
            scope,
            'RegistrationSegments',
            registrationSegmentsStateMachineName,
          ),
        }),
      { comment: registrationWorkflowComment, ...options },
    ),
    segments: renderAsl((scope) => buildRegistrationSegments(scope, { steps: steps(scope) }), {
      comment: registrationSegmentsComment,
      timeoutSeconds: segmentTimeout.toSeconds(),
      ...options,
    }),
  };
}
