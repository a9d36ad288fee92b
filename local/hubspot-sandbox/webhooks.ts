import { createHash, createHmac, randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { contactWorkflowBody } from './form-contacts.ts';
import type { FormSubmission } from './form-store.ts';
import type { CrmChange, CrmRecord, Portal } from './portal.ts';

/**
 * The URI as HubSpot signs it with v3 ("Validating requests from HubSpot", HubSpot developer
 * documentation): the receiver is told to decode %3A, %2F, %3F, %40, %21, %24, %27, %28, %29, %2A,
 * %2C and %3B in the URI it was called at before hashing, so that is the URI HubSpot hashes; every
 * other percent-encoding stays as it is.
 */
function v3SignedUri(uri: string): string {
  return uri.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (encoded) =>
    String.fromCharCode(Number.parseInt(encoded.slice(1), 16)),
  );
}

/** HubSpot signature v3: base64 HMAC-SHA256(secret, method + uri (decoded as above) + body + timestamp). */
export function signatureV3(
  clientSecret: string,
  method: string,
  uri: string,
  body: string,
  timestamp: number,
): string {
  return createHmac('sha256', clientSecret)
    .update(`${method}${v3SignedUri(uri)}${body}${timestamp}`)
    .digest('base64');
}

/**
 * HubSpot signature v1: hex SHA-256 of client secret + body, sent in `X-HubSpot-Signature` with
 * `X-HubSpot-Signature-Version: v1` on Webhooks API requests ("Validating requests from HubSpot":
 * requests for CRM object event subscriptions are sent with the version set to v1).
 */
function signatureV1(clientSecret: string, body: string): string {
  return createHash('sha256').update(`${clientSecret}${body}`).digest('hex');
}

/**
 * HubSpot signature v2: hex SHA-256 of client secret + method + URI + body, sent in
 * `X-HubSpot-Signature` with `X-HubSpot-Signature-Version: v2` by workflow webhook actions
 * ("Validating requests from HubSpot", HubSpot developer documentation).
 */
export function signatureV2(clientSecret: string, method: string, uri: string, body: string): string {
  return createHash('sha256').update(`${clientSecret}${method}${uri}${body}`).digest('hex');
}

export interface WebhookTarget {
  url: string;
  clientSecret: string;
}

/**
 * What the workflow webhook sends. `contact`: the enrolled contact's properties, as HubSpot's
 * contact-based workflow does. `form-submission`: the Forms API submission itself, which HubSpot
 * never sends — the shape Dealreg's own tools post, for tests of that path.
 */
export type WorkflowBody = 'contact' | 'form-submission';

/**
 * How the workflow webhook is signed. `v3`: `X-HubSpot-Signature-v3` and
 * `X-HubSpot-Request-Timestamp`, with the older v2 signature beside them for backward
 * compatibility, as HubSpot sends them ("Validating requests from HubSpot"). `v2`: the v2
 * signature alone, as from a sender that has no v3.
 */
export type WorkflowSignature = 'v3' | 'v2';

export interface WorkflowWebhookTarget extends WebhookTarget {
  dropRate: number;
  /** @default 'contact' */
  body?: WorkflowBody | undefined;
  /** @default 'v3' */
  signature?: WorkflowSignature | undefined;
}

/** Delivery retry policy: HubSpot retries over hours or days; locally fewer and faster. */
export interface RetryPolicy {
  /** Total attempts, the first included. */
  maxAttempts: number;
  /** Delay before retry n (1-based), the last entry repeating. */
  delaysMs: number[];
  /** Per-attempt response timeout. */
  timeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 4, delaysMs: [100, 500, 2000], timeoutMs: 10_000 };

