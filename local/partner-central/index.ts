import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  Catalogs,
  type CatalogsSnapshot,
  type ReviewAction,
  ReviewMoveError,
  reviewActions,
} from './catalog.ts';
import { PartnerCentralFault, serverError, throttled, validationFault } from './errors.ts';
import {
  deliver,
  type EventSink,
  engagementInvitationEvent,
  opportunityEvent,
  type PartnerCentralEvent,
} from './events.ts';
import { EngagementInvitations, ReferralInputError } from './invitations.ts';
import { shapeProblems } from './service-model.ts';

export type { EventSink, PartnerCentralEvent, ReviewAction };

/**
 * A local stand-in for the AWS Partner Central Selling API: the real SDK client talks to it with
 * only `endpoint` changed. It speaks the service's awsJson1_0 protocol (`POST /`,
 * `X-Amz-Target: AWSPartnerCentralSelling.<Operation>`, `Content-Type: application/x-amz-json-1.0`,
 * as the SDK's protocol settings and the model's `aws.protocols#awsJson1_0` trait say), keeps
 * opportunities in memory, moves them through AWS's review from an admin route and sends the
 * EventBridge events Partner Central sends. See README.md.
 */
export interface PartnerCentralStandInOptions {
  /** @default a free port */
  readonly port?: number | undefined;
  /** Clock for CreatedDate / LastModifiedDate / event times. @default real time */
  readonly now?: (() => Date) | undefined;
  /** Where opportunity events go (best effort); they are also kept in `events`. */
  readonly eventSink?: EventSink | undefined;
  /** The AWS account id events carry. @default '123456789012' */
  readonly accountId?: string | undefined;
  /** What an earlier stand-in held (its `snapshot()`), to carry on from. @default nothing */
  readonly state?: PartnerCentralSnapshot | undefined;
  /** Called after each change of what `snapshot()` returns, to save it. */
  readonly onStateChange?: (() => void) | undefined;
}

/** What the stand-in holds: its opportunities with their client tokens and referrals, as JSON. */
export interface PartnerCentralSnapshot {
  readonly catalogs: CatalogsSnapshot;
  readonly invitations: readonly (readonly [string, Record<string, unknown>])[];
}

export interface RunningPartnerCentralStandIn {
  /** Pass as the SDK client's `endpoint`. */
  readonly url: string;
  readonly catalogs: Catalogs;
  /** AWS referrals: the engagement invitations AWS sent the partner. */
  readonly invitations: EngagementInvitations;
  /** Every event emitted, oldest first. */
  readonly events: readonly PartnerCentralEvent[];
  /** Event deliveries that failed (best effort: the stand-in carries on). */
  readonly failedDeliveries: readonly string[];
  /** The last 1,000 API calls: what was asked and answered, as JSON on the wire. */
  readonly exchanges: readonly Exchange[];
  /** Requests answered, by operation (throttled ones included). */
  readonly requests: Readonly<Record<string, number>>;
  /** The next `count` calls (of `operation`, or of any operation) answer ThrottlingException. */
  throttleNext(count: number, operation?: string): void;
  /** The next `count` calls (of `operation`, or of any) answer InternalServerException (500). */
  failNext(count: number, operation?: string): void;
  /**
   * The next `count` calls of `operation` answer ValidationException with `Reason:
   * BUSINESS_VALIDATION_FAILED` and `message`, as Partner Central refuses what its business rules
   * (not the model) reject, such as a submission without the customer's industry
   * ("ValidationException", AWS Partner Central API reference).
   */
  refuseNext(count: number, operation: string, message: string): void;
  /** Resolves when every event emitted so far has been delivered. */
  eventsDelivered(): Promise<void>;
  /** What it holds now, to start another stand-in from (`state`). */
  snapshot(): PartnerCentralSnapshot;
  stop(): Promise<void>;
}

