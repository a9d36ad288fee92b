import { isUtf8 } from 'node:buffer';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { verifyHubSpotRequest } from './hubspot-signature.ts';
import {
  MalformedRequestError,
  PayloadTooLargeError,
  SignatureRejectedError,
  UnsupportedContentTypeError,
} from './request-errors.ts';

/** An API Gateway event whose body has been authenticated and parsed by `hubspotWebhookRequest`. */
export type HubSpotWebhookEvent = APIGatewayProxyEvent & {
  parsedBody?: unknown;
  /** The body as signed and sent (decoded from base64 where API Gateway encoded it). */
  rawBody?: string;
};

export interface HubSpotWebhookRequestOptions {
  /** The HubSpot app's client secret (read lazily, e.g. from Secrets Manager, and cached). */
  readonly clientSecret: () => Promise<string>;
  readonly maxBodyBytes: number;
  readonly now: () => Date;
}

/**
 * The URLs the caller may have used, rebuilt from the API Gateway event (scheme, host, stage path,
 * query), most likely first. A REST API hands the function its query string decoded, not as sent
 * ("Amazon API Gateway known issues": REST APIs URL-decode query string parameters), and decodes a
 * `+` to a space as it does `%20` (aws/aws-cdk#19827), and `?flag` to an empty value as it does
 * `?flag=`. HubSpot signs the URL as it sent it ("Validating requests from HubSpot"), so each of
 * those spellings is a URL the request may have been signed over: the signature decides which.
 * Repeated parameters are grouped by name in the event, so a query that interleaves them (`b=1&a=2&b=3`)
 * cannot be rebuilt; a webhook URL is a URL Dealreg gives out, without such a query.
 */
export function requestUrls(event: APIGatewayProxyEvent): string[] {
  const headers = event.headers ?? {};
  const scheme = headers['x-forwarded-proto'] ?? 'https';
  const host = event.requestContext?.domainName ?? headers.host ?? '';
  const path = event.requestContext?.path ?? event.path;
  const pairs = Object.entries(event.multiValueQueryStringParameters ?? {}).flatMap(([name, values]) =>
    (values ?? []).map((value) => [name, value] as const),
  );
  const base = `${scheme}://${host}${path}`;
  if (pairs.length === 0) return [base];
  const urls = new Set<string>();
  for (const space of ['%20', '+']) {
    for (const bareEmpty of [false, true]) {
      const encode = (text: string) => encodeURIComponent(text).replaceAll('%20', space);
      const query = pairs
        .map(([name, value]) =>
          bareEmpty && value === '' ? encode(name) : `${encode(name)}=${encode(value)}`,
        )
        .join('&');
      urls.add(`${base}?${query}`);
    }
  }
  return [...urls];
}

/**
 * The check of the first of `urls` whose signature holds, or, when none holds, the check of the
 * first (the URL the caller most likely used names why).
 */
export function verifiedOverAnyOf<Check extends { readonly valid: boolean }>(
  urls: readonly string[],
  verify: (url: string) => Check,
): Check {
  let first: Check | undefined;
  for (const url of urls) {
    const check = verify(url);
    if (check.valid) return check;
    first ??= check;
  }
  return first as Check;
}

/** The body exactly as sent (API Gateway base64-encodes binary bodies). */
export function rawBody(event: APIGatewayProxyEvent): Buffer {
  if (event.body === null || event.body === undefined) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}

/**
 * The body as text, refused with 400 when its bytes are not UTF-8 (JSON exchanged between systems
 * "MUST be encoded using UTF-8", RFC 8259 section 8.1), rather than decoded with replacement
 * characters into a different body.
 */
function utf8Text(body: Buffer): string {
  if (!isUtf8(body)) {
    throw new MalformedRequestError('the body is not valid UTF-8; send the JSON encoded as UTF-8', {
      problems: [{ path: '(body)', message: 'not valid UTF-8' }],
    });
  }
  return body.toString('utf8');
}

/**
 * Accepts only what HubSpot sent: a body within the size limit, signed with our client secret
 * (v3 within five minutes, or v2 where HubSpot sends no v3) over the bytes it sent, of type JSON,
 * UTF-8, that parses. Checks run cheapest-first and the body is
 * parsed only after it is authenticated. Expects lower-cased headers (`http-header-normalizer`).
 */
export function hubspotWebhookRequest(
  options: HubSpotWebhookRequestOptions,
): MiddlewareObj<HubSpotWebhookEvent, APIGatewayProxyResult> {
  return {
    before: async (request) => {
      const { event } = request;
      const headers = event.headers ?? {};
      const body = rawBody(event);
      if (body.byteLength > options.maxBodyBytes) {
        throw new PayloadTooLargeError(
          `the body is ${body.byteLength} bytes; this endpoint accepts at most ${options.maxBodyBytes} bytes`,
        );
      }
      // Signed over the bytes as sent, so a body that is not UTF-8 is judged for what it is below.
      const clientSecret = await options.clientSecret();
      const now = options.now();
      const check = verifiedOverAnyOf(requestUrls(event), (url) =>
        verifyHubSpotRequest({ method: event.httpMethod, url, body }, headers, clientSecret, now),
      );
      if (!check.valid) throw new SignatureRejectedError(`HubSpot signature rejected: ${check.reason}`);

      const contentType = (headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
      if (contentType !== 'application/json') {
        throw new UnsupportedContentTypeError(
          `the body must be application/json, not ${contentType === '' ? 'missing a Content-Type' : contentType}`,
        );
      }
      const bodyText = utf8Text(body);
      event.rawBody = bodyText;
      try {
        event.parsedBody = JSON.parse(bodyText) as unknown;
      } catch (error) {
        throw new MalformedRequestError(`the body is not valid JSON: ${(error as Error).message}`, {
          cause: error,
          problems: [{ path: '(body)', message: 'not valid JSON' }],
        });
      }
    },
  };
}
