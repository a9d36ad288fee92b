import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalMailbox, type MailboxEntry } from '#adapters/mail/local-mailbox.ts';
import { type LocalStackProcess, startLocalStackProcess } from '#test/support/local-stack-process.ts';

/**
 * `dealreg local` end to end: an AWS referral made on the Partner Central stand-in reaches the
 * co-sell events handler, the channel manager's email lands in the local mailbox, and its link
 * opens the referral page on the local API, whose Accept button accepts the stand-in's invitation.
 */
let stack: LocalStackProcess;

beforeAll(async () => {
  stack = await startLocalStackProcess();
}, 90_000);

afterAll(async () => {
  if (stack.child.exitCode === null) await stack.interrupt();
});

async function referralMail(invitationId: string): Promise<MailboxEntry> {
  const mailbox = new LocalMailbox(stack.description.mailbox);
  const started = Date.now();
  for (;;) {
    const found = (await mailbox.list()).find(
      (mail) => mail.template === 'aws-referral-review' && mail.text.includes(invitationId),
    );
    if (found !== undefined) {
      console.log(`referral email arrived after ${Date.now() - started} ms`);
      return found;
    }
    if (Date.now() - started > 30_000)
      throw new Error(`no referral email for ${invitationId}:\n${stack.output()}`);
    await sleep(200);
  }
}

describe('dealreg local: an AWS referral', () => {
  it('is emailed to the channel manager, and accepted from the referral page', async () => {
    const partnerCentral = stack.description.partnerCentral.endpoint;
    const created = await fetch(`${partnerCentral}/_admin/referrals`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        catalog: 'Sandbox',
        companyName: 'Vandelay Industries',
        websiteUrl: 'https://vandelay-referral.example.com',
        countryCode: 'US',
        industry: 'Manufacturing',
        projectTitle: 'Import tracking on AWS',
        businessProblem: 'Replace the on-premises import tracking system.',
        expectedMonthlySpendUsd: '4000',
        targetCompletionDate: '2027-09-30',
      }),
    });
    expect(created.status).toBe(201);
    const invitationId = String(((await created.json()) as { Id: string }).Id);

    const mail = await referralMail(invitationId);
    const link = mail.links.find((candidate) =>
      candidate.startsWith(`${stack.description.api}/aws-referrals/`),
    );
    expect(link).toBeDefined();
    const page = await fetch(String(link));
    const body = await page.text();
    expect(page.status).toBe(200);
    expect(body).toContain('Vandelay Industries');
    expect(body).toContain('Conflict check: No conflict');
    const token = /name="t" value="([^"]+)"/.exec(body)?.[1] ?? '';
    const nonce = /name="nonce" value="([^"]+)"/.exec(body)?.[1] ?? '';

    const accepted = await fetch(String(link).split('?')[0] ?? '', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ t: token, nonce, answer: 'accept' }).toString(),
    });
    expect(accepted.status).toBe(200);
    const invitations = (await (await fetch(`${partnerCentral}/_admin/engagement-invitations`)).json()) as {
      invitations: { Id: string; Status: string }[];
    };
    expect(invitations.invitations.find((item) => item.Id === invitationId)?.Status).toBe('ACCEPTED');
  });
});
