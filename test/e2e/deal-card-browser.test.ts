import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getRegistrationItems, mergeProgressItem } from '#adapters/dynamodb/registration-items.ts';
import { type RelationshipType, relationshipTypeLabels } from '#domain/relationship-type.ts';
import { localClientConfig } from '#local/create-tables.ts';
import { launchChromium } from '#test/support/chromium.ts';
import { bundleDealCardHost, openDealCard } from '#test/support/deal-card-host.ts';
import { type LocalStackProcess, startLocalStackProcess } from '#test/support/local-stack-process.ts';

/*
 * The deal record's app card, bundled as HubSpot builds it and rendered in Chromium by a host page
 * that plays HubSpot (test/e2e/deal-card-host), reading the local stack through the signed
 * endpoint. The tests run in order: the approved deal of the first is tampered with in the last.
 */

let stack: LocalStackProcess;
let browser: Browser;
let script: string;
let dynamodb: DynamoDBClient;
let browserProblems: string[];
/** The deal the first test's approval created, and what it should show. */
let approved:
  | { dealId: string; registrationId: string; partnerName: string; relationship: string }
  | undefined;

beforeAll(async () => {
  const started = performance.now();
  [stack, browser, script] = await Promise.all([
    startLocalStackProcess(['--digest-every', 'PT2S', '--demo', 'week']),
    launchChromium(),
    bundleDealCardHost(),
  ]);
  dynamodb = new DynamoDBClient(localClientConfig(stack.description.dynamodb.endpoint));
  console.info(
    `deal card e2e: stack, browser and card bundle (${script.length} bytes) ready in ${Math.round(performance.now() - started)} ms`,
  );
}, 180_000);

afterAll(async () => {
  dynamodb?.destroy();
  await browser?.close();
  await stack?.interrupt();
});

beforeEach(() => {
  browserProblems = [];
});

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 45_000): Promise<T> {
  const started = performance.now();
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (performance.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function approvalLink(): Promise<string | undefined> {
  const mails = (await (await fetch(`${stack.description.api}/_local/mail`)).json()) as { links: string[] }[];
  return mails.flatMap((mail) => mail.links).find((link) => link.includes('/approvals/'));
}

/** Opens the approval page and clicks Approve on it, as the approver would; answers the registration id. */
async function approve(link: string): Promise<string> {
  const page = await (await fetch(link)).text();
  const registrationId = /<th>Registration<\/th><td>([^<]+)<\/td>/.exec(page)?.[1];
  const token = /name="t" value="([^"]+)"/.exec(page)?.[1];
  const nonce = /name="nonce" value="([^"]+)"/.exec(page)?.[1];
  if (registrationId === undefined || token === undefined || nonce === undefined) {
    throw new Error(`the approval page shows no registration or form:\n${page}`);
  }
  const decided = await fetch(link.split('?')[0] ?? link, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ t: token, nonce, decision: 'approve' }).toString(),
    redirect: 'manual',
  });
  expect(decided.status).toBeLessThan(400);
  return registrationId;
}

/** The local stack's Registrations table, as local.json names it. */
function registrationsTable(): string {
  const name = stack.description.tables.Registrations;
  if (name === undefined) throw new Error('local.json names no Registrations table');
  return name;
}

/** The registration's progress as the registration book reads it (its progress and verdict items merged in). */
async function storedProgress(registrationId: string): Promise<Record<string, unknown> | undefined> {
  const { registration, progress, verdict } = await getRegistrationItems(
    DynamoDBDocumentClient.from(dynamodb),
    registrationsTable(),
    registrationId,
  );
  if (registration === undefined) return undefined;
  return mergeProgressItem(registration, progress, verdict).progress as Record<string, unknown> | undefined;
}

const cardUrl = () => `${stack.description.api}/hubspot/deal-card`;
const open = (dealId: string) =>
  openDealCard(browser, {
    script,
    dealId,
    cardUrl: cardUrl(),
    clientSecret: stack.description.webhookClientSecret,
    problems: browserProblems,
  });

