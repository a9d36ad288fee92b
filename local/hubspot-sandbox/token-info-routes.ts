import { timingSafeEqual } from 'node:crypto';
import { HubSpotApiError, validationError } from './errors.ts';
import { type Route, route } from './http.ts';

export interface TokenInfoSettings {
  readonly accessToken: string;
  readonly portalId: number;
  /** The scopes the sandbox's token holds. */
  readonly scopes: readonly string[];
}

/** The app the token belongs to and its creator, as the sandbox reports them. */
const SANDBOX_APP_ID = 1;
const SANDBOX_USER_ID = 1;

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * `POST /oauth/v2/private-apps/get/access-token-info` with `{"tokenKey": "<token>"}`: the private
 * app token information HubSpot documents at the end of its private apps guide
 * (https://developers.hubspot.com/docs/api/private-apps, now
 * https://developers.hubspot.com/docs/apps/legacy-apps/private-apps/overview), answering
 * `{userId, hubId, appId, scopes}`. The token to describe is the body's; no Authorization header is
 * needed. For a token that is not the sandbox's it answers 401 INVALID_AUTHENTICATION — HubSpot does
 * not document this case, so that status is the sandbox's choice.
 */
export function tokenInfoRoutes(settings: TokenInfoSettings): Route[] {
  return [
    route('POST', '/oauth/v2/private-apps/get/access-token-info', 'public', (request) => {
      const { tokenKey } = request.object();
      if (typeof tokenKey !== 'string' || tokenKey.trim() === '') {
        throw validationError('tokenKey is required: the access token to describe');
      }
      if (!sameToken(tokenKey.trim(), settings.accessToken)) {
        throw new HubSpotApiError(
          401,
          'Authentication credentials not valid: the access token is not recognised by this portal.',
          'INVALID_AUTHENTICATION',
        );
      }
      return {
        status: 200,
        body: {
          userId: SANDBOX_USER_ID,
          hubId: settings.portalId,
          appId: SANDBOX_APP_ID,
          scopes: [...settings.scopes],
        },
      };
    }),
  ];
}
