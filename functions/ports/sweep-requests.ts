import type { SweepRequestState } from '#domain/sweep-request.ts';

/** A workflow webhook as the intake stored it, before any sweep took in what it announced. */
export interface IntakeTrigger {
  /** SHA-256 of the body: a redelivery of the same webhook is the same trigger. */
  readonly triggerId: string;
  readonly receivedAt: Date;
  /** The body as HubSpot sent it (the endpoint bounds its size). */
  readonly rawBody: string;
  readonly objectId?: string | undefined;
}

/** Port: where triggers are kept (DynamoDB in AWS and locally). */
export interface IntakeTriggerStore {
  store(trigger: IntakeTrigger): Promise<void>;
}

/** Port: the record of sweep requests and starts the coalescing rule reads. */
export interface SweepRequestLog {
  load(): Promise<SweepRequestState>;
  /**
   * Records a request made at `requestedAt`, if no one else recorded one since `seen` was read;
   * false when someone did (read again and decide again).
   */
  claim(seen: SweepRequestState, requestedAt: number): Promise<boolean>;
  /** Takes back a claim whose sweep could not be asked for, so the next trigger asks again. */
  release(seen: SweepRequestState, requestedAt: number): Promise<void>;
  /** Called by the backfill as a sweep starts, before it lists anything. */
  recordSweepStarted(startedAt: number): Promise<void>;
}

/** Port: asks for a sweep to run soon (the backfill Lambda invoked asynchronously; locally, in process). */
export interface SweepRequests {
  request(): Promise<void>;
}

/** The event a requested sweep carries: the backfill sweeps and leaves the redrive to the schedule. */
export const requestedSweepEvent = { requestedBy: 'intake' } as const;
