import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkflowUnderTest, type WorkflowUnderTest, workflowPeople } from './workflow-harness.ts';

const { partner, channelManager } = workflowPeople;

/**
 * After approval: the expiry warning, one extension on request (approved by an approver) and
 * expiry as a ledger entry, on the virtual clock. Default policy: valid 90 days, warned 14 days
 * before, one extension of 90 days.
 */
const day = 86_400_000;

let harness: WorkflowUnderTest;

beforeAll(async () => {
  harness = await startWorkflowUnderTest({
    // HubSpot's 500s are retried by the connection without pausing, so an outage is quick to exhaust.
    hubspot: { sleep: async () => undefined },
  });
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

async function warningsFor(domain: string) {
  return (await harness.mails({ to: partner, template: 'expiry-warning' })).filter((mail) =>
    mail.text.includes(domain),
  );
}

/** Opens the extension link of the latest warning and asks for the extension with a reason. */
async function requestExtension(domain: string, reason: string) {
  const link = (await warningsFor(domain))
    .at(-1)
    ?.links.find((candidate) => candidate.includes('/extension'));
  if (link === undefined) throw new Error(`no extension link in the warning about ${domain}`);
  const page = await (await fetch(link)).text();
  const token = /name="t" value="([^"]+)"/.exec(page)?.[1] ?? '';
  const nonce = /name="nonce" value="([^"]+)"/.exec(page)?.[1] ?? '';
  const response = await fetch(link.split('?')[0] ?? link, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ t: token, nonce, reason }).toString(),
  });
  await harness.settle();
  return response.status;
}

/** The status page the partner's latest email links to, as text. */
async function statusPage(registrationId: string): Promise<string> {
  const link = (await harness.mails({ to: partner }))
    .flatMap((mail) => mail.links)
    .findLast((candidate) => candidate.includes(`/registrations/${registrationId}/status?t=`));
  if (link === undefined) throw new Error(`no status link for ${registrationId}`);
  const page = await fetch(link);
  expect(page.status).toBe(200);
  return (await page.text()).replace(/<[^>]+>/g, '');
}

