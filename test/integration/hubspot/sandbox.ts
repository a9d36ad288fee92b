import { createHubSpotConnection, type HubSpotConnectionSettings } from '#adapters/hubspot/connection.ts';
import { HubSpotAdapter } from '#adapters/hubspot/hubspot-adapter.ts';
import { HubSpotPortalSchemaAdmin } from '#adapters/hubspot/portal-schema-admin.ts';
import {
  type HubSpotSandboxOptions,
  type RunningHubSpotSandbox,
  startHubSpotSandbox,
} from '#local/hubspot-sandbox/index.ts';

/** A sandbox and the real adapter over `@hubspot/api-client` pointed at it. */
export interface SandboxUnderTest {
  readonly sandbox: RunningHubSpotSandbox;
  readonly adapter: HubSpotAdapter;
  readonly admin: HubSpotPortalSchemaAdmin;
  readonly connection: ReturnType<typeof createHubSpotConnection>;
  control(path: string, init?: { method?: string; body?: unknown }): Promise<unknown>;
  stop(): Promise<void>;
}

export async function startSandboxUnderTest(
  options: HubSpotSandboxOptions = {},
  connection: Omit<HubSpotConnectionSettings, 'accessToken' | 'basePath'> = {},
): Promise<SandboxUnderTest> {
  const sandbox = await startHubSpotSandbox({ rateLimit: false, ...options });
  const built = createHubSpotConnection({
    accessToken: sandbox.accessToken,
    basePath: sandbox.url,
    ...connection,
  });
  return {
    sandbox,
    connection: built,
    adapter: new HubSpotAdapter(built, { portalId: sandbox.portalId }),
    admin: new HubSpotPortalSchemaAdmin(built),
    control: (path, init = {}) => sandboxAdmin(sandbox.url, path, init),
    stop: () => sandbox.stop(),
  };
}

/** Calls a `/_sandbox/*` control endpoint and returns its JSON answer. */
export async function sandboxAdmin(
  baseUrl: string,
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<unknown> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    ...(init.body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(init.body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`sandbox ${path} answered ${response.status}: ${text}`);
  return text === '' ? undefined : JSON.parse(text);
}

/** Live records of one type in the sandbox, with their properties. */
export async function recordsOf(
  baseUrl: string,
  type: string,
): Promise<{ id: string; archived: boolean; properties: Record<string, string> }[]> {
  const state = (await sandboxAdmin(baseUrl, '/_sandbox/state?records=true')) as {
    types: Record<
      string,
      { items?: { id: string; archived: boolean; properties: Record<string, string> }[] }
    >;
  };
  return (state.types[type]?.items ?? []).filter((item) => !item.archived);
}

/** The ids of `toTypeId` records associated with one record, read from the sandbox's own state. */
export async function associatedIdsOf(
  baseUrl: string,
  from: { typeId: string; id: string },
  toTypeId: string,
): Promise<string[]> {
  const state = (await sandboxAdmin(baseUrl, '/_sandbox/state?records=true')) as {
    associations?: { from: string; to: string; typeIds: number[] }[];
  };
  return (state.associations ?? [])
    .filter((link) => link.from === `${from.typeId}/${from.id}` && link.to.startsWith(`${toTypeId}/`))
    .map((link) => link.to.slice(toTypeId.length + 1))
    .sort();
}

/**
 * Reads until `done` accepts the answer, as a client does while HubSpot's search index has yet to
 * take in a write (the sandbox's lags writes like HubSpot's). Gives up after `timeoutMs` with the
 * last answer, so the assertion that follows names what was found instead of a timeout.
 */
export async function pollUntil<T>(
  read: () => Promise<T>,
  done: (answer: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let answer = await read();
  while (!done(answer) && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    answer = await read();
  }
  return answer;
}
