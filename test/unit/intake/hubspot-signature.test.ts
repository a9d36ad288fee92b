import { Signature } from '@hubspot/api-client';
import { describe, expect, it } from 'vitest';
import {
  hubSpotSignatureV2,
  hubSpotSignatureV3,
  signedUri,
  verifyHubSpotRequest,
  verifyHubSpotSignatureV3,
} from '#http/hubspot-signature.ts';

const secret = 'client-secret-1';
const now = new Date('2026-11-24T10:00:00Z');
const timestamp = String(now.getTime() - 1_000);
const request = {
  method: 'POST',
  url: 'https://abc.execute-api.us-east-1.amazonaws.com/prod/hubspot/form-submissions',
  body: '{"conversionId":"c-1","submittedAt":1764000000000,"values":[]}',
  timestamp,
};
const signature = hubSpotSignatureV3(request, secret);

describe('HubSpot signature v3', () => {
  it('matches the signature the official client library computes', () => {
    const fromLibrary = Signature.getSignature('POST', 'v3', {
      signature: '',
      clientSecret: secret,
      requestBody: request.body,
      url: request.url,
      timestamp: Number(timestamp),
    });
    expect(signature).toBe(fromLibrary);
  });

  it('signs the bytes of the body: the UTF-8 bytes of a text body sign the same, other bytes do not', () => {
    const bytes = new Uint8Array(Buffer.from(request.body, 'utf8'));
    expect(hubSpotSignatureV3({ ...request, body: bytes }, secret)).toBe(signature);
    const notUtf8 = new Uint8Array([...bytes.slice(0, -1), 0xe9, 0x7d]);
    const replaced = Buffer.from(notUtf8).toString('utf8');
    expect(hubSpotSignatureV3({ ...request, body: notUtf8 }, secret)).not.toBe(
      hubSpotSignatureV3({ ...request, body: replaced }, secret),
    );
  });

  it('accepts a valid signature', () => {
    expect(verifyHubSpotSignatureV3(request, signature, secret, now)).toEqual({ valid: true });
  });

  it.each([
    ['body', { ...request, body: request.body.replace('c-1', 'c-2') }],
    ['method', { ...request, method: 'PUT' }],
    ['URI', { ...request, url: `${request.url}x` }],
    ['timestamp', { ...request, timestamp: String(Number(timestamp) + 1) }],
  ])('rejects a request whose %s was altered', (_part, altered) => {
    expect(verifyHubSpotSignatureV3(altered, signature, secret, now)).toEqual({
      valid: false,
      reason: 'the signature does not match this request',
    });
  });

  it('rejects a stale timestamp even with a correct signature', () => {
    const old = { ...request, timestamp: String(now.getTime() - 5 * 60 * 1000 - 1) };
    const result = verifyHubSpotSignatureV3(old, hubSpotSignatureV3(old, secret), secret, now);
    expect(result).toEqual({ valid: false, reason: 'the request timestamp is more than 5 minutes old' });
  });

  it('rejects a timestamp from the future even with a correct signature', () => {
    const future = { ...request, timestamp: String(now.getTime() + 5 * 60 * 1000 + 1) };
    const result = verifyHubSpotSignatureV3(future, hubSpotSignatureV3(future, secret), secret, now);
    expect(result).toEqual({
      valid: false,
      reason: 'the request timestamp is more than 5 minutes in the future',
    });
  });

  it('accepts a timestamp exactly at the edge of the window', () => {
    const edge = { ...request, timestamp: String(now.getTime() - 5 * 60 * 1000) };
    expect(verifyHubSpotSignatureV3(edge, hubSpotSignatureV3(edge, secret), secret, now).valid).toBe(true);
  });

  it('rejects a missing signature header', () => {
    expect(verifyHubSpotSignatureV3(request, undefined, secret, now)).toEqual({
      valid: false,
      reason: 'the X-HubSpot-Signature-v3 header is missing',
    });
  });

  it('rejects a missing or non-numeric timestamp header', () => {
    expect(verifyHubSpotSignatureV3({ ...request, timestamp: undefined }, signature, secret, now).valid).toBe(
      false,
    );
    expect(verifyHubSpotSignatureV3({ ...request, timestamp: '12abc' }, signature, secret, now)).toEqual({
      valid: false,
      reason: 'the X-HubSpot-Request-Timestamp header is not a number of milliseconds',
    });
  });

  it('rejects a signature made with another secret', () => {
    const forged = hubSpotSignatureV3(request, 'not-our-secret');
    expect(verifyHubSpotSignatureV3(request, forged, secret, now).valid).toBe(false);
  });

  it('rejects a signature of a different length without throwing', () => {
    expect(verifyHubSpotSignatureV3(request, 'short', secret, now).valid).toBe(false);
  });

  it('decodes the percent-encodings HubSpot decodes before signing, and only those', () => {
    const sent =
      'https://h.example/hubspot/form-submissions?to=a%40b.com&r=%3A%2F%3F%21%24%27%28%29%2A%2C%3B&s=a%20b%26c';
    expect(signedUri(sent)).toBe(
      "https://h.example/hubspot/form-submissions?to=a@b.com&r=:/?!$'()*,;&s=a%20b%26c",
    );
  });

  it('verifies a request to a URI with percent-encoded characters as HubSpot signs it', () => {
    const sentUrl = `${request.url}?partner=acme%40example.com&note=a%2Fb`;
    const hubspotSigned = Signature.getSignature('POST', 'v3', {
      signature: '',
      clientSecret: secret,
      requestBody: request.body,
      url: `${request.url}?partner=acme@example.com&note=a/b`,
      timestamp: Number(timestamp),
    });
    expect(verifyHubSpotSignatureV3({ ...request, url: sentUrl }, hubspotSigned, secret, now)).toEqual({
      valid: true,
    });
  });
});

