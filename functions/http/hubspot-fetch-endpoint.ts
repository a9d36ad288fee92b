import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { errorResponses } from './http-responses.ts';
import { verifyHubSpotSignatureV3 } from './hubspot-signature.ts';
import { rawBody, requestUrls, verifiedOverAnyOf } from './hubspot-webhook-request.ts';
import { SignatureRejectedError } from './request-errors.ts';

export interface HubSpotFetchRequestOptions {
  /** The HubSpot app's client secret (read lazily, e.g. from Secrets Manager, and cached). */
  readonly clientSecret: () => Promise<string>;
  readonly now: () => Date;
}

/**
 * Accepts only requests an app card sent through `hubspot.fetch`: HubSpot's proxy signs each one
 * with the app's client secret, `X-HubSpot-Signature-v3` over method, full URL (the query
 * parameters it adds, such as `portalId` and `userId`, included), body and
 * `X-HubSpot-Request-Timestamp` ("Fetching data" and "Validating requests from HubSpot", HubSpot
 * developer documentation). Only v3 is accepted: it is the version bound to a time, so a
 * captured request cannot be replayed after five minutes. Expects lower-cased headers.
 */
export function hubspotFetchRequest(
  options: HubSpotFetchRequestOptions,
): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  return {
    before: async ({ event }) => {
      const headers = event.headers ?? {};
      const clientSecret = await options.clientSecret();
      const now = options.now();
      const body = rawBody(event);
      const check = verifiedOverAnyOf(requestUrls(event), (url) =>
        verifyHubSpotSignatureV3(
          { method: event.httpMethod, url, body, timestamp: headers['x-hubspot-request-timestamp'] },
          headers['x-hubspot-signature-v3'],
          clientSecret,
          now,
        ),
      );
      if (!check.valid) throw new SignatureRejectedError(`HubSpot signature rejected: ${check.reason}`);
    },
  };
}

/**
 * The middy pipeline of an endpoint app cards call with `hubspot.fetch`: Lambda context in the
 * logs, lower-cased headers, errors mapped to responses in one place, and only requests HubSpot
 * signed for the app let through.
 */
export function hubspotFetchEndpoint(options: HubSpotFetchRequestOptions & { readonly logger: Logger }) {
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(injectLambdaContext(options.logger))
    .use(httpHeaderNormalizer())
    .use(errorResponses(options.logger))
    .use(hubspotFetchRequest(options));
}