export interface WebhookSettings {
  workflow: WorkflowWebhookTarget | undefined;
  crm: WebhookTarget | undefined;
  retry: RetryPolicy;
  /** Deal properties whose changes are reported (`deal.propertyChange`). */
  subscribedProperties: Set<string>;
  /** Probability that a workflow webhook is delivered twice (as after a timed-out attempt). */
  workflowDuplicateRate: number;
  /** Probability that a CRM event is delivered twice (HubSpot may duplicate). */
  crmDuplicateRate: number;
  /** Shuffle the events of each batch (HubSpot does not order them). */
  crmShuffle: boolean;
  /** Largest CRM event batch. */
  crmBatchSize: number;
  /** How long CRM events gather before a batch is sent. */
  crmBatchDelayMs: number;
}

export interface WebhookStats {
  workflowDelivered: number;
  workflowDropped: number;
  workflowFailed: number;
  workflowAttempts: number;
  crmBatchesDelivered: number;
  crmEventsDelivered: number;
  crmBatchesFailed: number;
  crmAttempts: number;
}

export const DEFAULT_SUBSCRIBED_PROPERTIES = [
  'dealstage',
  'amount',
  'closedate',
  'pipeline',
  'hubspot_owner_id',
  'dealname',
  'deal_currency_code',
  'hs_is_closed_won',
];

const APP_ID = 4_200_001;
const SUBSCRIPTION_IDS = {
  creation: 3_100_001,
  propertyChange: 3_100_002,
  deletion: 3_100_003,
  associationChange: 3_100_004,
};

/**
 * Sends what a HubSpot portal sends: a contact-based workflow's "Send a webhook" action for each
 * form submission (the contact's properties; "Use webhooks with HubSpot workflows", HubSpot
 * Knowledge Base), and Webhooks API event batches for deal changes, both signed and retried as
 * HubSpot retries each (429, 5xx and connection failures; a batch also after other 4xx answers).
 */
export class WebhookDispatcher {
  readonly settings: WebhookSettings;
  readonly stats: WebhookStats = {
    workflowDelivered: 0,
    workflowDropped: 0,
    workflowFailed: 0,
    workflowAttempts: 0,
    crmBatchesDelivered: 0,
    crmEventsDelivered: 0,
    crmBatchesFailed: 0,
    crmAttempts: 0,
  };
  private readonly portal: Portal;
  private readonly pending = new Set<Promise<void>>();
  private queue: Record<string, unknown>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly abort = new AbortController();
  private readonly random: () => number;

  constructor(portal: Portal, settings: WebhookSettings, random: () => number = Math.random) {
    this.portal = portal;
    this.settings = settings;
    this.random = random;
    portal.onChange((change) => this.onChange(change));
  }

  /**
   * Sends the workflow webhook for a submission (unless dropped); does not wait for delivery. The
   * workflow is contact-based and enrols the submitter's contact, so a submission that made no
   * contact (no email) enrols nothing and sends nothing, unless the body is `form-submission`.
   */
  formSubmitted(formGuid: string, submission: FormSubmission, contact: CrmRecord | undefined): void {
    const target = this.settings.workflow;
    if (target === undefined || this.stopped) return;
    const asSubmission = target.body === 'form-submission';
    if (!asSubmission && contact === undefined) return;
    if (this.random() < target.dropRate) {
      this.stats.workflowDropped++;
      return;
    }
    const body = JSON.stringify(
      asSubmission || contact === undefined
        ? {
            conversionId: submission.conversionId,
            submittedAt: submission.submittedAt,
            formGuid,
            portalId: this.portal.portalId,
            values: submission.values,
            pageUrl: submission.pageUrl,
          }
        : contactWorkflowBody(this.portal, contact, formGuid, submission),
    );
    const signature = target.signature ?? 'v3';
    const copies = this.random() < this.settings.workflowDuplicateRate ? 2 : 1;
    for (let copy = 0; copy < copies; copy++) {
      this.track(
        this.deliver(
          target,
          body,
          () => this.stats.workflowAttempts++,
          () => {},
          signature,
          workflowFinalStatus,
        ).then((ok) => {
          if (ok) this.stats.workflowDelivered++;
          else this.stats.workflowFailed++;
        }),
      );
    }
  }

