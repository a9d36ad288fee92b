import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import {
  approvalPageCsp,
  renderAlreadyDecidedPage,
  renderDecidedPage,
  renderPendingPage,
  renderProblemPage,
  renderSupersededPage,
} from '#domain/approvals/approval-page.ts';
import {
  ApprovalAlreadyDecidedError,
  ApprovalLinkRejectedError,
  ApprovalNotFoundError,
  ApprovalSupersededError,
  DecisionHandoverError,
  InvalidDecisionError,
} from '#domain/approvals/errors.ts';
import { decideApproval } from '#use-cases/decide-approval.ts';
import { type ApprovalDependencies, viewApproval } from '#use-cases/view-approval.ts';

/** A decision form is a token, a nonce and at most two short texts. */
export const maxDecisionBytes = 16 * 1024;

export interface ApprovalsHandlerDependencies extends ApprovalDependencies {
  readonly logger: Logger;
}

/** An HTML page with the headers every approval page carries: no caching, no framing, no referrer. */
export function htmlPage(statusCode: number, body: string): APIGatewayProxyResult {
  return {
    statusCode,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': approvalPageCsp,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      // The link token is in the URL: never send it to another site.
      'referrer-policy': 'no-referrer',
    },
    body,
  };
}

/** A request the approval pages refuse before reaching the use cases (405, 413, 415). */
class ApprovalRequestError extends Error {
  readonly statusCode: number;
  readonly title: string;

  constructor(statusCode: number, title: string, message: string) {
    super(message);
    this.name = 'ApprovalRequestError';
    this.statusCode = statusCode;
    this.title = title;
  }
}

const linkRefusals: Record<ApprovalLinkRejectedError['rejection'], string> = {
  malformed: 'This approval link is incomplete or damaged',
  forged: 'This approval link is not valid',
  expired: 'This approval link has expired',
  'wrong-approval': 'This approval link belongs to another approval',
  'wrong-approver': 'This approval link was issued to another approver',
};

/** The one place approval errors become status codes and pages. */
function approvalErrorPages(logger: Logger): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  return {
    onError: async (request) => {
      const { error, event } = request;
      const where = {
        approvalId: event.pathParameters?.approvalId,
        method: event.httpMethod,
        ...accessOf(event),
      };
      if (error instanceof ApprovalLinkRejectedError) {
        logger.warn('approval link refused', { ...where, rejection: error.rejection, reason: error.message });
        request.response = htmlPage(
          403,
          renderProblemPage(
            linkRefusals[error.rejection],
            `${error.message[0]?.toUpperCase()}${error.message.slice(1)}. Nothing was changed. Use the most recent link Dealreg emailed you, or ask the RevOps team for a new one.`,
          ),
        );
      } else if (error instanceof ApprovalAlreadyDecidedError) {
        logger.info('second decision refused', { ...where, decidedBy: error.decision.decidedBy.email });
        request.response = htmlPage(409, renderAlreadyDecidedPage(error.decision, error.timeZone));
      } else if (error instanceof ApprovalSupersededError) {
        logger.info('superseded approval link used', { ...where, newApprover: error.newApprover.email });
        request.response = htmlPage(410, renderSupersededPage(error.newApprover, error.supersededAt));
      } else if (error instanceof InvalidDecisionError) {
        request.response = htmlPage(
          400,
          renderProblemPage(
            'Your decision is incomplete',
            'Nothing was recorded. Go back, complete the form and press the button again.',
            error.problems.map((problem) => `${problem.field} ${problem.message}`),
          ),
        );
      } else if (error instanceof ApprovalNotFoundError) {
        request.response = htmlPage(
          404,
          renderProblemPage('Approval not found', 'There is no such approval.'),
        );
      } else if (error instanceof ApprovalRequestError) {
        request.response = htmlPage(error.statusCode, renderProblemPage(error.title, error.message));
      } else if (error instanceof DecisionHandoverError) {
        logger.error('decision recorded but not handed over', { ...where, error });
        request.response = htmlPage(
          503,
          renderProblemPage(
            'Your decision is recorded',
            'Your decision is recorded, but the registration could not move on yet. It will be retried; reloading this link retries it now.',
          ),
        );
      } else {
        logger.error('approval request failed', { ...where, error });
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

function accessOf(event: APIGatewayProxyEvent): { userAgent: string; sourceIp: string } {
  return {
    userAgent: event.requestContext.identity.userAgent ?? event.headers['user-agent'] ?? 'unknown',
    sourceIp: event.requestContext.identity.sourceIp,
  };
}

function formFields(event: APIGatewayProxyEvent): URLSearchParams {
  const contentType = (event.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (contentType !== 'application/x-www-form-urlencoded') {
    throw new ApprovalRequestError(415, 'Unsupported form', 'Decisions are sent by the approval page form.');
  }
  const raw = event.body ?? '';
  const body = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (body.byteLength > maxDecisionBytes) {
    throw new ApprovalRequestError(413, 'Too long', `A decision may be at most ${maxDecisionBytes} bytes.`);
  }
  return new URLSearchParams(body.toString('utf8'));
}

/**
 * `GET /approvals/{approvalId}?t=…` renders the confirmation page and changes nothing;
 * `POST /approvals/{approvalId}` (form-encoded from that page) records the decision. Errors
 * become pages with their status: 403 link refused, 404, 409 already decided, 410 escalated,
 * 400 incomplete decision, 413, 415, 405.
 */
export function createApprovalsHandler(deps: ApprovalsHandlerDependencies) {
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(injectLambdaContext(deps.logger))
    .use(httpHeaderNormalizer())
    .use(approvalErrorPages(deps.logger))
    .handler(async (event) => {
      const approvalId = event.pathParameters?.approvalId;
      if (approvalId === undefined || approvalId === '') throw new ApprovalNotFoundError('(none)');
      const access = accessOf(event);
      if (event.httpMethod === 'GET') {
        const view = await viewApproval(deps, {
          approvalId,
          token: event.queryStringParameters?.t,
          access,
        });
        return view.state === 'pending'
          ? htmlPage(200, renderPendingPage(view.task, view.token, view.nonce, deps.now()))
          : htmlPage(200, renderDecidedPage(view.task, view.decision, false));
      }
      if (event.httpMethod === 'POST') {
        const form = formFields(event);
        const optional = (name: string) => form.get(name) ?? undefined;
        const task = await decideApproval(deps, {
          approvalId,
          token: optional('t'),
          nonce: optional('nonce'),
          fields: {
            ...(form.has('decision') ? { decision: form.get('decision') ?? '' } : {}),
            ...(form.has('reason') ? { reason: form.get('reason') ?? '' } : {}),
            ...(form.has('question') ? { question: form.get('question') ?? '' } : {}),
          },
          access,
        });
        if (task.decision === undefined) throw new Error(`approval ${approvalId} decided without a decision`);
        return htmlPage(200, renderDecidedPage(task, task.decision, true));
      }
      throw new ApprovalRequestError(
        405,
        'Not allowed',
        'Approval links are opened (GET) or decided (POST).',
      );
    });
}
