import type { RequestProblem } from '#domain/form-submission.ts';

/**
 * Errors that mean "the request itself is unacceptable". Each carries the HTTP status it maps
 * to and a stable machine-readable code; `http-responses.ts` turns them into responses in one
 * place.
 */
export abstract class RequestError extends Error {
  abstract readonly statusCode: 400 | 401 | 403 | 404 | 405 | 409 | 410 | 413 | 415;
  abstract readonly code: string;
  readonly problems: readonly RequestProblem[];

  constructor(message: string, options: { cause?: unknown; problems?: readonly RequestProblem[] } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.problems = options.problems ?? [];
  }
}

/** The request is not signed by HubSpot with our client secret, or not recently. */
export class SignatureRejectedError extends RequestError {
  readonly statusCode = 401;
  readonly code = 'signature_rejected';
}

/** The body is larger than the endpoint accepts. */
export class PayloadTooLargeError extends RequestError {
  readonly statusCode = 413;
  readonly code = 'payload_too_large';
}

/** The body is not `application/json`. */
export class UnsupportedContentTypeError extends RequestError {
  readonly statusCode = 415;
  readonly code = 'unsupported_content_type';
}

/** The body is not valid JSON or not the expected shape; `problems` names each field. */
export class MalformedRequestError extends RequestError {
  readonly statusCode = 400;
  readonly code = 'malformed_request';
}