export interface Exchange {
  readonly operation: string;
  readonly request: Record<string, unknown>;
  readonly status: number;
  readonly response: Record<string, unknown>;
}

const operations = [
  'CreateOpportunity',
  'UpdateOpportunity',
  'GetOpportunity',
  'ListOpportunities',
  'StartEngagementFromOpportunityTask',
  'AssociateOpportunity',
  'GetEngagementInvitation',
  'ListEngagementInvitations',
  'AcceptEngagementInvitation',
  'RejectEngagementInvitation',
] as const;
type Operation = (typeof operations)[number];

const maxBody = 1_000_000;

export async function startPartnerCentralStandIn(
  options: PartnerCentralStandInOptions = {},
): Promise<RunningPartnerCentralStandIn> {
  const now = options.now ?? (() => new Date());
  const account = options.accountId ?? '123456789012';
  const events: PartnerCentralEvent[] = [];
  const failedDeliveries: string[] = [];
  const requests: Record<string, number> = {};
  const exchanges: Exchange[] = [];
  const record = (exchange: Exchange) => {
    exchanges.push(exchange);
    if (exchanges.length > 1_000) exchanges.shift();
  };
  const faults: { count: number; operation: string | undefined; fault: () => PartnerCentralFault }[] = [];
  let deliveries: Promise<void> = Promise.resolve();

  const emit = (event: PartnerCentralEvent, id: string) => {
    events.push(event);
    // Every change of an opportunity or a referral emits its event.
    options.onStateChange?.();
    const sink = options.eventSink;
    if (sink !== undefined) {
      // In order, one at a time, so a consumer sees Created before Updated.
      deliveries = deliveries.then(async () => {
        const failure = await deliver(sink, event);
        if (failure !== undefined) failedDeliveries.push(`${event['detail-type']} ${id}: ${failure}`);
      });
    }
  };
  const catalogs = new Catalogs(now, (type, catalog, id) => {
    emit(opportunityEvent(type, catalog, id, account, now()), id);
  });
  const invitations = new EngagementInvitations(now, account, (type, catalog, invitation) => {
    emit(engagementInvitationEvent(type, catalog, invitation, account, now()), String(invitation.Id));
  });
  if (options.state !== undefined) {
    catalogs.restore(options.state.catalogs);
    invitations.restore(options.state.invitations);
  }

  /** The fault injected for this call, if one is. */
  const injectedFault = (operation: string): PartnerCentralFault | undefined => {
    const index = faults.findIndex((f) => f.operation === undefined || f.operation === operation);
    const injected = faults[index];
    if (injected === undefined) return undefined;
    injected.count -= 1;
    if (injected.count <= 0) faults.splice(index, 1);
    return injected.fault();
  };

  const dispatch = (operation: Operation, body: Record<string, unknown>): Record<string, unknown> => {
    switch (operation) {
      case 'CreateOpportunity':
        return catalogs.createOpportunity(body);
      case 'UpdateOpportunity':
        return catalogs.updateOpportunity(body);
      case 'GetOpportunity':
        return catalogs.getOpportunity(body);
      case 'ListOpportunities':
        return catalogs.listOpportunities(body);
      case 'StartEngagementFromOpportunityTask':
        return catalogs.startEngagementFromOpportunityTask(body);
      case 'AssociateOpportunity':
        return catalogs.associateOpportunity(body);
      case 'GetEngagementInvitation':
        return invitations.getEngagementInvitation(body);
      case 'ListEngagementInvitations':
        return invitations.listEngagementInvitations(body);
      case 'AcceptEngagementInvitation':
        return invitations.acceptEngagementInvitation(body);
      case 'RejectEngagementInvitation':
        return invitations.rejectEngagementInvitation(body);
    }
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      send(response, 500, { __type: 'InternalServerException', Message: String(error) }, true);
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const text = await readBody(request);
    if (text === undefined) {
      send(response, 413, { message: `request body larger than ${maxBody} bytes` });
      return;
    }
    if (url.pathname.startsWith('/_admin/')) {
      adminRoute(request.method ?? 'GET', url.pathname, text, response);
      return;
    }
    // The awsJson1_0 protocol: every operation is a POST to "/" named by X-Amz-Target.
    const target = String(request.headers['x-amz-target'] ?? '');
    const operation = target.startsWith('AWSPartnerCentralSelling.')
      ? target.slice('AWSPartnerCentralSelling.'.length)
      : '';
    if (request.method !== 'POST' || url.pathname !== '/') {
      send(
        response,
        404,
        { __type: 'UnknownOperationException', message: `${request.method} ${url.pathname}` },
        true,
      );
      return;
    }
    if (!(operations as readonly string[]).includes(operation)) {
      send(
        response,
        400,
        { __type: 'UnknownOperationException', message: `unknown operation ${target}` },
        true,
      );
      return;
    }
    if (!String(request.headers['content-type'] ?? '').startsWith('application/x-amz-json-1.0')) {
      send(
        response,
        400,
        { __type: 'SerializationException', message: 'expected Content-Type application/x-amz-json-1.0' },
        true,
      );
      return;
    }
    requests[operation] = (requests[operation] ?? 0) + 1;
    let body: unknown;
    try {
      body = text === '' ? {} : JSON.parse(text);
    } catch {
      send(response, 400, { __type: 'SerializationException', message: 'the body is not JSON' }, true);
      return;
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      send(
        response,
        400,
        { __type: 'SerializationException', message: 'the body is not a JSON object' },
        true,
      );
      return;
    }
    try {
      const fault = injectedFault(operation);
      if (fault !== undefined) throw fault;
      const answer = dispatch(operation as Operation, body as Record<string, unknown>);
      record({ operation, request: body as Record<string, unknown>, status: 200, response: answer });
      send(response, 200, answer, true);
    } catch (error) {
      if (error instanceof PartnerCentralFault) {
        record({
          operation,
          request: body as Record<string, unknown>,
          status: error.status,
          response: error.body(),
        });
        send(response, error.status, error.body(), true);
        return;
      }
      throw error;
    }
  }

  function adminRoute(method: string, path: string, text: string, response: ServerResponse): void {
    if (method === 'GET' && path === '/_admin/events') {
      send(response, 200, { events });
      return;
    }
    if (method === 'GET' && path === '/_admin/opportunities') {
      send(response, 200, { opportunities: catalogs.all().map((stored) => stored.opportunity) });
      return;
    }
    if (method === 'POST' && path === '/_admin/throttle') {
      const { count, operation } = parseObject(text);
      if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) {
        send(response, 400, { message: 'count: expected a whole number ≥ 1' });
        return;
      }
      faults.push({
        count,
        operation: typeof operation === 'string' ? operation : undefined,
        fault: throttled,
      });
      send(response, 204, undefined);
      return;
    }
    if (method === 'GET' && path === '/_admin/engagement-invitations') {
      send(response, 200, { invitations: invitations.all() });
      return;
    }
    if (method === 'POST' && path === '/_admin/referrals') {
      // An AWS referral: an engagement invitation from AWS, announced by "Engagement Invitation Created".
      let body: unknown;
      try {
        body = JSON.parse(text === '' ? '{}' : text);
      } catch {
        send(response, 400, { message: 'the body is not JSON' });
        return;
      }
      try {
        send(response, 201, invitations.createReferral(body));
      } catch (error) {
        if (error instanceof ReferralInputError) send(response, 400, { message: error.message });
        else throw error;
      }
      return;
    }
    if (method === 'POST' && path === '/_admin/engagement-invitations/expire') {
      // Expires every pending invitation past its ExpirationDate (by the stand-in's clock).
      send(response, 200, { expired: invitations.expireDue() });
      return;
    }
    const review = /^\/_admin\/opportunities\/([^/]+)\/review$/.exec(path);
    if (method === 'POST' && review !== null) {
      const { action, comments, reason, closedLostReason, catalog, expectedCustomerSpend } =
        parseObject(text);
      const spend = expectedSpendProblem(expectedCustomerSpend);
      if (spend !== undefined) {
        send(response, 400, { message: `expectedCustomerSpend: ${spend}` });
        return;
      }
      const moves = action !== undefined || expectedCustomerSpend === undefined;
      if (moves && (typeof action !== 'string' || !(reviewActions as readonly string[]).includes(action))) {
        send(response, 400, {
          message: `action: expected one of ${reviewActions.join(', ')} (it may be left out only when expectedCustomerSpend is given)`,
        });
        return;
      }
      try {
        const opportunity = catalogs.review(
          typeof catalog === 'string' ? catalog : 'Sandbox',
          decodeURIComponent(review[1] ?? ''),
          moves ? (action as ReviewAction) : undefined,
          {
            comments: typeof comments === 'string' ? comments : undefined,
            reason: typeof reason === 'string' ? reason : undefined,
            closedLostReason: typeof closedLostReason === 'string' ? closedLostReason : undefined,
            expectedCustomerSpend: expectedCustomerSpend as Record<string, unknown>[] | undefined,
          },
        );
        send(response, 200, opportunity);
      } catch (error) {
        if (error instanceof ReviewMoveError) send(response, 409, { message: error.message });
        else if (error instanceof PartnerCentralFault)
          send(response, error.status, { message: error.message });
        else throw error;
      }
      return;
    }
    send(response, 404, { message: `no admin route ${method} ${path}` });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  }).catch((error: unknown) => {
    throw new Error(
      `the Partner Central stand-in could not listen on port ${options.port ?? 0}: ${String(error)}`,
    );
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    catalogs,
    invitations,
    events,
    failedDeliveries,
    exchanges,
    requests,
    throttleNext(count, operation) {
      faults.push({ count, operation, fault: throttled });
    },
    failNext(count, operation) {
      faults.push({ count, operation, fault: serverError });
    },
    refuseNext(count, operation, message) {
      faults.push({
        count,
        operation,
        fault: () => validationFault(message, [], 'BUSINESS_VALIDATION_FAILED'),
      });
    },
    eventsDelivered: () => deliveries,
    snapshot: () => ({ catalogs: catalogs.snapshot(), invitations: invitations.snapshot() }),
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/**
 * What is wrong with an admin route's `expectedCustomerSpend`, if anything: it must be what
 * UpdateOpportunity takes as `Project.ExpectedCustomerSpend` ("UpdateOpportunity",
 * "ExpectedCustomerSpend" in the API reference): at least one entry, each an
 * ExpectedCustomerSpend of the model with `Amount` a decimal of at most two places.
 */
function expectedSpendProblem(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0)
    return 'expected a list of at least one ExpectedCustomerSpend';
  for (const [index, entry] of value.entries()) {
    const [problem] = shapeProblems('ExpectedCustomerSpend', entry);
    if (problem?.path === 'Amount') return `[${index}] Amount: expected a decimal string such as 10000.50`;
    if (problem !== undefined) return `[${index}] ${problem.path}: ${problem.message}`;
  }
  return undefined;
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text === '' ? '{}' : text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

function send(response: ServerResponse, status: number, body: unknown, awsJson = false): void {
  const headers: Record<string, string> = {
    'content-type': awsJson ? 'application/x-amz-json-1.0' : 'application/json',
    'x-amzn-requestid': crypto.randomUUID(),
  };
  if (awsJson && status >= 400 && typeof body === 'object' && body !== null) {
    const type = String((body as Record<string, unknown>).__type ?? '');
    headers['x-amzn-errortype'] = type.slice(type.indexOf('#') + 1);
  }
  response.writeHead(status, headers);
  response.end(body === undefined ? undefined : JSON.stringify(body));
}

async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBody) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
