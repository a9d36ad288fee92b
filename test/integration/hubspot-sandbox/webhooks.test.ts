import { createHash, createHmac } from 'node:crypto';
import { Signature } from '@hubspot/api-client';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningHubSpotSandbox, startHubSpotSandbox } from '#local/hubspot-sandbox/index.ts';
import { call, clientFor, type ReceivedRequest, startReceiver } from './sandbox-fixture.ts';

const FORM = '8f2c6a3e-1d47-4b59-9e0a-5c7d3b21f604';
const SECRET = 'workflow-client-secret';
const form = {
  guid: FORM,
  name: 'Partner deal registration',
  fields: [
    { name: 'email', required: true },
    { name: 'customer_domain', required: true },
    { name: 'deal_description' },
  ],
};

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function sandboxWith(
  options: Parameters<typeof startHubSpotSandbox>[0],
): Promise<RunningHubSpotSandbox> {
  const sandbox = await startHubSpotSandbox({ rateLimit: false, seed: { forms: [form] }, ...options });
  stops.push(() => sandbox.stop());
  return sandbox;
}

async function receiver(statuses: number[] = []) {
  const started = await startReceiver(statuses);
  stops.push(() => started.stop());
  return started;
}

function submit(
  sandbox: RunningHubSpotSandbox,
  fields: Record<string, string>,
  pageUri = 'https://partners.example/register',
) {
  return call(
    sandbox,
    'POST',
    `/submissions/v3/integration/submit/${sandbox.portalId}/${FORM}`,
    {
      fields: Object.entries(fields).map(([name, value]) => ({ objectTypeId: '0-1', name, value })),
      context: { pageUri },
    },
    null,
  );
}

/** Checks a delivery the way a receiver must: HMAC-SHA256 over method + full URL + body + timestamp. */
function expectSignedV3(request: ReceivedRequest, url: string, secret: string): void {
  const timestamp = Number(request.headers['x-hubspot-request-timestamp']);
  const signature = String(request.headers['x-hubspot-signature-v3']);
  expect(Math.abs(Date.now() - timestamp)).toBeLessThan(60_000);
  const expected = createHmac('sha256', secret)
    .update(`POST${url}${request.body}${timestamp}`)
    .digest('base64');
  expect(signature).toBe(expected);
  expect(
    Signature.isValid({
      signatureVersion: 'v3',
      method: 'POST',
      url,
      requestBody: request.body,
      clientSecret: secret,
      signature,
      timestamp,
    }),
  ).toBe(true);
  expect(
    Signature.isValid({
      signatureVersion: 'v3',
      method: 'POST',
      url,
      requestBody: request.body,
      clientSecret: 'other',
      signature,
      timestamp,
    }),
  ).toBe(false);
}

/** The v2 signature a workflow action sends beside v3: hex SHA-256 of secret + method + URL + body. */
function expectSignedV2(request: ReceivedRequest, url: string, secret: string): void {
  expect(request.headers['x-hubspot-signature-version']).toBe('v2');
  expect(request.headers['x-hubspot-signature']).toBe(
    createHash('sha256').update(`${secret}POST${url}${request.body}`).digest('hex'),
  );
}

