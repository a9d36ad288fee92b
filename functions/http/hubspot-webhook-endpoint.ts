import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { errorResponses } from './http-responses.ts';
import {
  type HubSpotWebhookEvent,
  type HubSpotWebhookRequestOptions,
  hubspotWebhookRequest,
} from './hubspot-webhook-request.ts';

/**
 * The middy pipeline every endpoint HubSpot calls shares: Lambda context in the logs, lower-cased
 * headers, errors mapped to responses in one place, and only signed, size-checked JSON let
 * through to the handler (`event.parsedBody`).
 */
export function hubspotWebhookEndpoint(options: HubSpotWebhookRequestOptions & { readonly logger: Logger }) {
  return middy<HubSpotWebhookEvent, APIGatewayProxyResult>()
    .use(injectLambdaContext(options.logger))
    .use(httpHeaderNormalizer())
    .use(errorResponses(options.logger))
    .use(hubspotWebhookRequest(options));
}
