import * as z from 'zod';
import type { HubSpotTokenFacts } from '#domain/doctor/facts.ts';
import type { HubSpotTokenInspector } from '#ports/deployed-stage.ts';
import { createHubSpotConnection } from './connection.ts';
import { HubSpotAuthorizationError, HubSpotError, HubSpotRequestError } from './errors.ts';

/**
 * HubSpot's token information endpoint for private app access tokens, documented at the end of
 * the private apps guide, https://developers.hubspot.com/docs/api/private-apps (now
 * https://developers.hubspot.com/docs/apps/legacy-apps/private-apps/overview; see also
 * https://github.com/HubSpot/hubspot-api-php/issues/171, which quotes it):
 * `POST /oauth/v2/private-apps/get/access-token-info` with `{"tokenKey": "<token>"}` answers
 * `{userId, hubId, appId, scopes: [...]}`. The client also sends the token as a Bearer header, as
 * on every call. `GET /oauth/v1/access-tokens/{token}`
 * (https://developers.hubspot.com/docs/api-reference/legacy/authentication/oauth-tokens/v1/get-oauth-token-metadata)
 * describes OAuth access tokens, not private app tokens.
 */
export const accessTokenInfoPath = '/oauth/v2/private-apps/get/access-token-info';

const tokenInfoSchema = z.object({
  hubId: z.number(),
  scopes: z.array(z.string()),
  appId: z.number().optional(),
  userId: z.number().optional(),
});

export interface HubSpotAccessTokenInfoOptions {
  /** The sandbox's URL locally. @default 'https://api.hubapi.com' */
  readonly basePath?: string | undefined;
}

/** Asks HubSpot which portal a token belongs to and which scopes it holds. */
export class HubSpotAccessTokenInfo implements HubSpotTokenInspector {
  readonly #basePath: string | undefined;

  constructor(options: HubSpotAccessTokenInfoOptions = {}) {
    this.#basePath = options.basePath;
  }

  async inspect(accessToken: string): Promise<HubSpotTokenFacts> {
    // One short-lived connection per token: the token is the one being examined, not the caller's.
    const { client, gateway } = createHubSpotConnection({
      accessToken,
      basePath: this.#basePath,
      retry: { maxAttempts: 3 },
    });
    const what = 'read the access token information';
    try {
      const body = await gateway.call(what, async () => {
        const answer = await client.apiRequest({
          method: 'POST',
          path: accessTokenInfoPath,
          body: { tokenKey: accessToken },
        });
        const text = await answer.text();
        const parsed = parseJson(text);
        if (answer.status !== 200) {
          throw Object.assign(new Error(`HubSpot answered ${answer.status}`), {
            code: answer.status,
            body: parsed,
            headers: Object.fromEntries(answer.headers.entries()),
          });
        }
        return parsed;
      });
      const info = tokenInfoSchema.safeParse(body);
      if (!info.success) {
        return {
          kind: 'unreachable',
          message: `unexpected answer from HubSpot: ${info.error.issues[0]?.message ?? 'not token information'}`,
        };
      }
      return { kind: 'valid', hubId: info.data.hubId, scopes: info.data.scopes };
    } catch (error) {
      // HubSpot does not document the status of an unknown token here: any 4xx but 429 is a refusal.
      if (
        (error instanceof HubSpotAuthorizationError || error instanceof HubSpotRequestError) &&
        error.status !== undefined
      ) {
        return { kind: 'refused', status: error.status, message: serverMessage(error) };
      }
      if (error instanceof HubSpotError && error.status === 404) {
        return { kind: 'refused', status: 404, message: serverMessage(error) };
      }
      return { kind: 'unreachable', message: error instanceof Error ? error.message : String(error) };
    }
  }
}

/** HubSpot's own message, without the gateway's prefix. */
function serverMessage(error: HubSpotError): string {
  const body = (error.cause as { body?: { message?: unknown } } | undefined)?.body;
  return typeof body?.message === 'string' ? body.message : error.message;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text.slice(0, 200) };
  }
}
