import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { RequestError } from './request-errors.ts';

/** A JSON response with the headers every Dealreg API answer carries. */
export function jsonResponse(statusCode: number, body: unknown): APIGatewayProxyResult {
  return {
    statusCode,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
    body: JSON.stringify(body),
  };
}

interface ErrorLogger {
  error(message: string, ...extra: unknown[]): void;
}

/**
 * The one place errors become HTTP responses: a `RequestError` answers its own status with a
 * JSON body naming the problem; anything else is logged and answers 500 without details, so the
 * sender (HubSpot) retries.
 */
export function errorResponses(logger: ErrorLogger): MiddlewareObj<unknown, APIGatewayProxyResult> {
  return {
    onError: async (request) => {
      const { error } = request;
      if (error instanceof RequestError) {
        request.response = jsonResponse(error.statusCode, {
          error: error.code,
          message: error.message,
          problems: error.problems.length > 0 ? error.problems : undefined,
        });
        return;
      }
      logger.error('request failed', { error });
      request.response = jsonResponse(500, {
        error: 'internal_error',
        message: 'Dealreg could not process the request; it is safe to send it again',
      });
    },
  };
}
