import { type FormSubmission, formSubmissionSchema } from '#domain/form-submission.ts';
import { type FormSubmissions, StalePagingCursorError, type SubmissionPage } from '#ports/hubspot.ts';
import type { SweepState, SweepStateStore } from '#ports/sweep-state.ts';

type IntakeOutcome = 'accepted' | 'duplicate' | 'rejected';

interface SweepDependencies {
  readonly submissions: FormSubmissions;
  readonly state: SweepStateStore;
  /** The intake path every webhook delivery takes; idempotent by conversion id. */
  readonly intake: (submission: FormSubmission) => Promise<{ readonly outcome: IntakeOutcome }>;
  readonly now: () => number;
  /** Told about each submission that could not be taken in; the sweep goes on with the rest. */
  readonly onProblem?: (problem: { conversionId: string; reason: string; error?: unknown }) => void;
}

interface SweepOptions {
  readonly formGuid: string;
  /**
   * How far below the watermark to look again, for submissions that reach the Forms API late.
   * @default 15 minutes
   */
  readonly overlapMs?: number | undefined;
  /** On the very first run, how far back to go. @default everything the form ever received */
  readonly initialLookbackMs?: number | undefined;
  /** Stop paging (and save where to resume) once this instant (epoch ms) has passed. */
  readonly deadline?: number | undefined;
  /** @default 50, the Forms API's maximum */
  readonly pageSize?: number | undefined;
}

export interface SweepResult {
  readonly formGuid: string;
  /** True when the run reached the watermark (or the oldest submission); false when it must resume. */
  readonly completed: boolean;
  readonly pages: number;
  readonly scanned: number;
  readonly accepted: number;
  readonly duplicate: number;
  readonly rejected: number;
  /** Intake threw: retried by the next run (the watermark stays below them). */
  readonly failed: number;
  /** Not a submission Dealreg can parse at all: reported, never retried. */
  readonly malformed: number;
  readonly watermark: number | undefined;
}

const defaultOverlapMs = 15 * 60_000;

/** Submissions of a page taken in at once. */
const intakeConcurrency = 8;

/** Runs `work` over `items`, at most `limit` at a time. */
async function inBatches<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * Backfill of one form: feeds every submission the Forms API lists, newest first, through the
 * intake path, so a submission whose workflow webhook HubSpot gave up on is still taken in —
 * once, since intake is idempotent by conversion id.
 * 1. load the sweep state; the cutoff is the watermark minus the overlap;
 * 2. page from where an interrupted run stopped (from the newest submission when there is no
 *    such place, or HubSpot no longer accepts its cursor);
 * 3. feed each submission at or above the cutoff to intake, a few at a time; remember the newest
 *    seen and the oldest that failed;
 * 4. after each page save where to resume; stop at the cutoff, the last page or the deadline;
 * 5. when complete, move the watermark up to the newest submission seen — but never above one
 *    that failed, nor above the time of the run — and keep the oldest that failed, down to which
 *    the next run pages whatever its overlap, so it tries it again.
 *
 * The listing is ordered by each submission's claimed time, which the submitter may set: a
 * submission claiming a time further below the watermark than the overlap is not seen by a
 * sweep (its webhook is its way in); one claiming a future time is fed every run, as a duplicate.
 */
