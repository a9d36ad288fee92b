import type { Logger } from '@aws-lambda-powertools/logger';
import { parseCrmEventBatch } from '#domain/crm-events/hubspot-crm-event.ts';
import { jsonResponse } from '#http/http-responses.ts';
import { hubspotWebhookEndpoint } from '#http/hubspot-webhook-endpoint.ts';
import { MalformedRequestError } from '#http/request-errors.ts';
import { type RecordCrmEventsDependencies, recordCrmEvents } from '#use-cases/record-crm-events.ts';

/** 100 events of a few hundred bytes each; a body far beyond that is not a HubSpot batch. */
const maxCrmEventBatchBytes = 256 * 1024;

interface CrmEventsHandlerDependencies extends RecordCrmEventsDependencies {
  /**
   * The clock a request's signature timestamp is checked against; default `now`. HubSpot stamps a
   * request with the real time it sends it, so a stack whose `now` is virtual passes the system clock.
   */
  readonly requestClock?: (() => Date) | undefined;
  readonly clientSecret: () => Promise<string>;
  readonly logger: Logger;
}

/**
 * `POST /hubspot/crm-events`: the target of the HubSpot app's Webhooks API subscriptions (deal
 * creation, stage, amount and close-date changes, deal↔company association changes, deal
 * merges). Answers 200 with what was recorded once the batch is in the ledger, naming any event
 * it could not read; 400/401/413/415 naming what is wrong with a request that is not a signed
 * batch; 500 (HubSpot retries) when the ledger or HubSpot could not be reached.
 */
export function createCrmEventsHandler(deps: CrmEventsHandlerDependencies) {
  return hubspotWebhookEndpoint({
    clientSecret: deps.clientSecret,
    maxBodyBytes: maxCrmEventBatchBytes,
    now: deps.requestClock ?? deps.now,
    logger: deps.logger,
  }).handler(async (event) => {
    const parsed = parseCrmEventBatch(event.parsedBody);
    if (!parsed.success) {
      throw new MalformedRequestError('the body is not a batch of HubSpot webhook events', {
        problems: parsed.problems,
      });
    }
    const recorded = await recordCrmEvents(deps, parsed.events);
    // An event Dealreg cannot read is answered for, never a reason to refuse its batch.
    const outcome = {
      ...recorded,
      received: parsed.received,
      unusable: parsed.unusable,
    };
    if (outcome.skipped.length > 0 || outcome.unusable.length > 0) {
      deps.logger.warn('CRM events not recorded', { skipped: outcome.skipped, unusable: outcome.unusable });
    }
    deps.logger.info('CRM events received', {
      ...outcome,
      skipped: outcome.skipped.length,
      unusable: outcome.unusable.length,
    });
    return jsonResponse(200, outcome);
  });
}
