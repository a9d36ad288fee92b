import { join } from 'node:path';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { openWatchedPage } from './chromium.ts';
import { type CardViewer, proxyCardFetch, sampleViewer } from './hubspot-fetch.ts';

const hostEntry = join(import.meta.dirname, '..', 'e2e', 'deal-card-host', 'host.ts');

/**
 * Bundles the deal card as HubSpot would run it, behind the host page's stand-in for HubSpot
 * (test/e2e/deal-card-host): the card's own module, React, `@hubspot/ui-extensions` and the
 * remote-ui host rendering each component as plain HTML, in one script.
 */
export async function bundleDealCardHost(): Promise<string> {
  const result = await build({
    entryPoints: [hostEntry],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  const [script] = result.outputFiles;
  if (script === undefined) throw new Error('esbuild wrote no bundle for the deal card host');
  return script.text;
}

export interface OpenedCard {
  readonly page: Page;
  /** The requests the card sent through the proxy, as HubSpot's proxy forwarded them. */
  readonly requests: string[];
}

/**
 * Opens the card on a deal record, as HubSpot opens it in a record's tab: the context names the
 * deal, the portal and the viewer, and the project variable points the card at Dealreg;
 * `hubspot.fetch` goes through `proxyCardFetch`, signed with the app's client secret.
 */
export async function openDealCard(
  browser: Browser,
  options: {
    readonly script: string;
    readonly dealId: string;
    readonly cardUrl: string;
    readonly clientSecret: string;
    readonly problems: string[];
    readonly viewer?: CardViewer;
  },
): Promise<OpenedCard> {
  const viewer = options.viewer ?? sampleViewer;
  const page = await openWatchedPage(browser, options.problems);
  const requests: string[] = [];
  await page.exposeFunction('dealregProxyFetch', async (url: string, init: { method: string }) => {
    requests.push(url);
    const response = await proxyCardFetch(url, { secret: options.clientSecret, method: init.method, viewer });
    return { status: response.status, body: await response.text() };
  });
  await page.setContent('<!doctype html><html lang="en"><body><main id="card"></main></body></html>');
  await page.evaluate(
    (context) => {
      Object.assign(globalThis, { dealCardHost: { context } });
    },
    {
      location: 'crm.record.tab',
      crm: { objectId: Number(options.dealId), objectTypeId: '0-3' },
      portal: { id: viewer.portalId, timezone: 'UTC' },
      user: {
        id: viewer.userId,
        email: viewer.userEmail,
        emails: [viewer.userEmail],
        firstName: 'Rev',
        lastName: 'Ops',
      },
      variables: { DEALREG_DEAL_CARD_URL: options.cardUrl },
    },
  );
  await page.addScriptTag({ content: options.script });
  return { page, requests };
}