export async function sweepFormSubmissions(
  deps: SweepDependencies,
  options: SweepOptions,
): Promise<SweepResult> {
  const overlapMs = options.overlapMs ?? defaultOverlapMs;
  const pageSize = options.pageSize ?? 50;
  const loaded = await deps.state.load(options.formGuid);
  let version = loaded?.version ?? 0;
  // Submission times are their submitters' claims; none lifts the watermark past the run's start.
  const startedAt = deps.now();
  // A watermark past that was lifted by a claim from the future, before claims were kept from
  // lifting it: it says nothing about what was swept, so the sweep starts over as on its first run.
  const previousWatermark =
    loaded?.watermark !== undefined && loaded.watermark <= startedAt ? loaded.watermark : undefined;
  const cutoff = Math.min(
    previousWatermark !== undefined
      ? previousWatermark - overlapMs
      : options.initialLookbackMs !== undefined
        ? startedAt - options.initialLookbackMs
        : Number.NEGATIVE_INFINITY,
    // What the last run failed on is tried again, however far below the watermark it lies.
    loaded?.retryFrom ?? Number.POSITIVE_INFINITY,
  );

  let after = loaded?.resume?.after;
  let newestSeen = Math.min(loaded?.resume?.newestSeen ?? Number.NEGATIVE_INFINITY, startedAt);
  let oldestFailed = loaded?.resume?.oldestFailed;
  const counts = { pages: 0, scanned: 0, accepted: 0, duplicate: 0, rejected: 0, failed: 0, malformed: 0 };

  const save = async (state: Omit<SweepState, 'version' | 'formGuid'>) => {
    await deps.state.save({ formGuid: options.formGuid, ...state }, version);
    version += 1;
  };

  for (;;) {
    if (options.deadline !== undefined && deps.now() >= options.deadline) {
      return { formGuid: options.formGuid, completed: false, ...counts, watermark: previousWatermark };
    }
    let page: SubmissionPage;
    try {
      page = await deps.submissions.listFormSubmissions(options.formGuid, {
        after,
        limit: pageSize,
      });
    } catch (error) {
      if (!(error instanceof StalePagingCursorError) || after === undefined) throw error;
      // The saved cursor is no longer accepted: page again from the newest submission. What was
      // already taken in comes back as duplicates; nothing is skipped.
      after = undefined;
      continue;
    }
    counts.pages += 1;
    let reachedCutoff = false;
    const intakes: { submission: FormSubmission; submittedAt: number }[] = [];
    for (const listed of page.submissions) {
      if (listed.submittedAt < cutoff) {
        reachedCutoff = true;
        continue;
      }
      counts.scanned += 1;
      // One claiming a time still to come must not lift the watermark past the run, or every later
      // submission would fall below the cutoff.
      newestSeen = Math.max(newestSeen, Math.min(listed.submittedAt, startedAt));
      const parsed = formSubmissionSchema.safeParse(listed);
      if (!parsed.success) {
        counts.malformed += 1;
        deps.onProblem?.({
          conversionId: String(listed.conversionId),
          reason: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '),
        });
        continue;
      }
      intakes.push({ submission: parsed.data, submittedAt: listed.submittedAt });
    }
    // A page's submissions are taken in a few at a time: each is its own conditional write, and
    // a sweep a workflow webhook asked for is waited on by the partner who just submitted.
    await inBatches(intakes, intakeConcurrency, async ({ submission, submittedAt }) => {
      try {
        const { outcome } = await deps.intake(submission);
        counts[outcome] += 1;
      } catch (error) {
        counts.failed += 1;
        oldestFailed = Math.min(oldestFailed ?? submittedAt, submittedAt);
        deps.onProblem?.({
          conversionId: submission.conversionId,
          reason: error instanceof Error ? error.message : String(error),
          error,
        });
      }
    });
    if (reachedCutoff || page.after === undefined) break;
    after = page.after;
    await save({
      watermark: previousWatermark,
      retryFrom: loaded?.retryFrom,
      resume: { after, newestSeen, oldestFailed },
    });
  }

  const candidates = [newestSeen, ...(oldestFailed === undefined ? [] : [oldestFailed])];
  const reached = Math.min(...candidates);
  const watermark = Number.isFinite(reached)
    ? Math.max(previousWatermark ?? Number.NEGATIVE_INFINITY, reached)
    : previousWatermark;
  // This run tried again every failure the last one left (the cutoff was below them): what it
  // failed on itself is what the next run must try again.
  await save({
    ...(watermark === undefined ? {} : { watermark }),
    ...(oldestFailed === undefined ? {} : { retryFrom: oldestFailed }),
  });
  return { formGuid: options.formGuid, completed: true, ...counts, watermark };
}
