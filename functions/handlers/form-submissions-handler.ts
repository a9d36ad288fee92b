import type { Logger } from '@aws-lambda-powertools/logger';
import { formSubmissionSchema, problemsFrom } from '#domain/form-submission.ts';
import { jsonResponse } from '#http/http-responses.ts';
import { hubspotWebhookEndpoint } from '#http/hubspot-webhook-endpoint.ts';
import { MalformedRequestError } from '#http/request-errors.ts';
import { type ReceiveSubmissionDependencies, receiveSubmission } from '#use-cases/receive-submission.ts';

/** A form submission is a few kilobytes; anything near this is not one. */
const maxSubmissionBytes = 64 * 1024;

interface FormSubmissionsHandlerDependencies extends ReceiveSubmissionDependencies {
  /**
   * The clock a request's signature timestamp is checked against; default `now`. HubSpot stamps a
   * request with the real time it sends it, so a stack whose `now` is virtual passes the system clock.
   */
  readonly requestClock?: (() => Date) | undefined;
  readonly clientSecret: () => Promise<string>;
  readonly logger: Logger;
}

/**
 * `POST /hubspot/form-submissions`: the target of the HubSpot workflow webhook. Answers 202 for a
 * new submission (valid or rejected with reasons), 200 with the same registration id for a
 * submission already received, 4xx naming what is wrong with a request that is not one.
 */
export function createFormSubmissionsHandler(deps: FormSubmissionsHandlerDependencies) {
  return hubspotWebhookEndpoint({
    clientSecret: deps.clientSecret,
    maxBodyBytes: maxSubmissionBytes,
    now: deps.requestClock ?? deps.now,
    logger: deps.logger,
  }).handler(async (event) => {
    const parsed = formSubmissionSchema.safeParse(event.parsedBody);
    if (!parsed.success) {
      throw new MalformedRequestError('the body is not a HubSpot form submission', {
        problems: problemsFrom(parsed.error),
      });
    }
    const result = await receiveSubmission(deps, parsed.data, 'webhook');
    deps.logger.info('form submission received', { ...result, conversionId: parsed.data.conversionId });
    return jsonResponse(result.outcome === 'duplicate' ? 200 : 202, result);
  });
}
