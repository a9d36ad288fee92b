import type { FailedExecution, WorkflowRedrive } from '#ports/registration-workflow.ts';

export interface RedriveOptions {
  /**
   * Step Functions redrives an execution up to 14 days after it stopped ("Redriving state
   * machines in Step Functions"); older ones are not listed. @default 14
   */
  readonly lookbackDays?: number;
  /** First wait after a failure before it is redriven; it doubles with each redrive. @default 5 */
  readonly firstWaitMinutes?: number;
  /** @default 360 (six hours) */
  readonly longestWaitMinutes?: number;
  /**
   * After this many redrives the execution is left alone and its registration named as
   * stalled: with the defaults, about a day after the first failure. @default 8
   */
  readonly maxRedrives?: number;
}

export interface StalledRegistration {
  readonly registrationId: string;
  readonly execution: string;
  readonly stoppedAt: string;
  readonly error: string | undefined;
  readonly reason: string;
}

export interface RedriveReport {
  readonly redriven: readonly string[];
  /** Failed, but its next redrive is not due yet. */
  readonly waiting: readonly string[];
  /** Registrations whose workflow no longer makes progress on its own: the alarm names them. */
  readonly stalled: readonly StalledRegistration[];
}

/** When the execution's next redrive is due: the wait doubles with each redrive, up to the longest. */
export function nextRedriveAt(failed: FailedExecution, options: RedriveOptions = {}): Date {
  const first = options.firstWaitMinutes ?? 5;
  const longest = options.longestWaitMinutes ?? 360;
  const waitMinutes = Math.min(longest, first * 2 ** failed.redriveCount);
  return new Date(Date.parse(failed.stoppedAt) + waitMinutes * 60_000);
}

/**
 * Re-drives the registration workflows that stopped without finishing, so every registration
 * ends decided or waiting on a person: each failed execution restarts from the step that failed
 * once its wait is over (5 min, then 10, 20 … up to 6 h), and after `maxRedrives` it is named as
 * stalled instead. Steps are safe to repeat, so a redrive never writes twice.
 */
export async function redriveFailedWorkflows(
  deps: { readonly workflows: WorkflowRedrive; readonly now: () => Date },
  options: RedriveOptions = {},
): Promise<RedriveReport> {
  const now = deps.now();
  const lookbackDays = options.lookbackDays ?? 14;
  const maxRedrives = options.maxRedrives ?? 8;
  const failed = await deps.workflows.failedExecutions({
    stoppedAfter: new Date(now.getTime() - lookbackDays * 86_400_000).toISOString(),
  });
  const redriven: string[] = [];
  const waiting: string[] = [];
  const stalled: StalledRegistration[] = [];
  for (const execution of failed) {
    const named = {
      registrationId: execution.registrationId,
      execution: execution.execution,
      stoppedAt: execution.stoppedAt,
      error: execution.error,
    };
    if (execution.redriveCount >= maxRedrives) {
      stalled.push({ ...named, reason: `still failing after ${execution.redriveCount} redrives` });
      continue;
    }
    if (nextRedriveAt(execution, options) > now) {
      waiting.push(execution.registrationId);
      continue;
    }
    const result = await deps.workflows.redrive(execution.execution);
    if (result.redriven) redriven.push(execution.registrationId);
    else stalled.push({ ...named, reason: result.reason ?? 'Step Functions refused to redrive it' });
  }
  return { redriven, waiting, stalled };
}
