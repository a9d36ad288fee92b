import type { Logger } from '@aws-lambda-powertools/logger';
import { formSubmissionSchema, problemsFrom } from '#domain/form-submission.ts';
import {
  isFormSubmissionBody,
  summariseWorkflowRecord,
  workflowRecordSchema,
} from '#domain/workflow-trigger.ts';
import { jsonResponse } from '#http/http-responses.ts';
import { hubspotWebhookEndpoint } from '#http/hubspot-webhook-endpoint.ts';
import { MalformedRequestError } from '#http/request-errors.ts';
import { type ReceiveSubmissionDependencies, receiveSubmission } from '#use-cases/receive-submission.ts';
import {
  type ReceiveWorkflowTriggerDependencies,
  receiveWorkflowTrigger,
} from '#use-cases/receive-workflow-trigger.ts';

/**
 * A contact with every property and its history is tens of kilobytes; this leaves room for
 * large portals and stays well inside a DynamoDB item (400 KB), where the trigger is kept whole.
 */
export const maxWebhookBodyBytes = 256 * 1024;

interface FormSubmissionsHandlerDependencies
  extends ReceiveSubmissionDependencies,
    Omit<ReceiveWorkflowTriggerDependencies, 'now'> {
  /**
   * The clock a request's signature timestamp is checked against; default `now`. HubSpot stamps a
   * request with the real time it sends it, so a stack whose `now` is virtual passes the system clock.
   */
  readonly requestClock?: (() => Date) | undefined;
  readonly clientSecret: () => Promise<string>;
  readonly logger: Logger;
}

/**
 * `POST /hubspot/form-submissions`: the target of the HubSpot workflow "Send a webhook" action.
 * HubSpot posts the enrolled record (a contact's properties), which is a trigger: stored, a sweep
 * of the forms' submissions asked for, 202. A body that is a form submission (Dealreg's own tools)
 * is taken directly: 202 for a new one (valid or rejected with reasons), 200 with the same
 * registration id for one already received. 4xx naming what is wrong with a request that is neither.
 */
export function createFormSubmissionsHandler(deps: FormSubmissionsHandlerDependencies) {
  return hubspotWebhookEndpoint({
    clientSecret: deps.clientSecret,
    maxBodyBytes: maxWebhookBodyBytes,
    now: deps.requestClock ?? deps.now,
    logger: deps.logger,
  }).handler(async (event) => {
    if (!isFormSubmissionBody(event.parsedBody)) {
      const record = workflowRecordSchema.safeParse(event.parsedBody);
      if (!record.success) {
        throw new MalformedRequestError('the body is neither a HubSpot record nor a form submission', {
          problems: problemsFrom(record.error),
        });
      }
      const summary = summariseWorkflowRecord(record.data);
      const result = await receiveWorkflowTrigger(deps, event.rawBody ?? '', summary);
      // The record's id only: its properties (names, emails) stay out of the logs.
      deps.logger.info('workflow webhook received', { ...result, objectId: summary.objectId });
      return jsonResponse(202, result);
    }
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