describe('HubSpot signatures of older versions', () => {
  const unsigned = { method: request.method, url: request.url, body: request.body };
  const v2 = hubSpotSignatureV2(unsigned, secret);

  it('computes v2 as the official client library does', () => {
    const fromLibrary = Signature.getSignature('POST', 'v2', {
      signature: '',
      clientSecret: secret,
      requestBody: request.body,
      url: request.url,
    });
    expect(v2).toBe(fromLibrary);
  });

  it('accepts v2 when HubSpot sends no v3, and prefers v3 when it does', () => {
    const v2Headers = { 'x-hubspot-signature': v2, 'x-hubspot-signature-version': 'v2' };

    expect(verifyHubSpotRequest(unsigned, v2Headers, secret, now)).toEqual({ valid: true });
    // A stale v3 beside a valid v2 is refused: v3 is the one that is bound to a time.
    expect(
      verifyHubSpotRequest(
        unsigned,
        {
          ...v2Headers,
          'x-hubspot-signature-v3': signature,
          'x-hubspot-request-timestamp': String(now.getTime() - 6 * 60_000),
        },
        secret,
        now,
      ),
    ).toEqual({ valid: false, reason: 'the request timestamp is more than 5 minutes old' });
  });

  it('refuses an altered v2 request, a v1 signature and an unsigned request', () => {
    const altered = { ...unsigned, body: unsigned.body.replace('c-1', 'c-2') };
    const v1 = Signature.getSignature('POST', 'v1', {
      signature: '',
      clientSecret: secret,
      requestBody: request.body,
    });

    expect(
      verifyHubSpotRequest(
        altered,
        { 'x-hubspot-signature': v2, 'x-hubspot-signature-version': 'v2' },
        secret,
        now,
      ),
    ).toEqual({ valid: false, reason: 'the signature does not match this request' });
    expect(
      verifyHubSpotRequest(
        unsigned,
        { 'x-hubspot-signature': v1, 'x-hubspot-signature-version': 'v1' },
        secret,
        now,
      ),
    ).toEqual({
      valid: false,
      reason: 'signature version v1 is not accepted; HubSpot signs with v3, or v2 where v3 is not sent',
    });
    expect(verifyHubSpotRequest(unsigned, {}, secret, now).valid).toBe(false);
  });
});
