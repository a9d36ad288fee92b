import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { renderProblemPage } from '#domain/approvals/approval-page.ts';
import {
  ExtensionAlreadyRequestedError,
  ExtensionHandoverError,
  ExtensionLinkRejectedError,
  ExtensionOfferExpiredError,
  ExtensionOfferNotFoundError,
  InvalidExtensionRequestError,
} from '#domain/extension-requests/errors.ts';
import {
  renderAlreadyRequestedPage,
  renderExtensionRequestedPage,
  renderExtensionRequestPage,
  renderOfferExpiredPage,
} from '#domain/extension-requests/extension-page.ts';
import {
  type ExtensionRequestDependencies,
  requestExtension,
  viewExtensionOffer,
} from '#use-cases/request-extension.ts';
import { htmlPage } from './approvals-handler.ts';

/** A request form is a token, a nonce and one short text. */
export const maxExtensionRequestBytes = 16 * 1024;

export interface ExtensionRequestsHandlerDependencies extends ExtensionRequestDependencies {
  readonly logger: Logger;
  /** IANA time zone dates are shown in (the business calendar's). */
  readonly timeZone: string;
}

/** A request the page refuses before reaching the use cases (405, 413, 415). */
class ExtensionPageRequestError extends Error {
  readonly statusCode: number;
  readonly title: string;

  constructor(statusCode: number, title: string, message: string) {
    super(message);
    this.name = 'ExtensionPageRequestError';
    this.statusCode = statusCode;
    this.title = title;
  }
}

const linkRefusals: Record<ExtensionLinkRejectedError['rejection'], string> = {
  malformed: 'This extension link is incomplete or damaged',
  forged: 'This extension link is not valid',
  'wrong-registration': 'This extension link belongs to another registration',
  'wrong-partner': 'This extension link was issued to someone else',
  'not-from-page': 'Please request the extension from its page',
};

function capitalised(message: string): string {
  return `${message[0]?.toUpperCase() ?? ''}${message.slice(1)}`;
}

function accessOf(event: APIGatewayProxyEvent): { userAgent: string; sourceIp: string } {
  return {
    userAgent: event.requestContext.identity.userAgent ?? event.headers['user-agent'] ?? 'unknown',
    sourceIp: event.requestContext.identity.sourceIp,
  };
}

/** The one place extension request errors become status codes and pages. */
function extensionErrorPages(
  logger: Logger,
  timeZone: string,
): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  return {
    onError: async (request) => {
      const { error, event } = request;
      const where = {
        registrationId: event.pathParameters?.registrationId,
        method: event.httpMethod,
        ...accessOf(event),
      };
      if (error instanceof ExtensionLinkRejectedError) {
        logger.warn('extension link refused', {
          ...where,
          rejection: error.rejection,
          reason: error.message,
        });
        request.response = htmlPage(
          403,
          renderProblemPage(
            linkRefusals[error.rejection],
            `${capitalised(error.message)}. Nothing was changed. Use the link in the most recent email Dealreg sent you.`,
          ),
        );
      } else if (error instanceof ExtensionAlreadyRequestedError) {
        logger.info('second extension request refused', { ...where, requestedAt: error.requestedAt });
        request.response = htmlPage(409, renderAlreadyRequestedPage(error, timeZone));
      } else if (error instanceof ExtensionOfferExpiredError) {
        logger.info('expired extension offer used', { ...where, expiredAt: error.expiredAt });
        request.response = htmlPage(410, renderOfferExpiredPage(error.expiredAt, timeZone));
      } else if (error instanceof InvalidExtensionRequestError) {
        request.response = htmlPage(
          400,
          renderProblemPage(
            'Your request is incomplete',
            'Nothing was recorded. Go back, complete the form and press the button again.',
            error.problems.map((problem) => `${problem.field} ${problem.message}`),
          ),
        );
      } else if (error instanceof ExtensionOfferNotFoundError) {
        request.response = htmlPage(
          404,
          renderProblemPage('No extension on offer', `${capitalised(error.message)}.`),
        );
      } else if (error instanceof ExtensionPageRequestError) {
        request.response = htmlPage(error.statusCode, renderProblemPage(error.title, error.message));
      } else if (error instanceof ExtensionHandoverError) {
        logger.error('extension request recorded but not handed over', { ...where, error });
        request.response = htmlPage(
          503,
          renderProblemPage(
            'Your request is recorded',
            'Your extension request is recorded, but it could not be passed to the approvers yet. It will be retried; opening the link from your email again retries it now.',
          ),
        );
      } else {
        logger.error('extension request failed', { ...where, error });
        request.response = htmlPage(
          500,
          renderProblemPage(
            'Something went wrong',
            'Dealreg could not process the request. Please try again.',
          ),
        );
      }
    },
  };
}

function formFields(event: APIGatewayProxyEvent): URLSearchParams {
  const contentType = (event.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (contentType !== 'application/x-www-form-urlencoded') {
    throw new ExtensionPageRequestError(
      415,
      'Unsupported form',
      'Extension requests are sent by the form on the extension page.',
    );
  }
  const raw = event.body ?? '';
  const body = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (body.byteLength > maxExtensionRequestBytes) {
    throw new ExtensionPageRequestError(
      413,
      'Too long',
      `An extension request may be at most ${maxExtensionRequestBytes} bytes.`,
    );
  }
  return new URLSearchParams(body.toString('utf8'));
}

/**
 * `GET /registrations/{registrationId}/extension?t=…` renders the confirmation page and changes
 * nothing; `POST` (form-encoded from that page: token, nonce, reason) records the one extension
 * request and resumes the waiting workflow. Errors become pages with their status: 403 link or
 * page refused, 404 no offer, 409 already requested, 410 offer expired, 400 no reason, 413, 415,
 * 405, 503 recorded but not yet handed over.
 */
export function createExtensionRequestsHandler(deps: ExtensionRequestsHandlerDependencies) {
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(injectLambdaContext(deps.logger))
    .use(httpHeaderNormalizer())
    .use(extensionErrorPages(deps.logger, deps.timeZone))
    .handler(async (event) => {
      const registrationId = event.pathParameters?.registrationId;
      if (registrationId === undefined || registrationId === '') {
        throw new ExtensionOfferNotFoundError('(none)', 'the link names no registration');
      }
      const access = accessOf(event);
      if (event.httpMethod === 'GET') {
        const view = await viewExtensionOffer(deps, {
          registrationId,
          token: event.queryStringParameters?.t,
          access,
        });
        return view.state === 'open'
          ? htmlPage(
              200,
              renderExtensionRequestPage(view.registration, view.token, view.nonce, deps.timeZone),
            )
          : htmlPage(
              200,
              renderExtensionRequestedPage(view.registration, view.request, false, deps.timeZone),
            );
      }
      if (event.httpMethod === 'POST') {
        const form = formFields(event);
        const result = await requestExtension(deps, {
          registrationId,
          token: form.get('t') ?? undefined,
          nonce: form.get('nonce') ?? undefined,
          fields: form.has('reason') ? { reason: form.get('reason') ?? '' } : {},
          access,
        });
        return htmlPage(
          200,
          renderExtensionRequestedPage(result.registration, result.request, true, deps.timeZone),
        );
      }
      throw new ExtensionPageRequestError(
        405,
        'Not allowed',
        'Extension links are opened (GET) and requested from their page (POST).',
      );
    });
}
