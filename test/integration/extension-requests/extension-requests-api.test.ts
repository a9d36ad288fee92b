import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { approvalLinkFor } from '#domain/approvals/approval-link.ts';
import { pageCsp } from '#pages/page-layout.ts';
import { handOverGraceMs } from '#use-cases/signed-link-pages.ts';
import {
  type ExtensionRequestsApi,
  offerExpiresAt,
  partnerEmail,
  startExtensionRequestsApi,
} from './extension-requests-harness.ts';

let harness: ExtensionRequestsApi;

beforeAll(async () => {
  harness = await startExtensionRequestsApi();
});

afterAll(async () => {
  await harness.api.stop();
});

beforeEach(() => {
  harness.sfn.sent.length = 0;
  harness.sfn.failures = [];
  harness.clock = new Date('2027-02-06T09:30:00Z');
});

const userAgent = 'Mozilla/5.0 (extension test)';

async function openPage(link: string) {
  const response = await fetch(link, { headers: { 'user-agent': userAgent } });
  return { status: response.status, body: await response.text(), headers: response.headers };
}

function pageFields(body: string): { t: string; nonce: string } {
  const t = /name="t" value="([^"]*)"/.exec(body)?.[1];
  const nonce = /name="nonce" value="([^"]*)"/.exec(body)?.[1];
  if (t === undefined || nonce === undefined) throw new Error('the page has no request form');
  return { t, nonce };
}

async function post(
  link: string,
  fields: Record<string, string>,
  contentType = 'application/x-www-form-urlencoded',
) {
  const url = new URL(link);
  url.search = '';
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': contentType, 'user-agent': userAgent },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: response.status, body: await response.text() };
}

async function requestFromPage(
  link: string,
  fields: Record<string, string> = { reason: 'Legal review moved to March' },
) {
  const page = await openPage(link);
  return post(link, { ...pageFields(page.body), ...fields });
}

describe('GET /registrations/{registrationId}/extension', () => {
  it('renders the confirmation page with the approval pages’ headers and changes nothing, however often it is opened', async () => {
    const { registrationId, link } = await harness.offer();

    const first = await openPage(link);
    const second = await openPage(link);

    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(first.body).toContain('Acme &lt;Analytics&gt;');
    expect(first.body).toContain('Saturday 20 February 2027, 18:00');
    expect(first.body).toContain('name="reason"');
    expect(first.body.match(/<button/g)).toHaveLength(1);
    expect(first.body).not.toContain('<script');
    expect(first.headers.get('content-security-policy')).toBe(pageCsp);
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(first.headers.get('referrer-policy')).toBe('no-referrer');
    expect(first.headers.get('x-frame-options')).toBe('DENY');
    const item = await harness.item(registrationId);
    expect(item?.extensionRequest).toBeUndefined();
    expect(harness.sfn.sent).toEqual([]);
  });

  it('refuses a tampered token with 403', async () => {
    const { link } = await harness.offer();
    const url = new URL(link);
    const token = url.searchParams.get('t') ?? '';
    const last = token.at(-2) === 'A' ? 'B' : 'A';
    url.searchParams.set('t', `${token.slice(0, -2)}${last}${token.at(-1)}`);

    const page = await openPage(url.toString());

    expect(page.status).toBe(403);
    expect(page.body).toContain('not valid');
  });

  it('refuses an approval link token for the same id with 403', async () => {
    const { registrationId } = await harness.offer();
    const url = new URL(
      await approvalLinkFor(
        harness.key,
        harness.api.url,
        { approvalId: registrationId, approver: { email: partnerEmail }, step: 'first-level' },
        new Date(offerExpiresAt),
      ),
    );
    url.pathname = `/registrations/${registrationId}/extension`;

    const page = await openPage(url.toString());

    expect(page.status).toBe(403);
  });

  it('refuses another registration’s link and a link issued to someone else with 403', async () => {
    const first = await harness.offer();
    const second = await harness.offer();
    const otherRegistration = new URL(second.link);
    otherRegistration.pathname = `/registrations/${first.registrationId}/extension`;

    const wrongRegistration = await openPage(otherRegistration.toString());
    const wrongPartner = await openPage(
      await harness.linkFor(first.registrationId, { partnerEmail: 'someone@elsewhere.example' }),
    );

    expect(wrongRegistration.status).toBe(403);
    expect(wrongRegistration.body).toContain('another registration');
    expect(wrongPartner.status).toBe(403);
    expect(wrongPartner.body).toContain('issued to someone else');
  });

  it('answers 410 once the offer has run out', async () => {
    const { link } = await harness.offer();
    harness.clock = new Date(Date.parse(offerExpiresAt) + 1000);

    const page = await openPage(link);

    expect(page.status).toBe(410);
    expect(page.body).toContain('could be requested until');
  });

  it('answers 410 for a link that outlived an offer the workflow shortened', async () => {
    const { link } = await harness.offer({
      extensionOffer: {
        offeredAt: '2027-02-06T09:00:00.000Z',
        expiresAt: '2027-02-06T09:10:00.000Z',
        partnerEmail,
      },
    });

    const page = await openPage(link);

    expect(page.status).toBe(410);
  });

  it('answers 404 for a registration with no extension on offer', async () => {
    const { registrationId } = await harness.offer({
      extensionOffer: undefined,
      extensionCallbackToken: undefined,
    });

    const page = await openPage(await harness.linkFor(registrationId));

    expect(page.status).toBe(404);
    expect(page.body).toContain('no extension on offer');
  });

  it('answers a link opened after the request was decided with where to read the outcome, not only 404', async () => {
    const { registrationId } = await harness.offer({
      extensionOffer: undefined,
      extensionCallbackToken: undefined,
      extensionRequest: {
        requestedAt: '2027-02-07T10:00:00.000Z',
        requestedBy: 'pat@cloudsmiths.example',
        reason: 'Board meets in March.',
      },
    });

    const page = await openPage(await harness.linkFor(registrationId));

    expect(page.status).toBe(404);
    expect(page.body).toContain('you already asked for the extension');
    expect(page.body).toContain('the status page');
  });
});

