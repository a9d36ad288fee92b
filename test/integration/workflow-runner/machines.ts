import { Duration } from 'aws-cdk-lib';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import {
  Choice,
  Condition,
  Errors,
  Fail,
  IntegrationPattern,
  JsonPath,
  Map as MapState,
  Parallel,
  Pass,
  Result,
  Succeed,
  TaskInput,
  Timeout,
  Wait,
  WaitTime,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { renderAsl } from '#workflows/render-asl.ts';

export const functionArn = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

function lambda(scope: Construct, name: string) {
  return LambdaFunction.fromFunctionArn(scope, `${name} function`, functionArn(name));
}

/**
 * Ask an approver (callback, 48-hour SLA): a rejection is recorded, any other task failure is
 * reported as a fault (States.TaskFailed, listed before the timeout on purpose: it must not
 * take States.Timeout), a timeout applies the default decision.
 */
export function approvalMachine(): Record<string, unknown> {
  return renderAsl(
    (scope) => {
      const ask = new LambdaInvoke(scope, 'Wait for approver decision', {
        lambdaFunction: lambda(scope, 'send-approval-request'),
        integrationPattern: IntegrationPattern.WAIT_FOR_TASK_TOKEN,
        payload: TaskInput.fromObject({
          taskToken: JsonPath.taskToken,
          registrationId: JsonPath.stringAt('$.registrationId'),
          startedAt: JsonPath.stringAt('$$.Execution.StartTime'),
        }),
        taskTimeout: Timeout.duration(Duration.hours(48)),
        resultPath: '$.decision',
      });
      ask.addCatch(
        new Pass(scope, 'Record rejection', {
          result: Result.fromString('rejected'),
          resultPath: '$.outcome',
        }),
        {
          errors: ['Rejected'],
          resultPath: '$.failure',
        },
      );
      ask.addCatch(
        new Pass(scope, 'Report handler fault', {
          result: Result.fromString('fault'),
          resultPath: '$.outcome',
        }),
        {
          errors: [Errors.TASKS_FAILED],
          resultPath: '$.failure',
        },
      );
      ask.addCatch(
        new Pass(scope, 'Apply default decision', {
          result: Result.fromString('default'),
          resultPath: '$.outcome',
        }),
        {
          errors: [Errors.TIMEOUT],
        },
      );
      return ask.next(
        new Pass(scope, 'Record approval', {
          result: Result.fromString('approved'),
          resultPath: '$.outcome',
        }),
      );
    },
    { comment: 'Approval with an SLA' },
  );
}

/** Waits until `$.remindAt`, then until `$.escalateAt`, notifying at each step. */
export function reminderMachine(): Record<string, unknown> {
  return renderAsl((scope) => {
    const notifyFunction = lambda(scope, 'notify');
    const notify = (id: string, step: string) =>
      new LambdaInvoke(scope, id, {
        lambdaFunction: notifyFunction,
        payload: TaskInput.fromObject({
          step,
          registrationId: JsonPath.stringAt('$.registrationId'),
          state: JsonPath.stringAt('$$.State.Name'),
          enteredAt: JsonPath.stringAt('$$.State.EnteredTime'),
        }),
        resultPath: JsonPath.DISCARD,
        retryOnServiceExceptions: false,
      });
    return new Wait(scope, 'Wait until the reminder is due', { time: WaitTime.timestampPath('$.remindAt') })
      .next(notify('Remind approver', 'reminder'))
      .next(new Wait(scope, 'Wait until escalation is due', { time: WaitTime.timestampPath('$.escalateAt') }))
      .next(notify('Escalate to sales leader', 'escalation'))
      .next(new Wait(scope, 'Wait one more hour', { time: WaitTime.duration(Duration.hours(1)) }))
      .next(notify('Apply default decision', 'default'));
  });
}

/** Routes on `$.amount`: small deals are approved at once, large ones wait `$.holdSeconds`. */
export function routingMachine(): Record<string, unknown> {
  return renderAsl((scope) => {
    const hold = new Wait(scope, 'Hold large deal', { time: WaitTime.secondsPath('$.holdSeconds') }).next(
      new Succeed(scope, 'Large deal released'),
    );
    return new Choice(scope, 'Route by amount')
      .when(Condition.numberGreaterThan('$.amount', 100_000), hold)
      .when(
        Condition.numberLessThan('$.amount', 0),
        new Fail(scope, 'Refuse negative amount', { error: 'BadAmount' }),
      )
      .otherwise(new Succeed(scope, 'Approve at once'));
  });
}

/** Checks conflicts through a Lambda ARN resource, retrying HubSpot outages, with a fallback. */
export function conflictCheckMachine(): Record<string, unknown> {
  return renderAsl((scope) => {
    const check = new LambdaInvoke(scope, 'Check conflicts', {
      lambdaFunction: lambda(scope, 'check-conflicts'),
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      resultPath: '$.verdict',
    });
    check.addRetry({
      errors: ['HubSpotUnavailable'],
      interval: Duration.minutes(1),
      maxAttempts: 2,
      backoffRate: 2,
    });
    check.addCatch(new Pass(scope, 'Send to manual review'), {
      errors: [Errors.ALL],
      resultPath: '$.failure',
    });
    return check.next(new Pass(scope, 'Use verdict'));
  });
}

/** A Wait that outlasts the execution's own 1-day timeout. */
export function overlongMachine(): Record<string, unknown> {
  return renderAsl(
    (scope) => new Wait(scope, 'Wait two days', { time: WaitTime.duration(Duration.days(2)) }),
    { timeoutSeconds: 86_400 },
  );
}

/** A callback that must send a heartbeat every hour; a missed one counts as a timeout. */
export function heartbeatMachine(): Record<string, unknown> {
  return renderAsl((scope) => {
    const ask = new LambdaInvoke(scope, 'Wait for partner documents', {
      lambdaFunction: lambda(scope, 'send-approval-request'),
      integrationPattern: IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: TaskInput.fromObject({ taskToken: JsonPath.taskToken }),
      heartbeatTimeout: Timeout.duration(Duration.hours(1)),
      taskTimeout: Timeout.duration(Duration.hours(48)),
    });
    ask.addCatch(new Pass(scope, 'Close as incomplete'), {
      errors: [Errors.TIMEOUT],
      resultPath: '$.failure',
    });
    return ask;
  });
}

/** Two approvers asked at once; the first refusal ends both. */
export function twoApproversMachine(): Record<string, unknown> {
  return renderAsl((scope) => {
    const send = lambda(scope, 'send-approval-request');
    const ask = (id: string, level: string) =>
      new LambdaInvoke(scope, id, {
        lambdaFunction: send,
        integrationPattern: IntegrationPattern.WAIT_FOR_TASK_TOKEN,
        payload: TaskInput.fromObject({ taskToken: JsonPath.taskToken, level }),
        taskTimeout: Timeout.duration(Duration.hours(48)),
      });
    const both = new Parallel(scope, 'Ask both approval levels', { resultPath: '$.decisions' })
      .branch(ask('Ask partner manager', 'first'))
      .branch(ask('Ask sales leader', 'second'));
    const refusal = new Pass(scope, 'Record refusal').next(
      new Wait(scope, 'Hold refusal for an hour', { time: WaitTime.duration(Duration.hours(1)) }),
    );
    both.addCatch(refusal, { errors: ['Rejected'], resultPath: '$.failure' });
    return both.next(new Pass(scope, 'Record both approvals'));
  });
}

/**
 * Prepares a registration, registers the deal in the CRM (retrying an outage twice), holds it for
 * an hour and tells the partner; the whole execution may run two days.
 */
export function registerDealMachine(): Record<string, unknown> {
  return renderAsl(
    (scope) => {
      const register = new LambdaInvoke(scope, 'Register deal', {
        lambdaFunction: lambda(scope, 'register-deal'),
        payloadResponseOnly: true,
        retryOnServiceExceptions: false,
        resultPath: '$.deal',
      });
      register.addRetry({ errors: ['HubSpotUnavailable'], interval: Duration.seconds(5), maxAttempts: 2 });
      const tell = new LambdaInvoke(scope, 'Tell partner', {
        lambdaFunction: lambda(scope, 'notify'),
        payload: TaskInput.fromObject({
          dealId: JsonPath.stringAt('$.deal.dealId'),
          requestedWith: JsonPath.objectAt('$$.Execution.Input'),
          redriveCount: JsonPath.numberAt('$$.Execution.RedriveCount'),
        }),
        payloadResponseOnly: true,
        retryOnServiceExceptions: false,
        resultPath: '$.told',
      });
      return new Pass(scope, 'Prepare registration', {
        parameters: { 'registrationId.$': '$.registrationId', amountMinor: 1_500_000 },
      })
        .next(register)
        .next(new Wait(scope, 'Hold for an hour', { time: WaitTime.duration(Duration.hours(1)) }))
        .next(tell);
    },
    { timeoutSeconds: 2 * 86_400 },
  );
}

/** Asks every approver of `$.approvers` at once (an inline Map), then records their answers. */
export function everyApproverMachine(): Record<string, unknown> {
  return renderAsl((scope) => {
    const ask = new LambdaInvoke(scope, 'Ask each approver', {
      lambdaFunction: lambda(scope, 'send-approval-request'),
      integrationPattern: IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: TaskInput.fromObject({
        taskToken: JsonPath.taskToken,
        approver: JsonPath.stringAt('$.approver'),
        registrationId: JsonPath.stringAt('$.registrationId'),
      }),
      taskTimeout: Timeout.duration(Duration.hours(48)),
    });
    return new MapState(scope, 'Ask every approver', {
      itemsPath: '$.approvers',
      itemSelector: {
        'approver.$': '$$.Map.Item.Value',
        'registrationId.$': '$.registrationId',
      },
      resultPath: '$.answers',
    })
      .itemProcessor(ask)
      .next(new Pass(scope, 'Record answers'));
  });
}
