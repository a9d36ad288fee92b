import { readFile } from 'node:fs/promises';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPolicyFile } from '#bin/commands/policy.ts';
import { startWorkflowUnderTest, type WorkflowUnderTest, workflowPeople } from './workflow-harness.ts';

const { partner, channelManager } = workflowPeople;
const day = 86_400_000;
const timeZone = 'Australia/Sydney';

/**
 * A program run from Sydney: the harness's clock starts at 14:00 UTC, which is already 01:00 the
 * next day there, so the expiry's date in the calendar's zone is not its date in UTC.
 */
let harness: WorkflowUnderTest;

beforeAll(async () => {
  const policy = JSON.parse(await readFile(defaultPolicyFile, 'utf8'));
  harness = await startWorkflowUnderTest({
    policy: { ...policy, calendar: { ...policy.calendar, timeZone, holidays: [] } },
  });
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

const localDate = (instant: string | Date) =>
  DateTime.fromJSDate(new Date(instant), { zone: timeZone }).toISODate();

async function recordOf(registrationId: string) {
  const records = await harness.hubspotRecords('deal_registration');
  return records.find((record) => record.properties.dealreg_registration_id === registrationId)?.properties;
}

describe('the expiry date HubSpot and the approver see, in the policy calendar’s zone', () => {
  it('is the date the registration expires in the calendar’s zone, at approval and after an extension', async () => {
    const registrationId = await harness.submit({
      customer_domain: 'sydney-expiry.com',
      estimated_amount: '9000',
    });
    const expiresAt = (await harness.registration(registrationId)).progress?.expiresAt ?? '';
    // Approved at 01:00 in Sydney on Tuesday 24 November 2026 (14:00 UTC on the 23rd): 90 days on.
    expect(localDate(expiresAt)).toBe('2027-02-22');
    expect(expiresAt.slice(0, 10)).toBe('2027-02-21');
    expect((await recordOf(registrationId))?.dealreg_expires_on).toBe('2027-02-22');

    await harness.clock.setTo(new Date(Date.parse(expiresAt) - 14 * day + 60_000).toISOString());
    const link = (await harness.mails({ to: partner, template: 'expiry-warning' }))
      .filter((mail) => mail.text.includes('sydney-expiry.com'))
      .at(-1)
      ?.links.find((candidate) => candidate.includes('/extension'));
    if (link === undefined) throw new Error('no extension link in the expiry warning');
    const page = await (await fetch(link)).text();
    const response = await fetch(link.split('?')[0] ?? link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        t: /name="t" value="([^"]+)"/.exec(page)?.[1] ?? '',
        nonce: /name="nonce" value="([^"]+)"/.exec(page)?.[1] ?? '',
        reason: 'The board meets in March.',
      }).toString(),
    });
    expect(response.status).toBe(200);
    await harness.settle();
    const [request] = (await harness.mails({ to: channelManager, template: 'approval-request' })).filter(
      (mail) => mail.text.includes('sydney-expiry.com'),
    );
    // The approver is asked to extend beyond the date the partner was told, not the UTC one.
    expect(request?.text).toContain('asks to extend the registration beyond 2027-02-22 by 90 days');

    await harness.decide(channelManager, 'approve');
    const extended = (await harness.registration(registrationId)).progress?.expiresAt ?? '';
    expect(localDate(extended)).toBe('2027-05-23');
    expect((await recordOf(registrationId))?.dealreg_expires_on).toBe('2027-05-23');
  });
});
