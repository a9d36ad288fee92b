import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApiServer, startApiServer } from '#local/api-server.ts';

let api: RunningApiServer;

beforeAll(async () => {
  api = await startApiServer({
    routes: [
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

  it('answers 405 to a method a route does not take, for the local routes as for the deployed ones', async () => {
    const local = await fetch(`${api.url}/_local/clock`, { method: 'PUT' });
    const deployed = await fetch(`${api.url}/approvals/DR-1`, { method: 'PUT' });
    const nowhere = await fetch(`${api.url}/_local/nothing`);

    expect(local.status).toBe(405);
    expect(deployed.status).toBe(405);
    expect(nowhere.status).toBe(404);
  });
});