  private onChange(change: CrmChange): void {
    if (this.settings.crm === undefined || this.stopped) return;
    const event = this.toEvent(change);
    if (event === undefined) return;
    this.queue.push(event);
    if (this.random() < this.settings.crmDuplicateRate) this.queue.push({ ...event });
    if (this.queue.length >= this.settings.crmBatchSize) this.flushQueue();
    else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flushQueue(), this.settings.crmBatchDelayMs);
    }
  }

  /** HubSpot's Webhooks API event for a deal change; undefined for changes nobody subscribed to. */
  private toEvent(change: CrmChange): Record<string, unknown> | undefined {
    const base = {
      eventId: randomInt(1, 2 ** 31 - 1),
      portalId: this.portal.portalId,
      appId: APP_ID,
      occurredAt: change.occurredAt,
      attemptNumber: 0,
      changeSource: 'INTEGRATION',
      sourceId: String(APP_ID),
    };
    switch (change.kind) {
      case 'creation':
      case 'deletion':
        if (change.typeId !== '0-3') return undefined;
        return {
          ...base,
          subscriptionId: SUBSCRIPTION_IDS[change.kind],
          subscriptionType: `deal.${change.kind}`,
          objectId: Number(change.objectId),
          ...(change.kind === 'creation' ? { changeFlag: 'CREATED' } : { changeFlag: 'DELETED' }),
        };
      case 'propertyChange':
        if (change.typeId !== '0-3' || !this.settings.subscribedProperties.has(change.propertyName))
          return undefined;
        return {
          ...base,
          subscriptionId: SUBSCRIPTION_IDS.propertyChange,
          subscriptionType: 'deal.propertyChange',
          objectId: Number(change.objectId),
          propertyName: change.propertyName,
          propertyValue: change.propertyValue,
        };
      case 'associationChange': {
        // Deal↔company changes are reported once, from the deal's side, whichever side made them.
        const fromDeal = change.fromTypeId === '0-3' && change.toTypeId === '0-2';
        const fromCompany = change.fromTypeId === '0-2' && change.toTypeId === '0-3';
        if (!fromDeal && !fromCompany) return undefined;
        const stated = this.portal.associations.types.get(change.associationTypeId);
        const typeId = fromDeal
          ? change.associationTypeId
          : (stated?.inverseTypeId ?? change.associationTypeId);
        const type = this.portal.associations.types.get(typeId);
        const dealId = fromDeal ? change.fromObjectId : change.toObjectId;
        const companyId = fromDeal ? change.toObjectId : change.fromObjectId;
        // "Webhooks API" (association change payloads) and the changelog "New subscription types
        // for Webhooks": associationType, fromObjectId, toObjectId, associationRemoved and
        // isPrimaryAssociation — no objectId, no association type id, no label. A relabel is a
        // removal of the old type and an addition of the new, each an event of its own.
        return {
          ...base,
          subscriptionId: SUBSCRIPTION_IDS.associationChange,
          subscriptionType: 'deal.associationChange',
          associationType: 'DEAL_TO_COMPANY',
          fromObjectId: Number(dealId),
          toObjectId: Number(companyId),
          associationRemoved: change.removed,
          isPrimaryAssociation: type?.label === 'Primary',
        };
      }
    }
  }

  private flushQueue(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const target = this.settings.crm;
    while (this.queue.length > 0 && target !== undefined) {
      const batch = this.queue.splice(0, this.settings.crmBatchSize);
      if (this.settings.crmShuffle) shuffle(batch, this.random);
      this.track(this.deliverCrmBatch(target, batch));
    }
  }

  private async deliverCrmBatch(target: WebhookTarget, batch: Record<string, unknown>[]): Promise<void> {
    let attemptNumber = 0;
    const ok = await this.deliver(
      target,
      () => JSON.stringify(batch.map((event) => ({ ...event, attemptNumber }))),
      () => {
        this.stats.crmAttempts++;
      },
      () => {
        attemptNumber++;
      },
      undefined,
      crmFinalStatus,
    );
    if (ok) {
      this.stats.crmBatchesDelivered++;
      this.stats.crmEventsDelivered += batch.length;
    } else this.stats.crmBatchesFailed++;
  }

  /**
   * POSTs a signed body, retrying connection failures, 429 and every status `finalStatus` does not
   * name; true when a 2xx came back. `workflowSignature` signs as a workflow action does (v3 with
   * v2 beside it, or v2 alone); without it, as the Webhooks API signs its batches (v1 and v3).
   */
  private async deliver(
    target: WebhookTarget,
    body: string | (() => string),
    onAttempt: () => void,
    onRetry: () => void,
    workflowSignature: WorkflowSignature | undefined,
    finalStatus: (status: number) => boolean,
  ): Promise<boolean> {
    const { retry } = this.settings;
    for (let attempt = 1; attempt <= retry.maxAttempts; attempt++) {
      if (this.stopped) return false;
      onAttempt();
      const text = typeof body === 'string' ? body : body();
      // "Validating requests from HubSpot": X-HubSpot-Request-Timestamp is when HubSpot sent the
      // request, and receivers refuse one older than five minutes. It is the real time of the
      // sending, also when the sandbox's record times follow a virtual clock.
      const timestamp = Date.now();
      let retryAfterMs: number | undefined;
      try {
        const response = await fetch(target.url, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            'User-Agent': 'HubSpot Connect 2.0 (http://dev.hubspot.com/) - Dealreg local sandbox',
            ...(workflowSignature === undefined
              ? {
                  'X-HubSpot-Signature': signatureV1(target.clientSecret, text),
                  'X-HubSpot-Signature-Version': 'v1',
                }
              : {
                  'X-HubSpot-Signature': signatureV2(target.clientSecret, 'POST', target.url, text),
                  'X-HubSpot-Signature-Version': 'v2',
                }),
            ...(workflowSignature === 'v2'
              ? {}
              : {
                  'X-HubSpot-Signature-v3': signatureV3(
                    target.clientSecret,
                    'POST',
                    target.url,
                    text,
                    timestamp,
                  ),
                  'X-HubSpot-Request-Timestamp': String(timestamp),
                }),
          },
          body: text,
          signal: AbortSignal.any([AbortSignal.timeout(retry.timeoutMs), this.abort.signal]),
        });
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) return true;
        if (response.status === 429) {
          const header = Number(response.headers.get('retry-after'));
          retryAfterMs = Number.isFinite(header) && header > 0 ? header * 1000 : undefined;
        } else if (finalStatus(response.status)) {
          return false;
        }
      } catch {
        // connection refused, reset or timed out: retried like a 5xx
      }
      if (attempt < retry.maxAttempts) {
        onRetry();
        const delay = retryAfterMs ?? retry.delaysMs[Math.min(attempt - 1, retry.delaysMs.length - 1)] ?? 0;
        await sleep(delay, undefined, { signal: this.abort.signal }).catch(() => undefined);
      }
    }
    return false;
  }

  private track(promise: Promise<void>): void {
    this.pending.add(promise);
    void promise.finally(() => this.pending.delete(promise));
  }

  /** Sends queued CRM events now and waits until every delivery in flight has finished. */
  async flush(): Promise<void> {
    this.flushQueue();
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Stops sending; deliveries in flight give up at their next attempt. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.queue = [];
    await Promise.allSettled([...this.pending]);
  }
}

/**
 * "Webhooks in workflows" (HubSpot developer documentation): a workflow's webhook action is not
 * retried after a 4xx answer, except 429; 5xx and connection failures are.
 */
function workflowFinalStatus(status: number): boolean {
  return status >= 400 && status < 500;
}

/**
 * "Webhooks API" (HubSpot developer documentation, Retries): a batch is retried after a failed
 * connection, a timeout or any status that is not one of 400, 401, 403, 404 and 405.
 */
function crmFinalStatus(status: number): boolean {
  return [400, 401, 403, 404, 405].includes(status);
}

function shuffle<T>(items: T[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const swap = items[i] as T;
    items[i] = items[j] as T;
    items[j] = swap;
  }
}
