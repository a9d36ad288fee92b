import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** HubSpot refuses to sign with, and we refuse to accept, timestamps further than this from now. */
const signatureToleranceMs = 5 * 60 * 1000;

/**
 * The percent-encodings HubSpot decodes in the URI before signing (v3). Everything else stays
 * encoded exactly as it was sent.
 */
const decodedBeforeSigning: Readonly<Record<string, string>> = {
  '%3A': ':',
  '%2F': '/',
  '%3F': '?',
  '%40': '@',
  '%21': '!',
  '%24': '$',
  '%27': "'",
  '%28': '(',
  '%29': ')',
  '%2A': '*',
  '%2C': ',',
  '%3B': ';',
};

/** The URI as HubSpot puts it into the v3 signature: the full URL with those characters decoded. */
export function signedUri(url: string): string {
  return url.replace(
    /%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi,
    (match) => decodedBeforeSigning[match.toUpperCase()] ?? match,
  );
}

interface SignedRequest {
  readonly method: string;
  /** The full URL the request was sent to, scheme and query included. */
  readonly url: string;
  /**
   * The body exactly as sent: its bytes, or text (encoded as UTF-8). HubSpot signs the UTF-8
   * bytes of method + URI + body + timestamp ("Validating requests from HubSpot": the source string
   * is UTF-8 encoded before hashing), which for a body HubSpot sent are the bytes it sent; hashing
   * the bytes received, not a decoding of them, keeps a body that is not UTF-8 from failing the
   * signature only because a decoder replaced its bytes.
   */
  readonly body: string | Uint8Array;
  /** Value of `X-HubSpot-Request-Timestamp` (milliseconds since 1970). */
  readonly timestamp: string;
}

/** `X-HubSpot-Signature-v3`: base64 HMAC-SHA256 over method + URI + body + timestamp. */
export function hubSpotSignatureV3(request: SignedRequest, clientSecret: string): string {
  return createHmac('sha256', clientSecret)
    .update(`${request.method.toUpperCase()}${signedUri(request.url)}`, 'utf8')
    .update(bodyBytes(request.body))
    .update(request.timestamp, 'utf8')
    .digest('base64');
}

function bodyBytes(body: string | Uint8Array): Uint8Array {
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}

type SignatureCheck = { readonly valid: true } | { readonly valid: false; readonly reason: string };

/**
 * Verifies a HubSpot v3 signature: present, made with our secret over this exact request, and
 * timestamped within five minutes of now in either direction (the client library accepts any
 * future timestamp and compares in variable time; this does neither).
 */
export function verifyHubSpotSignatureV3(
  request: Omit<SignedRequest, 'timestamp'> & { readonly timestamp: string | undefined },
  signature: string | undefined,
  clientSecret: string,
  now: Date,
): SignatureCheck {
  if (signature === undefined || signature === '') {
    return { valid: false, reason: 'the X-HubSpot-Signature-v3 header is missing' };
  }
  if (request.timestamp === undefined || request.timestamp === '') {
    return { valid: false, reason: 'the X-HubSpot-Request-Timestamp header is missing' };
  }
  if (!/^\d{1,16}$/.test(request.timestamp)) {
    return { valid: false, reason: 'the X-HubSpot-Request-Timestamp header is not a number of milliseconds' };
  }
  const skew = now.getTime() - Number(request.timestamp);
  if (skew > signatureToleranceMs) {
    return { valid: false, reason: 'the request timestamp is more than 5 minutes old' };
  }
  if (skew < -signatureToleranceMs) {
    return { valid: false, reason: 'the request timestamp is more than 5 minutes in the future' };
  }
  const expected = Buffer.from(
    hubSpotSignatureV3({ ...request, timestamp: request.timestamp }, clientSecret),
    'utf8',
  );
  const received = Buffer.from(signature, 'utf8');
  // Compare equal-length buffers only; the length of a base64 SHA-256 MAC is public anyway.
  const matches = expected.length === received.length && timingSafeEqual(expected, received);
  return matches ? { valid: true } : { valid: false, reason: 'the signature does not match this request' };
}

/**
 * `X-HubSpot-Signature` with `X-HubSpot-Signature-Version: v2` ("Validating requests from
 * HubSpot", HubSpot developer documentation): hex SHA-256 of the client secret, the method, the
 * full URI as sent and the body. It carries no timestamp, so a v2 request can be replayed; the
 * endpoints that accept it are idempotent (a submission by conversion id, a CRM event by its key).
 */
export function hubSpotSignatureV2(request: Omit<SignedRequest, 'timestamp'>, clientSecret: string): string {
  return createHash('sha256')
    .update(`${clientSecret}${request.method.toUpperCase()}${request.url}`, 'utf8')
    .update(bodyBytes(request.body))
    .digest('hex');
}

/** The signature headers of a request, lower-cased. */
interface SignatureHeaders {
  readonly 'x-hubspot-signature-v3'?: string | undefined;
  readonly 'x-hubspot-request-timestamp'?: string | undefined;
  readonly 'x-hubspot-signature'?: string | undefined;
  readonly 'x-hubspot-signature-version'?: string | undefined;
}

/**
 * Verifies a request HubSpot signed: v3 when its header is present (HubSpot sends it beside the
 * older versions, and only it is time-bound); otherwise v2. A v1 signature (secret and body only,
 * not bound to the URL) and an unsigned request are refused.
 */
export function verifyHubSpotRequest(
  request: Omit<SignedRequest, 'timestamp'>,
  headers: SignatureHeaders,
  clientSecret: string,
  now: Date,
): SignatureCheck {
  const v3 = headers['x-hubspot-signature-v3'];
  if (v3 !== undefined && v3 !== '') {
    return verifyHubSpotSignatureV3(
      { ...request, timestamp: headers['x-hubspot-request-timestamp'] },
      v3,
      clientSecret,
      now,
    );
  }
  const signature = headers['x-hubspot-signature'];
  const version = headers['x-hubspot-signature-version']?.trim().toLowerCase();
  if (signature === undefined || signature === '') {
    return {
      valid: false,
      reason: 'the request is not signed (no X-HubSpot-Signature-v3 or X-HubSpot-Signature header)',
    };
  }
  if (version !== 'v2') {
    return {
      valid: false,
      reason: `signature version ${version ?? '(none)'} is not accepted; HubSpot signs with v3, or v2 where v3 is not sent`,
    };
  }
  const expected = Buffer.from(hubSpotSignatureV2(request, clientSecret), 'utf8');
  const received = Buffer.from(signature.trim().toLowerCase(), 'utf8');
  const matches = expected.length === received.length && timingSafeEqual(expected, received);
  return matches ? { valid: true } : { valid: false, reason: 'the signature does not match this request' };
}
