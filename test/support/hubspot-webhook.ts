import { hubSpotSignatureV3 } from '#http/hubspot-signature.ts';

export interface DeliveryOptions {
  readonly secret: string;
  readonly timestamp?: number;
  readonly contentType?: string | null;
  readonly method?: string;
  /** Sign a different body / URL than the one sent, to forge. */
  readonly signBody?: string;
  readonly signUrl?: string;
  readonly omitSignature?: boolean;
}

/**
 * Posts a body to a Dealreg webhook endpoint the way HubSpot does: v3-signed over the exact URL,
 * body and timestamp.
 */
export async function deliver(url: string, body: string, options: DeliveryOptions): Promise<Response> {
  const method = options.method ?? 'POST';
  const timestamp = String(options.timestamp ?? Date.now());
  const signature = hubSpotSignatureV3(
    { method, url: options.signUrl ?? url, body: options.signBody ?? body, timestamp },
    options.secret,
  );
  const headers: Record<string, string> = { 'X-HubSpot-Request-Timestamp': timestamp };
  if (!options.omitSignature) headers['X-HubSpot-Signature-v3'] = signature;
  if (options.contentType !== null) headers['Content-Type'] = options.contentType ?? 'application/json';
  return fetch(url, { method, headers, body });
}
