import {
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  ExecutionNotRedrivable,
  type ExecutionStatus,
  paginateListExecutions,
  RedriveExecutionCommand,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import type {
  FailedExecution,
  RegistrationWorkflow,
  RegistrationWorkflowInput,
  WorkflowRedrive,
  WorkflowStart,
} from '#ports/registration-workflow.ts';

const unsuccessfulStatuses = ['FAILED', 'TIMED_OUT', 'ABORTED'] as const satisfies readonly ExecutionStatus[];

/**
 * "Quotas related to state machine executions": a Standard execution runs at most one year, so
 * one that started more than a year before a moment cannot have stopped after it.
 */
const maxExecutionTimeMs = 365 * 86_400_000;

/**
 * Starts the registration state machine with the registration id as execution name. Step
 * Functions refuses a second execution of the same name (or returns the running one for the
 * same input), which is what makes the start idempotent. Lists the executions that did not
 * succeed and redrives them ("Redriving state machines in Step Functions").
 */
export class StepFunctionsRegistrationWorkflow implements RegistrationWorkflow, WorkflowRedrive {
  readonly #client: SFNClient;
  readonly #stateMachineArn: string;

  constructor(client: SFNClient, stateMachineArn: string) {
    this.#client = client;
    this.#stateMachineArn = stateMachineArn;
  }

  async start(input: RegistrationWorkflowInput): Promise<WorkflowStart> {
    try {
      const result = await this.#client.send(
        new StartExecutionCommand({
          stateMachineArn: this.#stateMachineArn,
          name: input.registrationId,
          input: JSON.stringify(input),
        }),
      );
      return {
        execution: result.executionArn ?? this.#executionArn(input.registrationId),
        alreadyStarted: false,
      };
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists) {
        return { execution: this.#executionArn(input.registrationId), alreadyStarted: true };
      }
      throw error;
    }
  }

  /**
   * `ListExecutions` once per unsuccessful status (its `statusFilter` takes one), every page.
   * Its items carry no error: `error` is left out rather than paying a `DescribeExecution` each.
   * The list is newest first by start time, so paging stops at executions that started more
   * than a year before `stoppedAfter`.
   */
  async failedExecutions(input: { stoppedAfter: string }): Promise<readonly FailedExecution[]> {
    const since = Date.parse(input.stoppedAfter);
    if (Number.isNaN(since)) {
      throw new RangeError(`stoppedAfter must be an ISO-8601 time, got "${input.stoppedAfter}"`);
    }
    const failed: FailedExecution[] = [];
    for (const status of unsuccessfulStatuses) {
      const pages = paginateListExecutions(
        { client: this.#client, pageSize: 1000 },
        { stateMachineArn: this.#stateMachineArn, statusFilter: status },
      );
      listing: for await (const page of pages) {
        for (const item of page.executions ?? []) {
          if (item.startDate !== undefined && item.startDate.getTime() < since - maxExecutionTimeMs) {
            break listing;
          }
          if (item.stopDate === undefined || item.stopDate.getTime() <= since) continue;
          failed.push({
            registrationId: item.name ?? '',
            execution: item.executionArn ?? '',
            status,
            stoppedAt: item.stopDate.toISOString(),
            redriveCount: item.redriveCount ?? 0,
          });
        }
      }
    }
    return failed;
  }

  /**
   * `RedriveExecution` ("RedriveExecution" API reference). `ExecutionNotRedrivable` (running,
   * succeeded, stopped more than 14 days ago, over the history or time limit) and
   * `ExecutionDoesNotExist` answer `redriven: false` with Step Functions' message.
   */
  async redrive(execution: string): Promise<{ redriven: boolean; reason?: string }> {
    try {
      await this.#client.send(new RedriveExecutionCommand({ executionArn: execution }));
      return { redriven: true };
    } catch (error) {
      if (error instanceof ExecutionNotRedrivable || error instanceof ExecutionDoesNotExist) {
        return { redriven: false, reason: `${error.name}: ${error.message}` };
      }
      throw error;
    }
  }

  #executionArn(name: string): string {
    return `${this.#stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  }
}
