import { hubSpotSignatureV2, hubSpotSignatureV3 } from '#http/hubspot-signature.ts';

export interface DeliveryOptions {
  readonly secret: string;
  readonly timestamp?: number;
  readonly contentType?: string | null;
  readonly method?: string;
  /** Sign a different body / URL than the one sent, to forge. */
  readonly signBody?: string | Uint8Array;
  readonly signUrl?: string;
  readonly omitSignature?: boolean;
  /** Sign with v2 (`X-HubSpot-Signature`, no timestamp) instead of v3, as HubSpot does where it sends no v3. */
  readonly signatureVersion?: 'v2' | 'v3';
}

/**
 * Posts a body to a Dealreg webhook endpoint the way HubSpot does: v3-signed over the exact URL,
 * body and timestamp.
 */
export async function deliver(
  url: string,
  body: string | Uint8Array<ArrayBuffer>,
  options: DeliveryOptions,
): Promise<Response> {
  const method = options.method ?? 'POST';
  const timestamp = String(options.timestamp ?? Date.now());
  const signature = hubSpotSignatureV3(
    { method, url: options.signUrl ?? url, body: options.signBody ?? body, timestamp },
    options.secret,
  );
  const headers: Record<string, string> = {};
  if (options.omitSignature) {
    // Unsigned.
  } else if (options.signatureVersion === 'v2') {
    headers['X-HubSpot-Signature'] = hubSpotSignatureV2(
      { method, url: options.signUrl ?? url, body: options.signBody ?? body },
      options.secret,
    );
    headers['X-HubSpot-Signature-Version'] = 'v2';
  } else {
    headers['X-HubSpot-Request-Timestamp'] = timestamp;
    headers['X-HubSpot-Signature-v3'] = signature;
  }
  if (options.contentType !== null) headers['Content-Type'] = options.contentType ?? 'application/json';
  return fetch(url, { method, headers, body });
}
