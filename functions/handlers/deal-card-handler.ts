import type { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod';
import { problemsFrom } from '#domain/form-submission.ts';
import { jsonResponse } from '#http/http-responses.ts';
import { hubspotFetchEndpoint } from '#http/hubspot-fetch-endpoint.ts';
import { MalformedRequestError } from '#http/request-errors.ts';
import { type DealCardDependencies, readDealAttributionCard } from '#use-cases/deal-attribution-card.ts';

/**
 * The query the card sends, plus what HubSpot's proxy adds (`portalId`, `userId`, `userEmail`),
 * which passes through unread.
 */
const dealCardQuerySchema = z.looseObject({
  dealId: z
    .string({
      error: (issue) =>
        issue.input === undefined
          ? 'dealId is required: the id of the HubSpot deal the card is on'
          : undefined,
    })
    .regex(/^[1-9]\d{0,19}$/, 'dealId must be a HubSpot deal id (digits only)'),
});

interface DealCardHandlerDependencies extends DealCardDependencies {
  /**
   * The clock a request's signature timestamp is checked against; default `now`. HubSpot stamps a
   * request with the real time it sends it, so a stack whose `now` is virtual passes the system clock.
   */
  readonly requestClock?: (() => Date) | undefined;
  readonly clientSecret: () => Promise<string>;
  readonly logger: Logger;
}

/**
 * `GET /hubspot/deal-card?dealId=…`: what the deal record's app card shows, read through
 * `hubspot.fetch`. Answers 200 with the card (an empty card for a deal the ledger does not know),
 * 400 naming a missing or malformed `dealId`, 401 for a request HubSpot did not sign for the app.
 */
export function createDealCardHandler(deps: DealCardHandlerDependencies) {
  return hubspotFetchEndpoint({
    clientSecret: deps.clientSecret,
    now: deps.requestClock ?? deps.now,
    logger: deps.logger,
  }).handler(async (event) => {
    const query = dealCardQuerySchema.safeParse(event.queryStringParameters ?? {});
    if (!query.success) {
      throw new MalformedRequestError(
        `the query is not a deal card request: ${query.error.issues[0]?.message}`,
        {
          problems: problemsFrom(query.error),
        },
      );
    }
    const started = performance.now();
    const card = await readDealAttributionCard(deps, query.data.dealId);
    deps.logger.info('deal card read', {
      dealId: card.dealId,
      state: card.state,
      ledger: card.ledger.status,
      ms: Math.round(performance.now() - started),
    });
    return jsonResponse(200, card);
  });
}