describe('POST /registrations/{registrationId}/extension', () => {
  it('records the request once and resumes the workflow with the stored token', async () => {
    const { registrationId, link } = await harness.offer();

    const response = await requestFromPage(link, { reason: '  Legal review moved to March  ' });

    expect(response.status).toBe(200);
    expect(response.body).toContain('your extension request is recorded');
    const expected = {
      requestedAt: '2027-02-06T09:30:00.000Z',
      requestedBy: partnerEmail,
      reason: 'Legal review moved to March',
    };
    expect(harness.sfn.sent).toEqual([
      { taskToken: `task-token-${registrationId}`, output: { extensionRequest: expected } },
    ]);
    const item = await harness.item(registrationId);
    expect(item?.extensionRequest).toEqual(expected);
    expect(item?.extensionRequestAccess).toEqual({
      at: '2027-02-06T09:30:00.000Z',
      userAgent,
      sourceIp: '127.0.0.1',
    });
    expect(item?.extensionRequestHandedOverAt).toBe('2027-02-06T09:30:00.000Z');
  });

  it('answers a second request with 409 saying when the first was made, and resumes nothing more', async () => {
    const { registrationId, link } = await harness.offer();
    const page = await openPage(link);
    await post(link, { ...pageFields(page.body), reason: 'First' });
    harness.clock = new Date('2027-02-06T09:35:00Z');

    const second = await post(link, { ...pageFields(page.body), reason: 'Second' });
    const reopened = await openPage(link);

    expect(second.status).toBe(409);
    // The link is the partner's alone: the first request is theirs (a reload, a second tab), and it stands.
    expect(second.body).toContain(
      'Your request stands, as recorded: Pat@Cloudsmiths.example requested the extension on Saturday 6 February 2027, 10:30',
    );
    expect(second.body).not.toContain('not recorded');
    expect(second.body).toContain('An approver decides on it; you will be emailed the outcome.');
    expect(reopened.status).toBe(200);
    expect(reopened.body).toContain('The extension was already requested');
    expect(harness.sfn.sent).toHaveLength(1);
    expect((await harness.item(registrationId))?.extensionRequest).toMatchObject({ reason: 'First' });
  });

  it('lets exactly one of two simultaneous requests through', async () => {
    const { registrationId, link } = await harness.offer();
    const fields = pageFields((await openPage(link)).body);

    const results = await Promise.all([
      post(link, { ...fields, reason: 'One' }),
      post(link, { ...fields, reason: 'Two' }),
    ]);

    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(harness.sfn.sent).toHaveLength(1);
    const stored = (await harness.item(registrationId))?.extensionRequest as { reason: string };
    expect(harness.sfn.sent[0]?.output.extensionRequest.reason).toBe(stored.reason);
  });

  it('refuses a request without the page’s nonce, or with another page’s, with 403', async () => {
    const first = await harness.offer();
    const second = await harness.offer();
    const token = new URL(first.link).searchParams.get('t') ?? '';
    const otherNonce = pageFields((await openPage(second.link)).body).nonce;

    const withoutNonce = await post(first.link, { t: token, reason: 'x' });
    const withOtherNonce = await post(first.link, { t: token, nonce: otherNonce, reason: 'x' });

    expect(withoutNonce.status).toBe(403);
    expect(withOtherNonce.status).toBe(403);
    expect(withOtherNonce.body).toContain('did not come from the extension page');
    expect((await harness.item(first.registrationId))?.extensionRequest).toBeUndefined();
    expect(harness.sfn.sent).toEqual([]);
  });

  it('refuses a page left open longer than its lifetime with 403', async () => {
    const { link } = await harness.offer();
    const fields = pageFields((await openPage(link)).body);
    harness.clock = new Date(harness.clock.getTime() + 31 * 60_000);

    const response = await post(link, { ...fields, reason: 'Late' });

    expect(response.status).toBe(403);
    expect(response.body).toContain('open too long');
    // The request did come from the page: the title says it was open too long, not to use the page.
    expect(response.body).not.toContain('Please send your');
    expect(response.body).toContain('<h1>This extension page was open too long</h1>');
  });

  it('asks for the reason with 400 and records nothing', async () => {
    const { registrationId, link } = await harness.offer();

    const response = await requestFromPage(link, { reason: '   ' });

    expect(response.status).toBe(400);
    expect(response.body).toContain('reason is required');
    expect((await harness.item(registrationId))?.extensionRequest).toBeUndefined();
    expect(harness.sfn.sent).toEqual([]);
  });

  it('answers 410 when the offer ran out while the page was open, and records nothing', async () => {
    const { registrationId, link } = await harness.offer({
      extensionOffer: {
        offeredAt: '2027-02-06T09:00:00.000Z',
        expiresAt: '2027-02-06T09:40:00.000Z',
        partnerEmail,
      },
    });
    const fields = pageFields((await openPage(link)).body);
    harness.clock = new Date('2027-02-06T09:40:00Z');

    const response = await post(link, { ...fields, reason: 'Just in time?' });

    expect(response.status).toBe(410);
    expect((await harness.item(registrationId))?.extensionRequest).toBeUndefined();
    expect(harness.sfn.sent).toEqual([]);
  });

  it('refuses a JSON body with 415', async () => {
    const { link } = await harness.offer();

    const response = await post(link, { reason: 'x' }, 'application/json');

    expect(response.status).toBe(415);
  });

  it('keeps a request the workflow could not take (503) and hands it over when the link is opened later', async () => {
    const { registrationId, link } = await harness.offer();
    harness.sfn.failures = ['ServiceUnavailable'];

    const response = await requestFromPage(link);
    const soon = await openPage(link);
    harness.clock = new Date(harness.clock.getTime() + handOverGraceMs + 1000);
    const later = await openPage(link);

    expect(response.status).toBe(503);
    expect(soon.status).toBe(200);
    expect(later.status).toBe(200);
    expect(harness.sfn.sent).toHaveLength(1);
    expect(harness.sfn.sent[0]?.taskToken).toBe(`task-token-${registrationId}`);
    expect((await harness.item(registrationId))?.extensionRequestHandedOverAt).toBeDefined();
  });

  it('answers 410 when the workflow had already stopped waiting', async () => {
    const { registrationId, link } = await harness.offer();
    harness.sfn.failures = ['TaskTimedOut'];

    const response = await requestFromPage(link);

    expect(response.status).toBe(410);
    expect((await harness.item(registrationId))?.extensionRequestHandedOverAt).toBeDefined();
  });

  it('takes the request of a later offer, and retries its hand-over, though an earlier request was handed over', async () => {
    const { registrationId, link } = await harness.offer();
    await requestFromPage(link, { reason: 'First extension' });
    // The workflow approved it and, before the new expiry, offered again (a policy with two extensions).
    const laterExpiry = '2027-05-21T17:00:00.000Z';
    await harness.documentClient.send(
      new UpdateCommand({
        TableName: harness.tableName,
        Key: { registrationId },
        UpdateExpression:
          'SET extensionOffer = :offer, extensionCallbackToken = :token REMOVE extensionRequest',
        ExpressionAttributeValues: {
          ':offer': { offeredAt: '2027-05-07T09:00:00.000Z', expiresAt: laterExpiry, partnerEmail },
          ':token': 'task-token-of-the-second-offer',
        },
      }),
    );
    harness.clock = new Date('2027-05-07T09:30:00Z');
    const laterLink = await harness.linkFor(registrationId, { expiresAt: new Date(laterExpiry) });
    harness.sfn.failures = ['ServiceUnavailable'];

    const response = await requestFromPage(laterLink, { reason: 'Second extension' });
    harness.clock = new Date(harness.clock.getTime() + handOverGraceMs + 1000);
    await openPage(laterLink);

    expect(response.status).toBe(503);
    expect(harness.sfn.sent.map((sent) => [sent.taskToken, sent.output.extensionRequest.reason])).toEqual([
      [`task-token-${registrationId}`, 'First extension'],
      ['task-token-of-the-second-offer', 'Second extension'],
    ]);
  });
});
