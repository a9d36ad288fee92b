import * as z from 'zod';
import { type FormSubmissions, StalePagingCursorError, type SubmissionPage } from '#ports/hubspot.ts';
import type { HubSpotConnection } from './connection.ts';
import { HubSpotError, HubSpotRequestError } from './errors.ts';

const submissionsPageSchema = z.object({
  results: z.array(
    z.object({
      conversionId: z.string(),
      submittedAt: z.number(),
      values: z.array(z.object({ name: z.string(), value: z.string() })),
      pageUrl: z.string().optional(),
    }),
  ),
  paging: z.object({ next: z.object({ after: z.string() }).optional() }).optional(),
});

export interface HubSpotFormSubmissionsOptions {
  /** The portal (hub) id, stamped on form submissions (the Forms API does not return it). */
  readonly portalId: number;
}

/** A HubSpot form's submissions, page by page, newest first (the Forms integration API). */
export class HubSpotFormSubmissions implements FormSubmissions {
  readonly #connection: HubSpotConnection;
  readonly #portalId: number;

  constructor(connection: HubSpotConnection, options: HubSpotFormSubmissionsOptions) {
    this.#connection = connection;
    this.#portalId = options.portalId;
  }

  async listFormSubmissions(
    formGuid: string,
    page: { after?: string | undefined; limit?: number | undefined } = {},
  ): Promise<SubmissionPage> {
    const limit = Math.min(50, Math.max(1, page.limit ?? 50));
    const what = `list submissions of form ${formGuid}`;
    const response = await this.#listSubmissionsPage(what, formGuid, limit, page.after);
    const parsed = submissionsPageSchema.safeParse(response);
    if (!parsed.success) {
      throw new HubSpotError(
        `${what}: unexpected answer from HubSpot: ${parsed.error.issues[0]?.message ?? ''}`,
        {
          cause: parsed.error,
        },
      );
    }
    const after = parsed.data.paging?.next?.after;
    return {
      submissions: parsed.data.results.map((result) => ({
        conversionId: result.conversionId,
        submittedAt: result.submittedAt,
        formGuid,
        portalId: this.#portalId,
        values: result.values,
        pageUrl: result.pageUrl,
      })),
      after,
    };
  }

  async #listSubmissionsPage(what: string, formGuid: string, limit: number, after: string | undefined) {
    const { client, gateway } = this.#connection;
    try {
      return await gateway.call(what, async () => {
        const answer = await client.apiRequest({
          method: 'GET',
          path: `/form-integrations/v1/submissions/forms/${encodeURIComponent(formGuid)}`,
          // URLSearchParams would send an undefined cursor as the text "undefined".
          qs: { limit: String(limit), ...(after === undefined ? {} : { after }) },
        });
        const text = await answer.text();
        const body = parseJson(text);
        if (answer.status !== 200) {
          throw Object.assign(new Error(`HubSpot answered ${answer.status}`), {
            code: answer.status,
            body,
            headers: Object.fromEntries(answer.headers.entries()),
          });
        }
        return body;
      });
    } catch (error) {
      if (after !== undefined && error instanceof HubSpotRequestError && error.status === 400) {
        throw new StalePagingCursorError(`${what}: HubSpot no longer accepts the paging cursor "${after}"`, {
          cause: error,
        });
      }
      throw error;
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text.slice(0, 200) };
  }
}
