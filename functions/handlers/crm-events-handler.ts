import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { parseCrmEventBatch } from '#domain/crm-events/hubspot-crm-event.ts';
import { errorResponses, jsonResponse } from '#http/http-responses.ts';
import { type HubSpotWebhookEvent, hubspotWebhookRequest } from '#http/hubspot-webhook-request.ts';
import { MalformedRequestError } from '#http/request-errors.ts';
import { type RecordCrmEventsDependencies, recordCrmEvents } from '#use-cases/record-crm-events.ts';

/** 100 events of a few hundred bytes each; a body far beyond that is not a HubSpot batch. */
export const maxCrmEventBatchBytes = 256 * 1024;

export interface CrmEventsHandlerDependencies extends RecordCrmEventsDependencies {
  readonly clientSecret: () => Promise<string>;
  readonly logger: Logger;
}

/**
 * `POST /hubspot/crm-events`: the target of the HubSpot app's Webhooks API subscriptions (deal
 * creation, stage, amount and close-date changes, deal↔company association changes). Answers 200
 * with what was recorded once the batch is in the ledger; 400/401/413/415 naming what is wrong
 * with a request that is not a signed batch; 500 (HubSpot retries) when the ledger or HubSpot
 * could not be reached.
 */
export function createCrmEventsHandler(deps: CrmEventsHandlerDependencies) {
  return middy<HubSpotWebhookEvent, APIGatewayProxyResult>()
    .use(injectLambdaContext(deps.logger))
    .use(httpHeaderNormalizer())
    .use(errorResponses(deps.logger))
    .use(
      hubspotWebhookRequest({
        clientSecret: deps.clientSecret,
        maxBodyBytes: maxCrmEventBatchBytes,
        now: deps.now,
      }),
    )
    .handler(async (event) => {
      const parsed = parseCrmEventBatch(event.parsedBody);
      if (!parsed.success) {
        throw new MalformedRequestError('the body is not a batch of HubSpot webhook events', {
          problems: parsed.problems,
        });
      }
      const outcome = await recordCrmEvents(deps, parsed.events);
      if (outcome.skipped.length > 0) {
        deps.logger.warn('CRM events not recorded', { skipped: outcome.skipped });
      }
      deps.logger.info('CRM events received', { ...outcome, skipped: outcome.skipped.length });
      return jsonResponse(200, outcome);
    });
}
