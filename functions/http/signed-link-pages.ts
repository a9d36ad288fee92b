import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { RequestAccess } from '#domain/signed-links/access.ts';
import {
  AlreadyDoneError,
  HandoverFailedError,
  InvalidFormError,
  LinkRefusedError,
  type LinkRejection,
  LinkSpentError,
  NotFoundError,
} from '#domain/signed-links/errors.ts';
import type { LinkPurpose } from '#domain/signed-links/link-token.ts';
import { maxTextLength } from '#domain/signed-links/page-form.ts';
import { pageHeaders, renderProblemPage } from '#pages/page-layout.ts';
import type { FormSubmission, LinkOpening } from '#use-cases/signed-link-pages.ts';

/**
 * The HTTP side every page an emailed link opens shares (`GET|POST /approvals/{approvalId}`,
 * `GET|POST /registrations/{registrationId}/extension`, `GET /registrations/{registrationId}/status`):
 * `GET` renders the page and changes
 * nothing (mail scanners fetch links), `POST` takes its form; errors become pages with their
 * status in one place. A handler declares its routes, its own error pages and its texts.
 */

/**
 * A page's form is a token, a nonce, a few short choices and at most two texts of
 * `maxTextLength` characters, which the browser sends percent-encoded as UTF-8: up to 9 bytes a
 * character (`%E8%B0%81` for one Chinese character; a line break, sent as CRLF, is 6).
 */
const maxFormBytes = 2 * maxTextLength * 9 + 4 * 1024;

/**
 * A form value with its line breaks as the text area held them: browsers send every line break
 * of a form as CRLF (HTML Standard, "Converting an entry list to a list of name-value pairs"),
 * while `maxlength` counted it as one character.
 */
function fieldValue(value: string | null): string | undefined {
  return value === null ? undefined : value.replace(/\r\n?/g, '\n');
}

/** An HTML page with the headers every page carries. */
function htmlPage(statusCode: number, body: string): APIGatewayProxyResult {
  return { statusCode, headers: { ...pageHeaders }, body };
}

/** A request refused before it reaches the use cases (405, 413, 415). */
class PageRequestError extends Error {
  readonly statusCode: number;
  readonly title: string;

  constructor(statusCode: number, title: string, message: string) {
    super(message);
    this.name = 'PageRequestError';
    this.statusCode = statusCode;
    this.title = title;
  }
}

/** What a kind of link page declares: its texts, its form, its routes and its own error pages. */
interface SignedLinkPages<Field extends string> {
  /** The path parameter that names what the link opens, e.g. `approvalId`. */
  readonly subjectParameter: string;
  /** The title of the 404 page. */
  readonly notFoundTitle: string;
  /** The fields of the page's form besides the token and the nonce. */
  readonly formFields: readonly Field[];
  /** `GET`: renders the page the link opens. */
  readonly view: (opening: LinkOpening) => Promise<string>;
  /** `POST`: acts on the page's form and renders the outcome; a read-only page has none (405). */
  readonly act?: (submission: FormSubmission<Record<Field, string | undefined>>) => Promise<string>;
  /** The pages of this flow's own 409 and 410 errors (who did it, and when; why it closed). */
  readonly errorPage: (error: LinkSpentError) => string | undefined;
}

function capitalised(message: string): string {
  return `${message[0]?.toUpperCase() ?? ''}${message.slice(1)}`;
}

function accessOf(event: APIGatewayProxyEvent): RequestAccess {
  return {
    userAgent: event.requestContext.identity.userAgent ?? event.headers['user-agent'] ?? 'unknown',
    sourceIp: event.requestContext.identity.sourceIp,
  };
}

