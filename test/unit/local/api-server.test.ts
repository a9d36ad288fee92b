import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isBinaryMediaType } from '#lib/api/binary-media-types.ts';
import { type LambdaRoute, type RunningApiServer, startApiServer } from '#local/api-server.ts';

let api: RunningApiServer;

/** Answers the body and encoding the function was handed. */
const echoRoute: LambdaRoute = {
  method: 'POST',
  path: '/echo',
  handler: async (event) => ({
    statusCode: 200,
    body: JSON.stringify({ body: event.body, isBase64Encoded: event.isBase64Encoded }),
  }),
};

beforeAll(async () => {
  api = await startApiServer({
    routes: [
      echoRoute,
      {
        method: 'GET',
        path: '/approvals/{approvalId}',
        handler: async (event) => ({ statusCode: 200, body: JSON.stringify(event.pathParameters) }),
      },
    ],
    localRoutes: [
      {
        method: 'POST',
        path: '/_local/clock',
        respond: async () => ({ status: 200, body: '{}' }),
      },
    ],
  });
});

afterAll(() => api.stop());

describe('the local API server', () => {
  it('hands the handler its path parameter decoded', async () => {
    const response = await fetch(`${api.url}/approvals/DR-1%20a`);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ approvalId: 'DR-1 a' });
  });

  it('refuses a path whose percent-encoding is malformed with 400 naming it, not a 502', async () => {
    const response = await fetch(`${api.url}/approvals/%E0%A4%A`);

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      message: 'the path /approvals/%E0%A4%A is not valid percent-encoding (RFC 3986)',
    });
  });

  it('answers 405 to a method a local route does not take, and 404 for a local path it does not have', async () => {
    const local = await fetch(`${api.url}/_local/clock`, { method: 'PUT' });
    const nowhere = await fetch(`${api.url}/_local/nothing`);

    expect(local.status).toBe(405);
    expect(nowhere.status).toBe(404);
  });

  it('answers 403 "Missing Authentication Token" to a method or path the deployed API lacks, as API Gateway does', async () => {
    const method = await fetch(`${api.url}/approvals/DR-1`, { method: 'PUT' });
    const getWebhook = await fetch(`${api.url}/echo`);
    const path = await fetch(`${api.url}/hubspot/form-submission`, { method: 'POST', body: '{}' });

    for (const response of [method, getWebhook, path]) {
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({ message: 'Missing Authentication Token' });
    }
  });

  it("hands a body to the function base64-encoded, the bytes sent, as the deployed API's binary media types make API Gateway do", async () => {
    const latin1 = Buffer.from('{"company":"Café"}', 'latin1');
    const json = await fetch(`${api.url}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"company":"Café"}',
    });
    const notUtf8 = await fetch(`${api.url}/echo`, { method: 'POST', body: new Uint8Array(latin1) });
    const empty = await fetch(`${api.url}/echo`, { method: 'POST' });

    expect(await json.json()).toEqual({
      body: Buffer.from('{"company":"Café"}').toString('base64'),
      isBase64Encoded: true,
    });
    expect(await notUtf8.json()).toEqual({ body: latin1.toString('base64'), isBase64Encoded: true });
    expect(await empty.json()).toEqual({ body: null, isBase64Encoded: false });
  });

  it('hands a body whose type is not a binary media type over as UTF-8 text, as API Gateway treats a text payload', async () => {
    const textOnly = await startApiServer({
      binaryMediaTypes: ['image/*'],
      routes: [echoRoute],
    });
    try {
      const post = (contentType: string, body: Uint8Array) =>
        fetch(`${textOnly.url}/echo`, { method: 'POST', headers: { 'content-type': contentType }, body });

      const text = await post('application/json', new Uint8Array(Buffer.from('{"a":"é"}')));
      const image = await post('image/png', new Uint8Array([0x89, 0x50]));

      expect(await text.json()).toEqual({ body: '{"a":"é"}', isBase64Encoded: false });
      expect(await image.json()).toEqual({ body: 'iVA=', isBase64Encoded: true });
    } finally {
      await textOnly.stop();
    }
  });
});

describe('the integration timeout', () => {
  it('answers 504 "Endpoint request timed out" when the function outlasts it, as API Gateway does', async () => {
    const slow = await startApiServer({
      integrationTimeoutMs: 100,
      routes: [
        {
          method: 'POST',
          path: '/slow',
          handler: async () => {
            await new Promise((resolve) => setTimeout(resolve, 400));
            return { statusCode: 200, body: '{}' };
          },
        },
        echoRoute,
      ],
    });
    try {
      const timedOut = await fetch(`${slow.url}/slow`, { method: 'POST' });
      const quick = await fetch(`${slow.url}/echo`, { method: 'POST' });

      expect(timedOut.status).toBe(504);
      expect(await timedOut.json()).toEqual({ message: 'Endpoint request timed out' });
      expect(quick.status).toBe(200);
    } finally {
      await slow.stop();
    }
  });
});

describe('binary media types', () => {
  it.each([
    ['application/json; charset=utf-8', ['*/*'], true],
    [undefined, ['*/*'], true],
    [undefined, ['application/*'], false],
    ['Application/JSON', ['application/json'], true],
    ['application/json', ['application/*'], true],
    ['text/plain', ['application/*', 'image/png'], false],
    ['image/png', ['*/png'], true],
  ] as const)('%s against %j: %s', (contentType, types, expected) => {
    expect(isBinaryMediaType(contentType, types)).toBe(expected);
  });
});
