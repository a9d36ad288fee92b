import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchChromium, openWatchedPage } from '#test/support/chromium.ts';
import { type ExtensionRequestsApi, startExtensionRequestsApi } from './extension-requests-harness.ts';

let harness: ExtensionRequestsApi;
let browser: Browser;
/** CSP violations and page errors reported by the browser, per test. */
let browserProblems: string[];

beforeAll(async () => {
  harness = await startExtensionRequestsApi();
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await harness?.api.stop();
});

beforeEach(() => {
  harness.sfn.sent.length = 0;
  harness.clock = new Date('2027-02-06T09:30:00Z');
  browserProblems = [];
});

const newPage = (): Promise<Page> => openWatchedPage(browser, browserProblems);

async function submit(page: Page): Promise<number> {
  const response = page.waitForResponse((r) => r.request().method() === 'POST');
  await page.click('#request-extension');
  const status = (await response).status();
  await page.waitForLoadState('load');
  return status;
}

describe('requesting the extension in a browser', () => {
  it('opening the link twice requests nothing, and the page renders under its CSP without violations', async () => {
    const { registrationId, link } = await harness.offer();
    const page = await newPage();

    await page.goto(link);
    await page.goto(link);

    expect(await page.locator('h1').textContent()).toContain('Extend your registration');
    expect(await page.locator('#request-extension').isVisible()).toBe(true);
    expect(browserProblems).toEqual([]);
    expect((await harness.item(registrationId))?.extensionRequest).toBeUndefined();
    expect(harness.sfn.sent).toEqual([]);
    await page.close();
  });

  it('the button sends the reason and records the request; the page opened in a second tab then gets 409', async () => {
    const { registrationId, link } = await harness.offer();
    const first = await newPage();
    const second = await newPage();
    await first.goto(link);
    await second.goto(link);
    await first.fill('#reason', 'The customer’s legal review moved to March');
    await second.fill('#reason', 'Again');

    const firstStatus = await submit(first);
    const secondStatus = await submit(second);

    expect(firstStatus).toBe(200);
    expect(await first.locator('#request').textContent()).toContain('requested the extension');
    expect(secondStatus).toBe(409);
    expect(await second.locator('#request').textContent()).toContain('Your request stands, as recorded');
    expect((await harness.item(registrationId))?.extensionRequest).toMatchObject({
      reason: 'The customer’s legal review moved to March',
    });
    expect(harness.sfn.sent).toHaveLength(1);
    await first.close();
    await second.close();
  }, 60_000);

  it('the browser refuses to send the form without a reason', async () => {
    const { registrationId, link } = await harness.offer();
    const page = await newPage();
    await page.goto(link);

    await page.click('#request-extension');

    expect(
      await page
        .locator('#reason')
        .evaluate(
          (field) => (field as unknown as { validity: { valueMissing: boolean } }).validity.valueMissing,
        ),
    ).toBe(true);
    expect(page.url()).toBe(link);
    expect((await harness.item(registrationId))?.extensionRequest).toBeUndefined();
    await page.close();
  });
});