function formOf(event: APIGatewayProxyEvent, purpose: LinkPurpose): URLSearchParams {
  const contentType = (event.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (contentType !== 'application/x-www-form-urlencoded') {
    throw new PageRequestError(
      415,
      'Unsupported form',
      `${capitalised(purpose.act)}s are sent by the form on the ${purpose.page}.`,
    );
  }
  const raw = event.body ?? '';
  const body = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (body.byteLength > maxFormBytes) {
    throw new PageRequestError(413, 'Too long', `The form may be at most ${maxFormBytes} bytes.`);
  }
  return new URLSearchParams(body.toString('utf8'));
}

function refusalTitle(purpose: LinkPurpose, rejection: LinkRejection): string {
  switch (rejection) {
    case 'malformed':
      return `This ${purpose.link} is incomplete or damaged`;
    case 'forged':
      return `This ${purpose.link} is not valid`;
    case 'expired':
      return `This ${purpose.link} has expired`;
    case 'not-from-page':
      return `Please send your ${purpose.act} from the ${purpose.page}`;
    case 'page-expired':
      return `This ${purpose.page} was open too long`;
    case `wrong-${purpose.subject}`:
      return `This ${purpose.link} belongs to another ${purpose.subject}`;
    default:
      return `This ${purpose.link} was issued to ${purpose.otherHolder}`;
  }
}

/** The one place errors of the pages become status codes and pages. */
function errorPages<Field extends string>(
  logger: Logger,
  purpose: LinkPurpose,
  pages: SignedLinkPages<Field>,
): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  const pageOf = (error: unknown, where: Record<string, unknown>): APIGatewayProxyResult => {
    if (error instanceof LinkRefusedError) {
      logger.warn(`${purpose.link} refused`, { ...where, rejection: error.rejection, reason: error.message });
      return htmlPage(
        403,
        renderProblemPage(
          refusalTitle(purpose, error.rejection),
          `${capitalised(error.message)}. Nothing was changed. Use the link in the most recent email Dealreg sent you.`,
        ),
      );
    }
    if (error instanceof LinkSpentError) {
      logger.info(`${purpose.link} used when it no longer acts`, { ...where, reason: error.message });
      return htmlPage(
        error instanceof AlreadyDoneError ? 409 : 410,
        pages.errorPage(error) ??
          renderProblemPage(`This ${purpose.link} can no longer be used`, `${capitalised(error.message)}.`),
      );
    }
    if (error instanceof InvalidFormError) {
      return htmlPage(
        400,
        renderProblemPage(
          `Your ${purpose.act} is incomplete`,
          'Nothing was recorded. Go back, complete the form and press the button again.',
          error.problems.map((problem) => `${problem.field} ${problem.message}`),
        ),
      );
    }
    if (error instanceof NotFoundError) {
      return htmlPage(404, renderProblemPage(pages.notFoundTitle, `${capitalised(error.message)}.`));
    }
    if (error instanceof PageRequestError) {
      return htmlPage(error.statusCode, renderProblemPage(error.title, error.message));
    }
    if (error instanceof HandoverFailedError) {
      logger.error(`${purpose.act} recorded but not handed over`, { ...where, error });
      return htmlPage(
        503,
        renderProblemPage(
          `Your ${purpose.act} is recorded`,
          `Your ${purpose.act} is recorded, but it could not be passed on yet. It will be retried; opening the link from your email again retries it now.`,
        ),
      );
    }
    logger.error(`${purpose.page} request failed`, { ...where, error });
    return htmlPage(
      500,
      renderProblemPage('Something went wrong', 'Dealreg could not process the request. Please try again.'),
    );
  };
  return {
    onError: async (request) => {
      const { error, event } = request;
      request.response = pageOf(error, {
        [pages.subjectParameter]: event.pathParameters?.[pages.subjectParameter],
        method: event.httpMethod,
        ...accessOf(event),
      });
    },
  };
}

/**
 * The handler of one kind of link page: Lambda context in the logs, lower-cased headers, errors
 * as pages, `GET` to `view`, form-encoded `POST` (at most `maxFormBytes`) to `act`, 405 otherwise.
 */
export function signedLinkPagesHandler<Field extends string>(
  logger: Logger,
  purpose: LinkPurpose,
  pages: SignedLinkPages<Field>,
) {
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(injectLambdaContext(logger))
    .use(httpHeaderNormalizer())
    .use(errorPages(logger, purpose, pages))
    .handler(async (event) => {
      const subject = event.pathParameters?.[pages.subjectParameter];
      if (subject === undefined || subject === '') {
        throw new NotFoundError(`the link names no ${purpose.subject}`);
      }
      const access = accessOf(event);
      if (event.httpMethod === 'GET') {
        return htmlPage(200, await pages.view({ subject, token: event.queryStringParameters?.t, access }));
      }
      if (event.httpMethod === 'POST' && pages.act !== undefined) {
        const form = formOf(event, purpose);
        const field = (name: string) => fieldValue(form.get(name));
        const fields = Object.fromEntries(pages.formFields.map((name) => [name, field(name)]));
        return htmlPage(
          200,
          await pages.act({
            subject,
            token: field('t'),
            nonce: field('nonce'),
            fields: fields as Record<Field, string | undefined>,
            access,
          }),
        );
      }
      throw new PageRequestError(
        405,
        'Not allowed',
        pages.act === undefined
          ? `${capitalised(purpose.link)}s are only opened (GET); the ${purpose.page} changes nothing.`
          : `${capitalised(purpose.link)}s are opened (GET) and their page's form is sent (POST).`,
      );
    });
}