describe('HubSpot sandbox: form submissions and the workflow webhook', () => {
  it('stores a submission, makes its contact, and POSTs the contact as a contact-based workflow does', async () => {
    const hook = await receiver();
    const sandbox = await sandboxWith({ workflowWebhook: { url: hook.url, clientSecret: SECRET } });
    const response = await submit(sandbox, {
      email: 'alex@cloudwise.example',
      customer_domain: 'globex.example',
    });
    expect(response.status).toBe(200);

    await hook.waitFor(1);
    const [delivery] = hook.received;
    if (delivery === undefined) throw new Error('no delivery');
    expectSignedV3(delivery, hook.url, SECRET);
    expectSignedV2(delivery, hook.url, SECRET);
    const payload = JSON.parse(delivery.body) as Record<string, unknown>;
    const listed = await clientFor(sandbox).apiRequest({
      method: 'GET',
      path: `/form-integrations/v1/submissions/forms/${FORM}`,
    });
    const [submission] = (
      (await listed.json()) as { results: { conversionId: string; submittedAt: number }[] }
    ).results;
    // "Get a contact by vid" (Contacts API v1): the object API whose data the workflow posts.
    expect(payload).toMatchObject({
      vid: expect.any(Number),
      'canonical-vid': payload.vid,
      'portal-id': sandbox.portalId,
      'is-contact': true,
      properties: {
        email: {
          value: 'alex@cloudwise.example',
          versions: [
            { value: 'alex@cloudwise.example', 'source-type': 'FORM', timestamp: submission?.submittedAt },
          ],
        },
      },
      'form-submissions': [
        {
          'conversion-id': submission?.conversionId,
          'form-id': FORM,
          'page-url': 'https://partners.example/register',
        },
      ],
    });
    expect(payload).not.toHaveProperty('values');
    const contact = await clientFor(sandbox).apiRequest({
      method: 'GET',
      path: '/crm/v3/objects/contacts/alex@cloudwise.example?idProperty=email',
    });
    expect(((await contact.json()) as { id: string }).id).toBe(String(payload.vid));
  });

  it('updates the contact of an email already known, and enrols the same contact again', async () => {
    const hook = await receiver();
    const sandbox = await sandboxWith({ workflowWebhook: { url: hook.url, clientSecret: SECRET } });
    await submit(sandbox, { email: 'alex@cloudwise.example', customer_domain: 'globex.example' });
    await submit(sandbox, { email: 'ALEX@cloudwise.example', customer_domain: 'initech.example' });
    await call(sandbox, 'POST', '/_sandbox/webhooks/flush');
    const [first, second] = hook.received.map((request) => JSON.parse(request.body) as { vid: number });
    expect(hook.received).toHaveLength(2);
    expect(second?.vid).toBe(first?.vid);
  });

  it('signs with v2 alone when told to, and sends the submission itself when told to', async () => {
    const hook = await receiver();
    const sandbox = await sandboxWith({ workflowWebhook: { url: hook.url, clientSecret: SECRET } });
    await call(sandbox, 'PUT', '/_sandbox/webhooks', {
      workflowSignature: 'v2',
      workflowBody: 'form-submission',
    });
    await submit(sandbox, { email: 'alex@cloudwise.example', customer_domain: 'globex.example' });
    await call(sandbox, 'POST', '/_sandbox/webhooks/flush');
    const [delivery] = hook.received;
    if (delivery === undefined) throw new Error('no delivery');
    expectSignedV2(delivery, hook.url, SECRET);
    expect(delivery.headers['x-hubspot-signature-v3']).toBeUndefined();
    expect(delivery.headers['x-hubspot-request-timestamp']).toBeUndefined();
    expect(JSON.parse(delivery.body)).toMatchObject({ formGuid: FORM, values: expect.any(Array) });
    expect((await call(sandbox, 'PUT', '/_sandbox/webhooks', { workflowSignature: 'v1' })).status).toBe(400);
  });

  it('with workflowBody form-submission, POSTs the submission in the Forms API shape', async () => {
    const hook = await receiver();
    const sandbox = await sandboxWith({
      workflowWebhook: { url: hook.url, clientSecret: SECRET, body: 'form-submission' },
    });
    const response = await submit(sandbox, {
      email: 'alex@cloudwise.example',
      customer_domain: 'globex.example',
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ inlineMessage: 'Thanks for submitting the form.' });

    await hook.waitFor(1);
    const [delivery] = hook.received;
    if (delivery === undefined) throw new Error('no delivery');
    expect(delivery.headers['content-type']).toBe('application/json');
    expectSignedV3(delivery, hook.url, SECRET);
    const payload = JSON.parse(delivery.body) as Record<string, unknown>;
    expect(payload).toMatchObject({
      formGuid: FORM,
      portalId: sandbox.portalId,
      pageUrl: 'https://partners.example/register',
      values: [
        { name: 'email', value: 'alex@cloudwise.example' },
        { name: 'customer_domain', value: 'globex.example' },
      ],
    });
    expect(payload.conversionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(typeof payload.submittedAt).toBe('number');

    const listed = await clientFor(sandbox).apiRequest({
      method: 'GET',
      path: `/form-integrations/v1/submissions/forms/${FORM}`,
    });
    const body = (await listed.json()) as { results: { conversionId: string }[] };
    expect(body.results.map((result) => result.conversionId)).toEqual([payload.conversionId]);
  });

  it('rejects a submission missing a required field or naming an unknown field, storing nothing', async () => {
    const sandbox = await sandboxWith({});
    const missing = await submit(sandbox, { email: 'alex@cloudwise.example' });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ status: 'error', errors: [{ errorType: 'REQUIRED_FIELD' }] });
    const unknown = await submit(sandbox, {
      email: 'a@b.example',
      customer_domain: 'c.example',
      favourite_colour: 'blue',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ errors: [{ errorType: 'FIELD_NOT_IN_FORM_DEFINITION' }] });
    const wrongForm = await call(
      sandbox,
      'POST',
      `/submissions/v3/integration/submit/${sandbox.portalId}/nope`,
      { fields: [] },
      null,
    );
    expect(wrongForm.status).toBe(404);
    const listed = await call(sandbox, 'GET', `/form-integrations/v1/submissions/forms/${FORM}`);
    expect(listed.body).toEqual({ results: [] });
  });

  it('drops about dropRate of the webhooks while the Forms API keeps every submission', async () => {
    const hook = await receiver();
    const sandbox = await sandboxWith({
      workflowWebhook: { url: hook.url, clientSecret: SECRET, dropRate: 0.3 },
    });
    for (let i = 0; i < 100; i++) {
      expect(
        (await submit(sandbox, { email: `p${i}@partner.example`, customer_domain: `c${i}.example` })).status,
      ).toBe(200);
    }
    await call(sandbox, 'POST', '/_sandbox/webhooks/flush');
    const stats = (await call(sandbox, 'GET', '/_sandbox/stats')).body as {
      webhooks: { workflowDelivered: number; workflowDropped: number };
    };
    expect(stats.webhooks.workflowDelivered + stats.webhooks.workflowDropped).toBe(100);
    expect(stats.webhooks.workflowDropped).toBeGreaterThan(10);
    expect(stats.webhooks.workflowDropped).toBeLessThan(55);
    expect(hook.received).toHaveLength(stats.webhooks.workflowDelivered);

    const seen = new Set<string>();
    let after: string | undefined;
    do {
      const page = await call(
        sandbox,
        'GET',
        `/form-integrations/v1/submissions/forms/${FORM}?limit=50${after === undefined ? '' : `&after=${after}`}`,
      );
      const body = page.body as { results: { conversionId: string }[]; paging?: { next: { after: string } } };
      for (const result of body.results) seen.add(result.conversionId);
      after = body.paging?.next.after;
    } while (after !== undefined);
    expect(seen.size).toBe(100);
  });

  it('drops every webhook at dropRate 1 set through the admin endpoint', async () => {
    const hook = await receiver();
    const sandbox = await sandboxWith({ workflowWebhook: { url: hook.url, clientSecret: SECRET } });
    expect((await call(sandbox, 'PUT', '/_sandbox/webhooks', { dropRate: 1 })).status).toBe(200);
    await submit(sandbox, { email: 'a@b.example', customer_domain: 'c.example' });
    await call(sandbox, 'POST', '/_sandbox/webhooks/flush');
    expect(hook.received).toHaveLength(0);
    expect((await call(sandbox, 'PUT', '/_sandbox/webhooks', { dropRate: 2 })).status).toBe(400);
  });

  it('delivers a submission twice, identically, at workflowDuplicateRate 1', async () => {
    const hook = await receiver();
    const sandbox = await sandboxWith({ workflowWebhook: { url: hook.url, clientSecret: SECRET } });
    await call(sandbox, 'PUT', '/_sandbox/webhooks', { workflowDuplicateRate: 1 });
    await submit(sandbox, { email: 'a@b.example', customer_domain: 'c.example' });
    await call(sandbox, 'POST', '/_sandbox/webhooks/flush');
    expect(hook.received).toHaveLength(2);
    expect(hook.received[0]?.body).toBe(hook.received[1]?.body);
  });

  it('retries a 5xx answer with the same body and a fresh signature, but not a 4xx', async () => {
    const hook = await receiver([500, 503]);
    const sandbox = await sandboxWith({ workflowWebhook: { url: hook.url, clientSecret: SECRET } });
    await call(sandbox, 'PUT', '/_sandbox/webhooks', { retry: { maxAttempts: 4, delaysMs: [10] } });
    await submit(sandbox, { email: 'a@b.example', customer_domain: 'c.example' });
    await call(sandbox, 'POST', '/_sandbox/webhooks/flush');
    expect(hook.received).toHaveLength(3);
    expect(new Set(hook.received.map((request) => request.body)).size).toBe(1);
    for (const request of hook.received) expectSignedV3(request, hook.url, SECRET);

    const rejecting = await receiver([400]);
    await call(sandbox, 'PUT', '/_sandbox/webhooks', {
      workflow: { url: rejecting.url, clientSecret: SECRET },
    });
    await submit(sandbox, { email: 'a@b.example', customer_domain: 'c.example' });
    await call(sandbox, 'POST', '/_sandbox/webhooks/flush');
    expect(rejecting.received).toHaveLength(1);
    const stats = (await call(sandbox, 'GET', '/_sandbox/stats')).body as {
      webhooks: { workflowFailed: number };
    };
    expect(stats.webhooks.workflowFailed).toBe(1);
  });

  it('signs v3 over the URL with the percent-encodings HubSpot decodes before signing decoded', async () => {
    const hook = await receiver();
    const url = `${hook.url}?owner=alex%40cloudwise.example&tag=a%2Cb&name=x%20y`;
    const sandbox = await sandboxWith({ workflowWebhook: { url, clientSecret: SECRET } });
    await submit(sandbox, { email: 'a@b.example', customer_domain: 'c.example' });
    await call(sandbox, 'POST', '/_sandbox/webhooks/flush');
    const [request] = hook.received;
    if (request === undefined) throw new Error('no webhook sent');
    // "Validating requests from HubSpot" (v3): the receiver decodes %3A, %2F, %3F, %40, %21, %24,
    // %27, %28, %29, %2A, %2C and %3B in the URI, and only those, before hashing.
    expectSignedV3(request, `${hook.url}?owner=alex@cloudwise.example&tag=a,b&name=x%20y`, SECRET);
    // The v2 signature is over the URI exactly as sent.
    expectSignedV2(request, url, SECRET);
  });

  it('accepts cross-origin submissions like HubSpot: preflight and response carry CORS headers', async () => {
    const sandbox = await sandboxWith({});
    const path = `${sandbox.url}/submissions/v3/integration/submit/${sandbox.portalId}/${FORM}`;
    const preflight = await fetch(path, {
      method: 'OPTIONS',
      headers: { Origin: 'https://partners.example' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    const response = await submit(sandbox, { email: 'a@b.example', customer_domain: 'c.example' });
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('retries a receiver that refuses connections, then counts the webhook as failed', async () => {
    const closed = await receiver();
    const url = closed.url;
    await closed.stop();
    const sandbox = await sandboxWith({ workflowWebhook: { url, clientSecret: SECRET } });
    await call(sandbox, 'PUT', '/_sandbox/webhooks', { retry: { maxAttempts: 3, delaysMs: [10] } });
    await submit(sandbox, { email: 'a@b.example', customer_domain: 'c.example' });
    await call(sandbox, 'POST', '/_sandbox/webhooks/flush');
    const stats = (await call(sandbox, 'GET', '/_sandbox/stats')).body as {
      webhooks: { workflowAttempts: number; workflowFailed: number; workflowDelivered: number };
    };
    expect(stats.webhooks).toMatchObject({ workflowAttempts: 3, workflowFailed: 1, workflowDelivered: 0 });
  });

  it('stamps submittedAt from the sandbox clock and the signature timestamp from the real time of sending', async () => {
    const hook = await receiver();
    const at = Date.parse('2026-12-01T09:30:00Z');
    const sandbox = await sandboxWith({
      workflowWebhook: { url: hook.url, clientSecret: SECRET },
      now: () => at,
    });
    await submit(sandbox, { email: 'a@b.example', customer_domain: 'c.example' });
    await hook.waitFor(1);
    const [delivery] = hook.received;
    expect(JSON.parse(delivery?.body ?? '{}')).toMatchObject({
      properties: { email: { versions: [{ timestamp: at }] } },
    });
    const sentAt = Number(delivery?.headers['x-hubspot-request-timestamp']);
    expect(Math.abs(Date.now() - sentAt)).toBeLessThan(60_000);
    const listed = await call(sandbox, 'GET', `/form-integrations/v1/submissions/forms/${FORM}`);
    expect(listed.body).toMatchObject({ results: [{ submittedAt: at }] });
  });

  it('lists submissions newest first, 50 at most per page, with a stable after cursor', async () => {
    const sandbox = await sandboxWith({
      seed: {
        forms: [form],
        formSubmissions: Array.from({ length: 7 }, (_, i) => ({
          formGuid: FORM,
          conversionId: `conv-${i}`,
          submittedAt: 1_700_000_000_000 + i * 1000,
          values: [{ name: 'email', value: `p${i}@partner.example` }],
        })),
      },
    });
    const first = (await call(sandbox, 'GET', `/form-integrations/v1/submissions/forms/${FORM}?limit=3`))
      .body as {
      results: { conversionId: string }[];
      paging: { next: { after: string } };
    };
    expect(first.results.map((result) => result.conversionId)).toEqual(['conv-6', 'conv-5', 'conv-4']);
    // A new submission arriving between pages does not shift the next page.
    await submit(sandbox, { email: 'late@partner.example', customer_domain: 'late.example' });
    const second = (
      await call(
        sandbox,
        'GET',
        `/form-integrations/v1/submissions/forms/${FORM}?limit=3&after=${first.paging.next.after}`,
      )
    ).body as {
      results: { conversionId: string }[];
    };
    expect(second.results.map((result) => result.conversionId)).toEqual(['conv-3', 'conv-2', 'conv-1']);
    expect(
      (await call(sandbox, 'GET', `/form-integrations/v1/submissions/forms/${FORM}?limit=51`)).status,
    ).toBe(400);
  });
});

describe('HubSpot sandbox: CRM webhook subscriptions', () => {
  const CRM_SECRET = 'crm-client-secret';

  async function events(hook: { received: ReceivedRequest[] }): Promise<Record<string, unknown>[]> {
    return hook.received.flatMap((request) => JSON.parse(request.body) as Record<string, unknown>[]);
  }

  it('sends signed batches for deal creation, subscribed property changes and deal↔company association changes', async () => {
    const hook = await receiver();
    const sandbox = await sandboxWith({ crmWebhook: { url: hook.url, clientSecret: CRM_SECRET } });
    const client = clientFor(sandbox);
    const company = await client.crm.companies.basicApi.create({
      properties: { name: 'Partner' },
      associations: [],
    });
    const deal = await client.crm.deals.basicApi.create({
      properties: { dealname: 'D', dealstage: 'qualifiedtobuy' },
      associations: [],
    });
    await client.crm.deals.basicApi.update(deal.id, {
      properties: { dealstage: 'closedwon', description: 'not subscribed' },
    });
    await client.crm.associations.v4.basicApi.createDefault('deals', deal.id, 'companies', company.id);
    await client.crm.associations.v4.basicApi.archive('deals', deal.id, 'companies', company.id);
    await call(sandbox, 'POST', '/_sandbox/webhooks/flush');

    for (const request of hook.received) expectSignedV3(request, hook.url, CRM_SECRET);
    const received = await events(hook);
    const objectId = Number(deal.id);
    expect(received).toContainEqual(
      expect.objectContaining({ subscriptionType: 'deal.creation', objectId, portalId: sandbox.portalId }),
    );
    expect(received).toContainEqual(
      expect.objectContaining({
        subscriptionType: 'deal.propertyChange',
        objectId,
        propertyName: 'dealstage',
        propertyValue: 'qualifiedtobuy',
      }),
    );
    expect(received).toContainEqual(
      expect.objectContaining({
        subscriptionType: 'deal.propertyChange',
        objectId,
        propertyName: 'dealstage',
        propertyValue: 'closedwon',
      }),
    );
    expect(received.some((event) => event.propertyName === 'description')).toBe(false);
    const associationEvents = received.filter((event) => event.subscriptionType === 'deal.associationChange');
    expect(associationEvents).toEqual([
      expect.objectContaining({
        associationType: 'DEAL_TO_COMPANY',
        fromObjectId: objectId,
        toObjectId: Number(company.id),
        associationRemoved: false,
      }),
      expect.objectContaining({
        associationType: 'DEAL_TO_COMPANY',
        fromObjectId: objectId,
        toObjectId: Number(company.id),
        associationRemoved: true,
      }),
    ]);
    for (const event of received) {
      expect(event).toEqual(
        expect.objectContaining({
          eventId: expect.any(Number),
          subscriptionId: expect.any(Number),
          appId: expect.any(Number),
          occurredAt: expect.any(Number),
          attemptNumber: 0,
          changeSource: expect.any(String),
        }),
      );
    }
  });

  it('reports an association made from the company side from the deal side, without objectId, label or type id as HubSpot does', async () => {
    const hook = await receiver();
    const sandbox = await sandboxWith({
      crmWebhook: { url: hook.url, clientSecret: CRM_SECRET },
      seed: {
        companies: [{ id: '11', properties: { name: 'Partner', type: 'PARTNER' } }],
        deals: [{ id: '21', properties: { dealname: 'Deal' } }],
        labels: [{ from: 'companies', to: 'deals', label: 'Influenced', name: 'partner_influenced' }],
      },
    });
    const labels = await call(sandbox, 'GET', '/crm/v4/associations/companies/deals/labels');
    const influenced = (labels.body as { results: { typeId: number; label: string | null }[] }).results.find(
      (type) => type.label === 'Influenced',
    );
    await call(sandbox, 'PUT', '/crm/v4/objects/companies/11/associations/deals/21', [
      { associationCategory: 'USER_DEFINED', associationTypeId: influenced?.typeId },
    ]);
    await call(sandbox, 'POST', '/_sandbox/webhooks/flush');
    const received = (await events(hook)).filter(
      (event) => event.subscriptionType === 'deal.associationChange',
    );
    expect(received.length).toBeGreaterThan(0);
    for (const event of received) {
      expect(event).toEqual(
        expect.objectContaining({
          associationType: 'DEAL_TO_COMPANY',
          fromObjectId: 21,
          toObjectId: 11,
          associationRemoved: false,
          isPrimaryAssociation: false,
        }),
      );
      // "Webhooks API": an association change names the two objects, not the association.
      expect(Object.keys(event)).not.toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^(objectId|associationLabel|associationTypeId|associationCategory)$/),
        ]),
      );
    }
  });

  it('sends batches of at most 100 events and can duplicate every event on request', async () => {
    const hook = await receiver();
    const sandbox = await sandboxWith({ crmWebhook: { url: hook.url, clientSecret: CRM_SECRET } });
    await call(sandbox, 'PUT', '/_sandbox/webhooks', {
      crmDuplicateRate: 1,
      crmShuffle: true,
      subscribedProperties: [],
    });
    const client = clientFor(sandbox);
    for (let chunk = 0; chunk < 2; chunk++) {
      await client.crm.deals.batchApi.create({
        inputs: Array.from({ length: 60 }, (_, i) => ({
          properties: { dealname: `deal ${chunk}-${i}` },
          associations: [],
        })),
      });
    }
    await call(sandbox, 'POST', '/_sandbox/webhooks/flush');
    const batches = hook.received.map(
      (request) => JSON.parse(request.body) as { objectId: number; eventId: number }[],
    );
    expect(batches.every((batch) => batch.length <= 100)).toBe(true);
    const all = batches.flat();
    expect(all).toHaveLength(240);
    const byObject = new Map<number, number>();
    for (const event of all) byObject.set(event.objectId, (byObject.get(event.objectId) ?? 0) + 1);
    expect([...byObject.values()].every((count) => count === 2)).toBe(true);
  });

  it('retries a failed batch with attemptNumber counting up', async () => {
    const hook = await receiver([502]);
    const sandbox = await sandboxWith({ crmWebhook: { url: hook.url, clientSecret: CRM_SECRET } });
    await call(sandbox, 'PUT', '/_sandbox/webhooks', { retry: { delaysMs: [10] }, subscribedProperties: [] });
    await clientFor(sandbox).crm.deals.basicApi.create({
      properties: { dealname: 'retry me' },
      associations: [],
    });
    await call(sandbox, 'POST', '/_sandbox/webhooks/flush');
    const attempts = hook.received.map(
      (request) => (JSON.parse(request.body) as { attemptNumber: number }[])[0]?.attemptNumber,
    );
    expect(attempts).toEqual([0, 1]);
  });
  it('retries a batch answered with any status but 400, 401, 403, 404 and 405, as the Webhooks API does', async () => {
    const hook = await receiver([413, 415, 409]);
    const sandbox = await sandboxWith({ crmWebhook: { url: hook.url, clientSecret: CRM_SECRET } });
    await call(sandbox, 'PUT', '/_sandbox/webhooks', { retry: { delaysMs: [10] }, subscribedProperties: [] });
    await clientFor(sandbox).crm.deals.basicApi.create({
      properties: { dealname: 'again' },
      associations: [],
    });
    await call(sandbox, 'POST', '/_sandbox/webhooks/flush');
    expect(hook.received).toHaveLength(4);

    const refusing = await receiver([401]);
    await call(sandbox, 'PUT', '/_sandbox/webhooks', {
      crm: { url: refusing.url, clientSecret: CRM_SECRET },
    });
    await clientFor(sandbox).crm.deals.basicApi.create({ properties: { dealname: 'no' }, associations: [] });
    await call(sandbox, 'POST', '/_sandbox/webhooks/flush');
    expect(refusing.received).toHaveLength(1);
  });

  it('signs a batch with v1 (X-HubSpot-Signature-Version v1) beside v3, as the Webhooks API does', async () => {
    const hook = await receiver();
    const sandbox = await sandboxWith({ crmWebhook: { url: hook.url, clientSecret: CRM_SECRET } });
    await call(sandbox, 'PUT', '/_sandbox/webhooks', { subscribedProperties: [] });
    await clientFor(sandbox).crm.deals.basicApi.create({ properties: { dealname: 'v1' }, associations: [] });
    await call(sandbox, 'POST', '/_sandbox/webhooks/flush');
    const [request] = hook.received;
    if (request === undefined) throw new Error('no batch sent');
    expect(request.headers['x-hubspot-signature-version']).toBe('v1');
    expect(request.headers['x-hubspot-signature']).toBe(
      createHash('sha256').update(`${CRM_SECRET}${request.body}`).digest('hex'),
    );
    expectSignedV3(request, hook.url, CRM_SECRET);
  });
});
