import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ApprovalsApi, startApprovalsApi } from '#test/integration/approvals/approvals-harness.ts';
import {
  type StatusPagesApi,
  startStatusPagesApi,
} from '#test/integration/approvals/registration-status-harness.ts';
import { launchChromium, openWatchedPage } from '#test/support/chromium.ts';
import { salesLeader } from '#test/unit/approvals/approval-fixtures.ts';

const artifacts = join(import.meta.dirname, '..', '..', 'test-artifacts');

let harness: ApprovalsApi;
let statusPages: StatusPagesApi;
let browser: Browser;
/** CSP violations and page errors reported by the browser, per test. */
let browserProblems: string[];

beforeAll(async () => {
  harness = await startApprovalsApi();
  statusPages = await startStatusPagesApi();
  browser = await launchChromium();
  await mkdir(artifacts, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await harness?.api.stop();
  await statusPages?.api.stop();
});

beforeEach(() => {
  harness.callback.resumed.length = 0;
  harness.clock = new Date('2026-11-24T09:00:00Z');
  browserProblems = [];
});

const newPage = (): Promise<Page> => openWatchedPage(browser, browserProblems);

/** Clicks a submit button and returns the status of the POST it sent. */
async function click(page: Page, selector: string): Promise<number> {
  const response = page.waitForResponse((r) => r.request().method() === 'POST');
  await page.click(selector);
  const status = (await response).status();
  await page.waitForLoadState('load');
  return status;
}

describe('approving in a browser', () => {
  it('opening the link twice decides nothing', async () => {
    const { task, link } = await harness.open();
    const page = await newPage();

    const first = await page.goto(link);
    const second = await page.goto(link);

    expect(first?.status()).toBe(200);
    expect(second?.status()).toBe(200);
    expect(await page.locator('h1').textContent()).toBe('Approval: Acme Analytics');
    expect(await page.locator('script').count()).toBe(0);
    expect((await harness.store.get(task.approvalId))?.status).toBe('pending');
    expect(harness.callback.resumed).toEqual([]);
    const views = await harness.store.listViews(task.approvalId);
    expect(views).toHaveLength(2);
    expect(views[0]?.userAgent).toContain('HeadlessChrome');
    expect(browserProblems).toEqual([]);
    await page.screenshot({ path: join(artifacts, 'approval-page.png'), fullPage: true });
    await page.close();
  });

  it('the button decides, and the page says so', async () => {
    const { task, link } = await harness.open();
    const page = await newPage();
    await page.goto(link);

    await page.selectOption('#approve-relationship', 'influenced');
    await page.fill('form:has(#approve) textarea[name="reason"]', 'Dana Direct met them first');
    const status = await click(page, '#approve');

    expect(status).toBe(200);
    expect(await page.locator('h1').textContent()).toBe('Thank you — your decision is recorded');
    expect(await page.locator('#decision').textContent()).toContain(
      'approved as Partner-influenced — Dana Direct met them first',
    );
    const stored = await harness.store.get(task.approvalId);
    expect(stored?.decision?.choice).toEqual({
      outcome: 'approve',
      relationshipType: 'influenced',
      reason: 'Dana Direct met them first',
    });
    expect(stored?.decision?.access?.userAgent).toContain('HeadlessChrome');
    expect(harness.callback.resumed).toHaveLength(1);
    expect(browserProblems).toEqual([]);
    await page.screenshot({ path: join(artifacts, 'approval-decided.png'), fullPage: true });
    await page.close();
  });

  it('the browser will not send a rejection without its reason', async () => {
    const { task, link } = await harness.open();
    const page = await newPage();
    await page.goto(link);

    await page.click('#reject');

    expect(page.url()).toBe(link);
    expect((await harness.store.get(task.approvalId))?.status).toBe('pending');
    await page.close();
  });

  it('a second decision gets 409 naming who decided', async () => {
    const { task, link } = await harness.open();
    const firstTab = await newPage();
    const secondTab = await newPage();
    await firstTab.goto(link);
    await secondTab.goto(link);

    const first = await click(firstTab, '#approve');
    await secondTab.fill('form:has(#reject) textarea[name="reason"]', 'Customer already in a direct deal');
    const second = await click(secondTab, '#reject');

    expect(first).toBe(200);
    expect(second).toBe(409);
    expect(await secondTab.locator('#decision').textContent()).toContain(
      'by Casey Channel (casey@vendor.example): approved as Partner-sourced',
    );
    expect((await harness.store.get(task.approvalId))?.decision?.choice.outcome).toBe('approve');
    expect(harness.callback.resumed).toHaveLength(1);
    await firstTab.close();
    await secondTab.close();
  });

  it('the page after the decision says what happens next', async () => {
    const { link } = await harness.open();
    const page = await newPage();
    await page.goto(link);

    await click(page, '#approve');

    expect(await page.locator('#next').count()).toBe(1);
    expect(await page.locator('#next').textContent()).toContain('Nothing more is needed from you');
    await page.close();
  });

  it('reloading the page after deciding tells the approver their decision stands, not that it was lost', async () => {
    const { link } = await harness.open();
    const page = await newPage();
    await page.goto(link);
    await click(page, '#approve');

    // The browser sends the form again on a reload after a POST.
    const reloaded = await page.reload();

    expect(reloaded?.status()).toBe(409);
    const said = (await page.locator('main').textContent()) ?? '';
    expect(said).not.toContain('Your decision was not recorded');
    expect(said).toContain('Your decision stands');
    expect(harness.callback.resumed).toHaveLength(1);
    await page.close();
  });

  it('asking the partner a question is not called a decision, and the page says what happens next', async () => {
    const { link } = await harness.open();
    const page = await newPage();
    await page.goto(link);

    await page.fill('#request-info-question', 'Who is the sponsor?');
    await click(page, '#request-info');
    const sent = (await page.locator('main').textContent()) ?? '';
    const reopened = await newPage();
    await reopened.goto(link);
    const later = (await reopened.locator('main').textContent()) ?? '';

    expect(await page.locator('h1').textContent()).toBe('Thank you — your question was sent to the partner');
    expect(sent).toContain('Who is the sponsor?');
    expect(sent).not.toContain('Decided on');
    expect(await page.locator('#next').textContent()).toContain(
      'you will get a new email with a link to decide',
    );
    expect(await reopened.locator('h1').textContent()).toBe('The partner was asked for more information');
    expect(later).not.toContain('already decided');
    await page.close();
    await reopened.close();
  });

  it.each([
    ['a question of many short lines', 'Who signs\n'.repeat(200)],
    ['a question in Chinese', '谁负责签署这个合同'.repeat(223)],
  ])('takes %s as long as the text area lets the approver type', async (_, typed) => {
    const { task, link } = await harness.open();
    const page = await newPage();
    await page.goto(link);

    await page.click('#request-info-question');
    await page.keyboard.insertText(typed);
    const kept = await page.inputValue('#request-info-question');
    const status = await click(page, '#request-info');

    expect(kept.length).toBe(2000);
    expect(status).toBe(200);
    const stored = await harness.store.get(task.approvalId);
    expect(stored?.decision?.choice).toEqual({ outcome: 'request-info', question: kept.trim() });
    await page.close();
  });

  it('shows a reason written on several lines on those lines after the decision', async () => {
    const { link } = await harness.open();
    const page = await newPage();
    await page.goto(link);

    await page.click('#reject-reason');
    await page.keyboard.insertText('Duplicate of an earlier deal.\nSee registration DR-1 from March.');
    await click(page, '#reject');

    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what is asserted, line breaks and all
    expect(await page.locator('#decision').innerText()).toContain(
      'Duplicate of an earlier deal.\nSee registration DR-1 from March.',
    );
    await page.close();
  });

  it('an escalated link gets 410 naming the new approver', async () => {
    const { task, link } = await harness.open();
    const openBefore = await newPage();
    await openBefore.goto(link);
    await harness.store.supersede(task.approvalId, {
      approver: salesLeader,
      at: '2026-11-26T16:00:00.000Z',
      reason: 'SLA deadline passed',
    });
    const openAfter = await newPage();

    const reopened = await openAfter.goto(link);
    const clicked = await click(openBefore, '#approve');

    expect(reopened?.status()).toBe(410);
    expect(await openAfter.locator('#superseded').textContent()).toContain('escalated to Lee Leader');
    expect(clicked).toBe(410);
    expect(harness.callback.resumed).toEqual([]);
    await openBefore.close();
    await openAfter.close();
  });

  it.each([390, 1280])(
    'the approval page fits a %i px wide screen without sideways scrolling',
    async (width) => {
      const { link } = await harness.open();
      const page = await newPage();
      await page.setViewportSize({ width, height: 900 });

      await page.goto(link);
      const fits = await page.evaluate<{ scrollWidth: number; innerWidth: number }>(
        '({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })',
      );

      console.log(
        `approval page at ${width}px: scrollWidth ${fits.scrollWidth}, innerWidth ${fits.innerWidth}`,
      );
      expect(fits.scrollWidth).toBeLessThanOrEqual(fits.innerWidth);
      expect(await page.locator('#approve-relationship option').count()).toBe(4);
      expect(browserProblems).toEqual([]);
      await page.screenshot({ path: join(artifacts, `approval-page-${width}.png`), fullPage: true });
      await page.close();
    },
  );

  it('a tampered token gets 403', async () => {
    const { task, link } = await harness.open();
    const url = new URL(link);
    const token = url.searchParams.get('t') ?? '';
    url.searchParams.set(
      't',
      token.replace(/\.([\w-])/, (_, c: string) => `.${c === 'A' ? 'B' : 'A'}`),
    );
    const page = await newPage();

    const response = await page.goto(url.toString());

    expect(response?.status()).toBe(403);
    expect(await page.locator('h1').textContent()).toBe('This approval link is not valid');
    expect(await page.locator('form').count()).toBe(0);
    expect(await harness.store.listViews(task.approvalId)).toEqual([]);
    await page.close();
  });
});

/** The page's width against the window's: sideways scrolling shows as a wider document. */
function widths(page: Page) {
  return page.evaluate<{ scrollWidth: number; innerWidth: number }>(
    '({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })',
  );
}

describe('the partner status page in a browser', () => {
  it.each([390, 1280])('fits a %i px wide screen and links to the extension request page', async (width) => {
    const registrationId = await statusPages.store();
    const page = await newPage();
    await page.setViewportSize({ width, height: 900 });

    const response = await page.goto(await statusPages.linkFor(registrationId));
    const fits = await widths(page);

    console.log(`status page at ${width}px: scrollWidth ${fits.scrollWidth}, innerWidth ${fits.innerWidth}`);
    expect(response?.status()).toBe(200);
    expect(fits.scrollWidth).toBeLessThanOrEqual(fits.innerWidth);
    expect(await page.locator('#status').textContent()).toBe('Approved: you are protected on this deal.');
    expect(await page.locator('form').count()).toBe(0);
    expect(browserProblems).toEqual([]);
    await page.screenshot({ path: join(artifacts, `status-page-${width}.png`), fullPage: true });

    await page.click('#request-extension');
    await page.waitForLoadState('load');
    expect(await page.locator('h1').textContent()).toContain('Extend your registration');
    await page.close();
  });

  it('a tampered status link gets a clear 403 page', async () => {
    const registrationId = await statusPages.store();
    const url = new URL(await statusPages.linkFor(registrationId));
    url.searchParams.set('t', `${url.searchParams.get('t') ?? ''}x`);
    const page = await newPage();

    const response = await page.goto(url.toString());

    expect(response?.status()).toBe(403);
    expect(await page.locator('h1').textContent()).toBe('This status link is not valid');
    await page.close();
  });
});