/** Moves the registration's deal to `stage` in HubSpot (the sandbox), as a rep would. */
async function moveDeal(registrationId: string, stage: string) {
  const dealId = (await harness.registration(registrationId)).progress?.dealId;
  const { sandbox } = harness.sandbox;
  const response = await fetch(`${sandbox.url}/crm/v3/objects/deals/${dealId}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${sandbox.accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ properties: { dealstage: stage } }),
  });
  expect(response.status).toBe(200);
}

describe('validity of a registration whose deal closed (policy validity.onClosedWon keep, onClosedLost end)', () => {
  it('closed won before the warning: no warning, no expiry, and the protection is kept for good', async () => {
    const registrationId = await harness.submit({
      customer_domain: 'won-early.com',
      estimated_amount: '9000',
    });
    const expiresAt = new Date((await harness.registration(registrationId)).progress?.expiresAt ?? '');
    await moveDeal(registrationId, 'closedwon');

    await harness.clock.setTo(new Date(expiresAt.getTime() - 14 * day + 60_000).toISOString());
    await harness.clock.setTo(new Date(expiresAt.getTime() + day).toISOString());

    const kept = await harness.registration(registrationId);
    expect(await warningsFor('won-early.com')).toEqual([]);
    expect(kept.progress).toMatchObject({
      status: 'approved',
      closedDeal: { outcome: 'won', stage: 'closedwon', protection: 'kept' },
    });
    expect(kept.progress?.expiresAt).toBeUndefined();
    expect(kept.standing?.expiresAt).toBeUndefined();
    // The warning step found the deal closed and answered at once: no email, no wait.
    expect(harness.statesVisited(registrationId).slice(-4)).toEqual([
      'Wait until expiry warning',
      'Warn partner of expiry',
      'Closed deal, or extension requested?',
      'Protection kept for the closed deal',
    ]);
    expect(harness.runner.describeExecution(registrationId).status).toBe('SUCCEEDED');
  });

  it('closed lost before the warning: no warning; the protection ends then, as a ledger entry', async () => {
    const registrationId = await harness.submit({
      customer_domain: 'lost-early.com',
      estimated_amount: '9000',
    });
    const expiresAt = new Date((await harness.registration(registrationId)).progress?.expiresAt ?? '');
    await moveDeal(registrationId, 'closedlost');
    const warnAt = new Date(expiresAt.getTime() - 14 * day + 60_000);

    await harness.clock.setTo(warnAt.toISOString());

    const ended = await harness.registration(registrationId);
    expect(await warningsFor('lost-early.com')).toEqual([]);
    expect(ended.progress).toMatchObject({
      status: 'expired',
      closedDeal: { outcome: 'lost', stage: 'closedlost', protection: 'ended' },
    });
    const chain = await harness.ledgerChain(ended.progress?.dealId ?? '');
    const expiry = chain.find((entry) => entry.type === 'RegistrationExpired');
    expect(Date.parse(expiry?.effectiveAt ?? '')).toBeLessThan(expiresAt.getTime());
    expect(harness.statesVisited(registrationId).slice(-4)).toEqual([
      'Wait until expiry warning',
      'Warn partner of expiry',
      'Closed deal, or extension requested?',
      'Expire registration',
    ]);
    expect(harness.runner.describeExecution(registrationId).status).toBe('SUCCEEDED');
  });

  it('closed won after the warning: the expiry keeps the protection instead of ending it', async () => {
    const registrationId = await harness.submit({
      customer_domain: 'won-late.com',
      estimated_amount: '9000',
    });
    const expiresAt = new Date((await harness.registration(registrationId)).progress?.expiresAt ?? '');
    await harness.clock.setTo(new Date(expiresAt.getTime() - 14 * day + 60_000).toISOString());
    expect(await warningsFor('won-late.com')).toHaveLength(1);
    await moveDeal(registrationId, 'closedwon');

    await harness.clock.setTo(new Date(expiresAt.getTime() + 60_000).toISOString());

    expect((await harness.registration(registrationId)).progress).toMatchObject({
      status: 'approved',
      closedDeal: { outcome: 'won', protection: 'kept' },
    });
  });
  it('closed won in a stage added in HubSpot after the warning read the pipelines: the expiry reads them again and keeps the protection', async () => {
    const registrationId = await harness.submit({
      customer_domain: 'won-new-stage.com',
      estimated_amount: '9000',
    });
    const expiresAt = new Date((await harness.registration(registrationId)).progress?.expiresAt ?? '');
    // The warning reads the deal's stage, and with it the portal's pipelines.
    await harness.clock.setTo(new Date(expiresAt.getTime() - 14 * day + 60_000).toISOString());
    expect(await warningsFor('won-new-stage.com')).toHaveLength(1);
    // Then an admin creates a pipeline whose ids HubSpot makes numbers ("CRM API | Pipelines") and
    // the rep wins the deal there.
    const { sandbox } = harness.sandbox;
    await fetch(`${sandbox.url}/_sandbox/seed`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        pipelines: [
          {
            id: '64200100',
            label: 'Expansion',
            stages: [
              { id: '64200101', label: 'Scoping', probability: 0.3, isClosed: false },
              { id: '64200102', label: 'Expanded', probability: 1, isClosed: true },
            ],
          },
        ],
      }),
    });
    const dealId = (await harness.registration(registrationId)).progress?.dealId;
    const moved = await fetch(`${sandbox.url}/crm/v3/objects/deals/${dealId}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${sandbox.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ properties: { pipeline: '64200100', dealstage: '64200102' } }),
    });
    expect(moved.status).toBe(200);

    await harness.clock.setTo(new Date(expiresAt.getTime() + 60_000).toISOString());

    expect((await harness.registration(registrationId)).progress).toMatchObject({
      status: 'approved',
      closedDeal: { outcome: 'won', stage: '64200102', protection: 'kept' },
    });
  });
});

