import { hubSpotSignatureV3 } from '#http/hubspot-signature.ts';

/** Who HubSpot says opened the card: the query parameters its proxy adds to each request. */
export interface CardViewer {
  readonly portalId: number;
  readonly userId: number;
  readonly userEmail: string;
}

export const sampleViewer: CardViewer = {
  portalId: 1234567,
  userId: 7001,
  userEmail: 'rev.ops@vendor.example',
};

export interface ProxyOptions {
  readonly secret: string;
  readonly viewer?: CardViewer;
  readonly method?: string;
  /** The request timestamp, in milliseconds. @default now */
  readonly timestamp?: number;
  /** Sign with another secret than the one given, to forge. */
  readonly signWith?: string;
  readonly omitSignature?: boolean;
}

/**
 * Sends an app card's `hubspot.fetch` request as HubSpot's proxy does ("Fetching data",
 * HubSpot developer documentation): to the URL the card named, with `portalId`, `userId` and
 * `userEmail` appended to the query (the SDK's `ProxyMetadata`), signed with the app's client
 * secret as `X-HubSpot-Signature-v3` over method, full URL, body and
 * `X-HubSpot-Request-Timestamp` ("Validating requests from HubSpot"). The card itself can send
 * no headers.
 */
export async function proxyCardFetch(cardUrl: string, options: ProxyOptions): Promise<Response> {
  const method = options.method ?? 'GET';
  const viewer = options.viewer ?? sampleViewer;
  const url = new URL(cardUrl);
  url.searchParams.append('portalId', String(viewer.portalId));
  url.searchParams.append('userId', String(viewer.userId));
  url.searchParams.append('userEmail', viewer.userEmail);
  const timestamp = String(options.timestamp ?? Date.now());
  const headers: Record<string, string> = options.omitSignature
    ? {}
    : {
        'X-HubSpot-Request-Timestamp': timestamp,
        'X-HubSpot-Signature-v3': hubSpotSignatureV3(
          { method, url: url.toString(), body: '', timestamp },
          options.signWith ?? options.secret,
        ),
      };
  return fetch(url, { method, headers });
}
