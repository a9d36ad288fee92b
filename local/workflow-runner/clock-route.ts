import { z } from 'zod';
import type { LocalResponse, LocalRoute } from '../api-server.ts';
import { ClockMoveError, type VirtualClock } from '../clock.ts';
import { readJsonBody } from '../request-body.ts';

const bodyShape = 'the body must be {"advance": "PT49H"} (or milliseconds) or {"to": "2026-11-24T09:00:00Z"}';

const clockMoveSchema = z
  .strictObject(
    {
      advance: z
        .union([z.string().min(1), z.number()], {
          error: 'must be an ISO-8601 duration such as "PT49H" or a number of milliseconds',
        })
        .optional(),
      to: z.string({ error: 'must be an ISO-8601 instant such as "2026-11-24T09:00:00Z"' }).optional(),
    },
    { error: bodyShape },
  )
  .refine((body) => (body.advance === undefined) !== (body.to === undefined), { error: bodyShape });

const badRequest = (message: string): LocalResponse => ({
  status: 400,
  body: JSON.stringify({ error: 'malformed_request', message }),
});

/**
 * The clock's local routes (DESIGN §4.2): `POST /_local/clock` with `{"advance": "PT49H"}` (or
 * milliseconds) or `{"to": ISO-8601}` moves the virtual clock, runs what fell due and answers
 * `{"now": ISO}`; `GET /_local/clock` answers the time, and `ticking`: the reading that receipt and
 * HubSpot times take (`VirtualClock.ticking`), the "now" of a command run against the stack. A bad
 * body gets 400 naming the problem.
 */
export function clockRoutes(clock: VirtualClock): LocalRoute[] {
  return [
    {
      method: 'GET',
      path: '/_local/clock',
      respond: async () => ({
        status: 200,
        body: JSON.stringify({ now: clock.now().toISOString(), ticking: clock.ticking().toISOString() }),
      }),
    },
    {
      method: 'POST',
      path: '/_local/clock',
      respond: async ({ body }) => {
        const request = readJsonBody(body, clockMoveSchema, bodyShape);
        if (!request.ok) return badRequest(request.problem);
        try {
          const { advance, to } = request.value;
          const now = advance !== undefined ? await clock.advance(advance) : await clock.setTo(to ?? '');
          return { status: 200, body: JSON.stringify({ now: now.toISOString() }) };
        } catch (error) {
          if (error instanceof ClockMoveError) return badRequest(error.message);
          throw error;
        }
      },
    },
  ];
}