describe('the deal attribution card in a browser', () => {
  it('shows the partner, relationship, registration, status and verified badge of a registration approved on the local stack', async () => {
    const link = await until('an approval email', approvalLink);
    const registrationId = await approve(link);
    const progress = await until('the approved registration’s deal', async () => {
      const current = await storedProgress(registrationId);
      return current?.status === 'approved' && typeof current.dealId === 'string' ? current : undefined;
    });
    const decision = progress.decision as { relationshipType: string };
    approved = {
      dealId: String(progress.dealId),
      registrationId,
      partnerName: String(progress.partnerName),
      relationship: relationshipTypeLabels[decision.relationshipType as RelationshipType],
    };

    const started = performance.now();
    const { page, requests } = await open(approved.dealId);
    const badge = page.getByTestId('ledger-badge');
    await badge.waitFor();
    console.info(`deal card rendered in ${Math.round(performance.now() - started)} ms`);

    const partners = page.getByTestId('attributions');
    const registrations = page.getByTestId('registrations');
    expect(await partners.locator('tbody tr').count()).toBe(1);
    const partnerRow = partners.locator('tbody tr').first();
    expect(await partnerRow.locator('td').nth(0).textContent()).toContain(approved.partnerName);
    expect(await partnerRow.locator('td').nth(1).textContent()).toBe(approved.relationship);
    expect(await partnerRow.locator('td').nth(3).textContent()).toBe(registrationId);
    const registrationRow = registrations.locator('tbody tr').first();
    expect(await registrationRow.locator('td').nth(0).textContent()).toContain(registrationId);
    expect(await registrationRow.locator('td').nth(1).textContent()).toBe('Approved');
    expect(await badge.textContent()).toMatch(/^Ledger verified/);
    expect(await badge.getAttribute('data-variant')).not.toBe('error');
    expect(await page.getByTestId('ledger-problem').count()).toBe(0);
    expect(requests).toEqual([`${cardUrl()}?dealId=${approved.dealId}`]);
    expect(browserProblems).toEqual([]);
  }, 120_000);

  it('shows an empty state for a deal no partner registered', async () => {
    const created = await fetch(`${stack.description.hubspot.url}/crm/v3/objects/deals`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${stack.description.hubspot.accessToken}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        properties: { dealname: 'Direct – renewal', pipeline: 'default', dealstage: 'qualifiedtobuy' },
      }),
    });
    expect(created.status).toBe(201);
    const dealId = String(((await created.json()) as { id: string }).id);

    const { page } = await open(dealId);
    const empty = page.getByTestId('no-attribution');
    await empty.waitFor();

    expect(await empty.textContent()).toContain('No partner attribution');
    expect(await page.getByTestId('attributions').count()).toBe(0);
    expect(await page.getByTestId('ledger-badge').textContent()).not.toBe('Ledger not verified');
    expect(browserProblems).toEqual([]);
  });

  it('shows a deal whose ledger chain was changed in the table as not verified, naming the entry', async () => {
    if (approved === undefined) throw new Error('the first test approved no deal');
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: stack.description.tables.Ledger,
        Key: marshall({ opportunityId: approved.dealId, sequence: 1 }),
        UpdateExpression: 'SET recordedBy = :someone',
        ExpressionAttributeValues: marshall({ ':someone': 'someone-else' }),
      }),
    );

    const { page } = await open(approved.dealId);
    const badge = page.getByTestId('ledger-badge');
    await badge.waitFor();

    expect(await badge.textContent()).toBe('Ledger not verified');
    expect(await badge.getAttribute('data-variant')).toBe('error');
    expect(await page.getByTestId('ledger-problem').textContent()).toContain('entry #1:');
    // The attribution is still shown: what the ledger says, flagged as unverified.
    expect(await page.getByTestId('attributions').locator('tbody tr').count()).toBe(1);
    expect(browserProblems).toEqual([]);
  });
});
