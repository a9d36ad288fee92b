import { createRoot as createRemoteReactRoot, createRemoteRoot } from '@remote-ui/react';
import { createController, createRemoteReceiver, RemoteRenderer } from '@remote-ui/react/host';
import type { ReactElement } from 'react';
import { createRoot } from 'react-dom/client';
import { htmlComponents } from './html-components.tsx';

/**
 * Plays HubSpot's part for one app card on this page, before the card's module runs: the
 * extension-worker globals `@hubspot/ui-extensions` reads (`extend_V2`, `hsFetch`, the worker
 * marker), the remote-ui channel the card's components render into, and the host that renders
 * what arrives with `htmlComponents`. HubSpot runs the card in a web worker and sends the same
 * remote-ui messages over postMessage; here the channel is a function call.
 */

/** What the test hands the page: the record the card is on, and who opens it. */
interface HostSettings {
  readonly context: Record<string, unknown>;
}

declare global {
  interface Window {
    readonly dealCardHost: HostSettings;
    /** HubSpot's fetch proxy, played by the test: it signs the request and sends it on. */
    dealregProxyFetch(url: string, options: { method: string }): Promise<{ status: number; body: string }>;
  }
}

const mount = document.getElementById('card');
if (mount === null) throw new Error('the host page has no #card element');
const receiver = createRemoteReceiver();
createRoot(mount).render(
  <RemoteRenderer receiver={receiver} controller={createController(htmlComponents)} />,
);

Object.assign(globalThis, {
  __HUBSPOT_EXTENSION_WORKER__: true,
  logger: { debug: console.debug, info: console.info, warn: console.warn, error: console.error },
  extend_V2(renderExtension: (api: { context: unknown; actions: unknown }) => ReactElement) {
    const remoteRoot = createRemoteRoot(receiver.receive);
    createRemoteReactRoot(remoteRoot).render(
      renderExtension({ context: window.dealCardHost.context, actions: { addAlert: () => undefined } }),
    );
    void remoteRoot.mount();
  },
  async hsFetch(url: string | URL, options: { method?: string } = {}): Promise<Response> {
    const answer = await window.dealregProxyFetch(String(url), { method: options.method ?? 'GET' });
    return new Response(answer.body, {
      status: answer.status,
      headers: { 'content-type': 'application/json' },
    });
  },
});