describe('validity of an approved registration', () => {
  it('warns before expiry, then expires: a ledger entry and a HubSpot status, not a deletion', async () => {
    const registrationId = await harness.submit({ customer_domain: 'expires.com', estimated_amount: '9000' });
    const approved = await harness.registration(registrationId);
    const expiresAt = new Date(approved.progress?.expiresAt ?? '');
    const approvedAt = new Date(approved.progress?.approvedAt ?? '');
    expect(Math.round((expiresAt.getTime() - approvedAt.getTime()) / day)).toBe(90);

    await harness.clock.setTo(new Date(expiresAt.getTime() - 14 * day + 60_000).toISOString());
    const [warning] = await warningsFor('expires.com');
    expect(warning?.links.some((link) => link.includes(`/registrations/${registrationId}/extension`))).toBe(
      true,
    );
    expect((await harness.registration(registrationId)).progress?.status).toBe('approved');

    await harness.clock.setTo(new Date(expiresAt.getTime() + 60_000).toISOString());

    const expired = await harness.registration(registrationId);
    expect(expired.progress).toMatchObject({ status: 'expired' });
    const dealId = expired.progress?.dealId ?? '';
    const chain = await harness.ledgerChain(dealId);
    expect(chain.map((entry) => entry.type)).toEqual([
      'OpportunityCreated',
      'RegistrationApproved',
      'PartnerAttached',
      'RegistrationExpired',
    ]);
    const records = await harness.hubspotRecords('deal_registration');
    expect(
      records.find((record) => record.properties.dealreg_registration_id === registrationId)?.properties,
    ).toMatchObject({
      dealreg_status: 'expired',
    });
    expect(harness.runner.describeExecution(registrationId).status).toBe('SUCCEEDED');
    expect(harness.statesVisited(registrationId).slice(-3)).toEqual([
      'Wait until expiry warning',
      'Warn partner of expiry',
      'Expire registration',
    ]);
  });

  it('extension: the partner asks from the warning, the approver approves, expiry moves once and only once', async () => {
    const registrationId = await harness.submit({
      customer_domain: 'extend-me.com',
      estimated_amount: '9000',
    });
    const firstExpiry = new Date((await harness.registration(registrationId)).progress?.expiresAt ?? '');

    await harness.clock.setTo(new Date(firstExpiry.getTime() - 14 * day + 60_000).toISOString());
    expect(await requestExtension('extend-me.com', 'The customer moved the board meeting to March.')).toBe(
      200,
    );
    const [request] = (await harness.mails({ to: channelManager, template: 'approval-request' })).filter(
      (mail) => mail.text.includes('extend-me.com'),
    );
    expect(request).toBeDefined();
    // The approver is asked about the extension, with the partner's reason, not about a new registration.
    expect(request?.subject).toContain('extension');
    expect(request?.text).toContain('asks to extend');
    expect(request?.text).toContain('The customer moved the board meeting to March.');
    expect(request?.text).not.toContain('registered a deal with');
    await harness.decide(channelManager, 'approve');

    const extended = await harness.registration(registrationId);
    const secondExpiry = new Date(extended.progress?.expiresAt ?? '');
    expect(extended.progress).toMatchObject({ status: 'approved', extensions: 1 });
    expect(Math.round((secondExpiry.getTime() - firstExpiry.getTime()) / day)).toBe(90);
    expect(harness.statesVisited(registrationId)).toContain('Extend validity');
    // The partner is told the extension was granted, and until when.
    const [granted] = (await harness.mails({ to: partner, template: 'registration-decision' }))
      .filter((mail) => mail.text.includes('extend-me.com'))
      .slice(-1);
    expect(granted?.subject).toContain('Extension approved');
    expect(granted?.text).toContain('The extension of your registration of the deal with');
    // The status page says the request was decided, not that an approver still decides on it.
    const grantedPage = await statusPage(registrationId);
    expect(grantedPage).toContain('it was approved on');
    expect(grantedPage).not.toContain('An approver decides on it');

    // Past the first expiry it still holds; the second warning offers no extension; it expires at the new date.
    await harness.clock.setTo(new Date(firstExpiry.getTime() + day).toISOString());
    expect((await harness.registration(registrationId)).progress?.status).toBe('approved');
    await harness.clock.setTo(new Date(secondExpiry.getTime() - 14 * day + 60_000).toISOString());
    const warnings = await warningsFor('extend-me.com');
    expect(warnings).toHaveLength(2);
    expect(warnings[1]?.links.some((link) => link.includes('/extension'))).toBe(false);
    await harness.clock.setTo(new Date(secondExpiry.getTime() + 60_000).toISOString());
    expect((await harness.registration(registrationId)).progress?.status).toBe('expired');
  });

  it('extension whose HubSpot update fails after the new expiry is saved: retried and redriven, it moves the expiry once', async () => {
    const registrationId = await harness.submit({
      customer_domain: 'extend-despite-outage.com',
      estimated_amount: '9000',
    });
    const firstExpiry = new Date((await harness.registration(registrationId)).progress?.expiresAt ?? '');
    await harness.clock.setTo(new Date(firstExpiry.getTime() - 14 * day + 60_000).toISOString());
    expect(await requestExtension('extend-despite-outage.com', 'Procurement needs another quarter.')).toBe(
      200,
    );

    // HubSpot refuses every update of a record: "Extend validity" saves the new expiry, then
    // fails updating the Deal Registration record, on every retry.
    await harness.sandbox.control('/_sandbox/faults', {
      body: { path: '^/crm/v3/objects/', method: 'PATCH', status: 500, times: 10_000 },
    });
    await harness.decide(channelManager, 'approve');
    const afterRetries = await harness.registration(registrationId);
    expect(harness.runner.describeExecution(registrationId).status).toBe('FAILED');
    expect(harness.statesVisited(registrationId).at(-1)).toBe('Extend validity');
    expect(afterRetries.progress).toMatchObject({ extensions: 1 });
    expect(
      Math.round((Date.parse(afterRetries.progress?.expiresAt ?? '') - firstExpiry.getTime()) / day),
    ).toBe(90);

    await harness.sandbox.control('/_sandbox/faults', { method: 'DELETE' });
    const stoppedAfter = new Date(firstExpiry.getTime() - 30 * day).toISOString();
    const [failed] = (await harness.workflow.failedExecutions({ stoppedAfter })).filter(
      (execution) => execution.registrationId === registrationId,
    );
    expect(failed).toBeDefined();
    await harness.workflow.redrive(failed?.execution ?? '');
    await harness.settle();

    const extended = await harness.registration(registrationId);
    expect(extended.progress).toMatchObject({ status: 'approved', extensions: 1 });
    expect(Math.round((Date.parse(extended.progress?.expiresAt ?? '') - firstExpiry.getTime()) / day)).toBe(
      90,
    );
    const [record] = (await harness.hubspotRecords('deal_registration')).filter(
      (candidate) => candidate.properties.dealreg_registration_id === registrationId,
    );
    // New York's date of the new expiry (the default policy's calendar).
    expect(record?.properties.dealreg_expires_on).toBe(
      new Date(extended.progress?.expiresAt ?? '').toLocaleDateString('en-CA', {
        timeZone: 'America/New_York',
      }),
    );
  });

  it('extension nobody decides: the SLA default approves it, and the approver is told of the extension', async () => {
    const registrationId = await harness.submit({
      customer_domain: 'default-extension.com',
      estimated_amount: '9000',
    });
    const expiry = new Date((await harness.registration(registrationId)).progress?.expiresAt ?? '');

    await harness.clock.setTo(new Date(expiry.getTime() - 14 * day + 60_000).toISOString());
    expect(await requestExtension('default-extension.com', 'Budget approval moved.')).toBe(200);
    await harness.clock.setTo(new Date(expiry.getTime() - 60_000).toISOString());

    expect((await harness.registration(registrationId)).progress?.extensions).toBe(1);
    const [told] = (await harness.mails({ template: 'sla-default-decided' })).filter((mail) =>
      mail.text.includes(registrationId),
    );
    expect(told?.text).toContain(': approved the extension.');
    expect(told?.text).not.toContain('approved as Partner-');
    const [granted] = (await harness.mails({ to: partner, template: 'registration-decision' }))
      .filter((mail) => mail.text.includes('default-extension.com'))
      .slice(-1);
    expect(granted?.subject).toContain('Extension approved');
    expect(granted?.text).not.toContain('An approver approved');
  });

  it('extension refused: the partner is told the registration still protects the deal until its expiry', async () => {
    const registrationId = await harness.submit({
      customer_domain: 'refuse-extension.com',
      estimated_amount: '9000',
    });
    const expiry = new Date((await harness.registration(registrationId)).progress?.expiresAt ?? '');

    await harness.clock.setTo(new Date(expiry.getTime() - 14 * day + 60_000).toISOString());
    expect(await requestExtension('refuse-extension.com', 'Procurement is slow.')).toBe(200);
    await harness.decide(channelManager, 'reject', { reason: 'The deal has gone quiet.' });

    expect((await harness.registration(registrationId)).progress).toMatchObject({
      status: 'approved',
      expiresAt: expiry.toISOString(),
    });
    const [refused] = (await harness.mails({ to: partner, template: 'registration-decision' }))
      .filter((mail) => mail.text.includes('refuse-extension.com'))
      .slice(-1);
    expect(refused?.subject).toContain('Extension not approved');
    expect(refused?.text).toContain('The deal has gone quiet.');
    expect(refused?.text).not.toContain('no protection applies');
    expect(refused?.text).toContain('Your registration stays approved and protects this deal until');
    // The status page says the request was refused, and why, not that an approver still decides on it.
    const refusedPage = await statusPage(registrationId);
    expect(refusedPage).toContain('it was not approved');
    expect(refusedPage).toContain('The deal has gone quiet.');
    expect(refusedPage).not.toContain('An approver decides on it');
  });
});
