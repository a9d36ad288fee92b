import { createHash } from 'node:crypto';
import { defaultSweepRequestWindowMs, sweepRequestNeeded } from '#domain/sweep-request.ts';
import type { WorkflowRecordSummary } from '#domain/workflow-trigger.ts';
import type { IntakeTriggerStore, SweepRequestLog, SweepRequests } from '#ports/sweep-requests.ts';

export interface ReceiveWorkflowTriggerDependencies {
  readonly triggers: IntakeTriggerStore;
  readonly sweepRequestLog: SweepRequestLog;
  readonly sweepRequests: SweepRequests;
  readonly now: () => Date;
  /** How long a requested sweep may take to start before a trigger asks again. @default 60 s */
  readonly sweepRequestWindowMs?: number | undefined;
}

export interface ReceiveWorkflowTriggerResult {
  readonly outcome: 'trigger';
  readonly triggerId: string;
  /** `requested`: this trigger asked for a sweep; `pending`: one asked for earlier has not started yet. */
  readonly sweep: 'requested' | 'pending';
}

/** Attempts at claiming the request before giving up to a crowd of triggers claiming at once. */
const maxClaimAttempts = 5;

/**
 * Takes in a HubSpot workflow webhook as a trigger: the record it carries says that a form was
 * submitted, not what; the submissions are read from the Forms API by a sweep, the same path the
 * scheduled backfill takes, so none is taken twice.
 * 1. store the trigger with its raw body (a redelivery overwrites its own item);
 * 2. read when a sweep was last asked for and last started;
 * 3. if no sweep asked for is still to start (or it is overdue), claim the request — a
 *    conditional write, so of many triggers at once one asks — and ask for a sweep;
 *    a claim lost to another trigger is read again: that one's sweep starts after this was stored;
 * 4. if asking fails, take the claim back and fail, so HubSpot delivers again (5xx).
 */
export async function receiveWorkflowTrigger(
  deps: ReceiveWorkflowTriggerDependencies,
  rawBody: string,
  record: WorkflowRecordSummary,
): Promise<ReceiveWorkflowTriggerResult> {
  const triggerId = createHash('sha256').update(rawBody, 'utf8').digest('hex');
  const receivedAt = deps.now();
  await deps.triggers.store({ triggerId, receivedAt, rawBody, objectId: record.objectId });

  const windowMs = deps.sweepRequestWindowMs ?? defaultSweepRequestWindowMs;
  for (let attempt = 1; attempt <= maxClaimAttempts; attempt += 1) {
    const seen = await deps.sweepRequestLog.load();
    const at = deps.now().getTime();
    if (!sweepRequestNeeded(seen, at, windowMs)) return { outcome: 'trigger', triggerId, sweep: 'pending' };
    if (!(await deps.sweepRequestLog.claim(seen, at))) continue;
    try {
      await deps.sweepRequests.request();
    } catch (error) {
      await deps.sweepRequestLog.release(seen, at).catch(() => undefined);
      throw error;
    }
    return { outcome: 'trigger', triggerId, sweep: 'requested' };
  }
  // Every claim was lost: each time another trigger claimed a request after this one was stored.
  return { outcome: 'trigger', triggerId, sweep: 'pending' };
}
