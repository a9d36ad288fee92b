import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { defaultSubmittedAtToleranceHours } from '#domain/submission-time.ts';
import type { FormSubmissions } from '#ports/hubspot.ts';
import type { WorkflowRedrive } from '#ports/registration-workflow.ts';
import type { SweepRequestLog } from '#ports/sweep-requests.ts';
import { SweepStateConflictError, type SweepStateStore } from '#ports/sweep-state.ts';
import { type ReceiveSubmissionDependencies, receiveSubmission } from '#use-cases/receive-submission.ts';
import { type RedriveReport, redriveFailedWorkflows } from '#use-cases/redrive-failed-workflows.ts';
import { type SweepResult, sweepFormSubmissions } from '#use-cases/sweep-form-submissions.ts';

interface SubmissionBackfillDependencies {
  readonly submissions: FormSubmissions;
  readonly sweepState: SweepStateStore;
  /** The same dependencies the webhook intake runs with. */
  readonly intake: ReceiveSubmissionDependencies;
  /** The deal-registration forms to sweep. */
  readonly formGuids: readonly string[];
  readonly logger: Logger;
  /** Re-check this far below the watermark. @default 15 minutes */
  readonly overlapMs?: number;
  /**
   * How far below the watermark a sweep the intake asked for re-checks: it looks for the
   * submission that just came, and the scheduled sweeps still re-check the full overlap, so it
   * need not take every recent submission in again as a duplicate. @default 1 minute
   */
  readonly requestedSweepOverlapMs?: number;
  /** Stop paging this long before the invocation times out, to save where to resume. @default 30 s */
  readonly stopBeforeTimeoutMs?: number;
  /**
   * The registration workflow's failed executions, redriven after the sweep (on the clock the
   * workflows run on: real time in AWS, the virtual clock locally); with `metrics`, the stalled
   * ones are counted for the alarm.
   */
  readonly redrive?: { readonly workflows: WorkflowRedrive; readonly now: () => Date };
  readonly metrics?: Metrics;
  /**
   * Where each sweep records its start before it lists anything, so the intake knows which of its
   * workflow-webhook triggers a sweep still has to come for.
   */
  readonly sweepRequestLog?: Pick<SweepRequestLog, 'recordSweepStarted'>;
}

/** Metric the backfill construct alarms on (namespace `Dealreg`): registrations whose workflow no longer progresses. */
export const STALLED_REGISTRATIONS_METRIC = 'StalledRegistrations';

/** The schedule may name forms to sweep; without a payload, the configured forms are swept. */
const backfillEventSchema = z
  .object({
    formGuids: z.array(z.string().trim().min(1)).min(1).optional(),
    // A sweep the intake asked for when a workflow webhook came: it leaves the redrive to the schedule.
    requestedBy: z.literal('intake').optional(),
  })
  .passthrough()
  .optional()
  .nullable();

export interface SubmissionBackfillSummary {
  readonly results: readonly SweepResult[];
  /** Forms skipped because another run of their sweep was saving at the same time. */
  readonly skipped: readonly string[];
  /** What the redrive of failed workflows did, when the handler has the workflows. */
  readonly redrive?: RedriveReport;
}

/**
 * The backfill, on its schedule and when the intake asks (a workflow webhook came): sweeps each configured form's submissions through the intake path
 * (receivedVia `backfill`), stopping early enough before the Lambda timeout to save where the
 * next run resumes. Then it redrives the registration workflows that failed (each once its
 * wait is over) and names, in the log and the `StalledRegistrations` metric the alarm watches,
 * every registration whose workflow no longer makes progress on its own. A form it cannot sweep
 * (deleted in HubSpot) fails the invocation, naming the form, only after all of that is done.
 */
export function createSubmissionBackfillHandler(deps: SubmissionBackfillDependencies) {
  const handler = middy<unknown, SubmissionBackfillSummary>().use(injectLambdaContext(deps.logger));
  if (deps.metrics !== undefined) handler.use(logMetrics(deps.metrics));
  return handler.handler(async (event: unknown, context: Context) => {
    const parsed = backfillEventSchema.safeParse(event);
    if (!parsed.success) {
      throw new Error(`backfill event: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
    }
    const formGuids = parsed.data?.formGuids ?? deps.formGuids;
    const now = () => deps.intake.now().getTime();
    const deadline = now() + context.getRemainingTimeInMillis() - (deps.stopBeforeTimeoutMs ?? 30_000);
    // The first run over a form looks back no further than intake takes a submission's claimed
    // time: an older one (a form partners used before Dealreg was deployed) would be refused and
    // its partner told to submit again, for a registration they never made with Dealreg.
    const initialLookbackMs =
      (deps.intake.submittedAtToleranceHours ?? defaultSubmittedAtToleranceHours) * 3_600_000;
    await deps.sweepRequestLog?.recordSweepStarted(now());
    const results: SweepResult[] = [];
    const skipped: string[] = [];
    // A form that cannot be swept (deleted in HubSpot, an error HubSpot keeps answering) fails the
    // run once every other form is swept and the failed workflows redriven: it must not leave the
    // other forms' submissions untaken, nor the workflows stalled.
    const failures: { readonly formGuid: string; readonly error: unknown }[] = [];
    for (const formGuid of formGuids) {
      try {
        const result = await sweepFormSubmissions(
          {
            submissions: deps.submissions,
            state: deps.sweepState,
            intake: (submission) => receiveSubmission(deps.intake, submission, 'backfill'),
            now,
            onProblem: (problem) =>
              deps.logger.error('backfill could not take in a submission', { formGuid, ...problem }),
          },
          {
            formGuid,
            deadline,
            initialLookbackMs,
            overlapMs:
              parsed.data?.requestedBy === 'intake'
                ? (deps.requestedSweepOverlapMs ?? 60_000)
                : deps.overlapMs,
          },
        );
        deps.logger.info('form swept', { ...result });
        results.push(result);
      } catch (error) {
        if (error instanceof SweepStateConflictError) {
          deps.logger.warn('another backfill run is sweeping this form; skipped', { formGuid });
          skipped.push(formGuid);
          continue;
        }
        deps.logger.error('backfill could not sweep this form; the other forms are swept', {
          formGuid,
          error,
        });
        failures.push({ formGuid, error });
      }
    }
    if (deps.redrive === undefined || parsed.data?.requestedBy === 'intake') {
      throwFailures(failures);
      return { results, skipped };
    }
    const redrive = await redriveFailedWorkflows(deps.redrive);
    if (redrive.redriven.length > 0) {
      deps.logger.info('failed registration workflows redriven', { registrationIds: redrive.redriven });
    }
    for (const stalled of redrive.stalled) {
      deps.logger.error('registration workflow stalled: it needs a person to look at it', { ...stalled });
    }
    deps.metrics?.addMetric(STALLED_REGISTRATIONS_METRIC, MetricUnit.Count, redrive.stalled.length);
    throwFailures(failures);
    return { results, skipped, redrive };
  });
}

/** Fails the run with the error of the one form it could not sweep, or one naming each of several. */
function throwFailures(failures: readonly { readonly formGuid: string; readonly error: unknown }[]): void {
  const [first] = failures;
  if (first === undefined) return;
  if (failures.length === 1) throw first.error;
  throw new AggregateError(
    failures.map((failure) => failure.error),
    `backfill could not sweep ${failures.length} forms: ${failures
      .map(({ formGuid, error }) => `${formGuid} (${error instanceof Error ? error.message : String(error)})`)
      .join('; ')}`,
  );
}
