import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { requiredHubSpotScopes } from '#domain/hubspot-scopes.ts';
import { adminRoutes, emptyStats, type SandboxStats } from './admin-routes.ts';
import { crmRoutes } from './crm-routes.ts';
import { HubSpotApiError, SandboxAdminError, SandboxSeedError } from './errors.ts';
import { FaultInjector } from './faults.ts';
import { formRoutes, submitRoute } from './forms-routes.ts';
import { makeRequest, matchRoute, type Route, readBody, type SandboxResponse } from './http.ts';
import { ASSOCIATION_PAGE_SIZE, Portal } from './portal.ts';
import { DEFAULT_RATE_LIMIT, RateLimiter, rateLimitBody } from './rate-limiter.ts';
import { DEFAULT_SEARCH_INDEX_LAG_MS } from './search-index.ts';
import { type SandboxSeed, sandboxSeedSchema } from './seed.ts';
import { applySeed } from './seed-apply.ts';
import type { SandboxSnapshot } from './snapshot.ts';
import { tokenInfoRoutes } from './token-info-routes.ts';
import {
  DEFAULT_RETRY,
  DEFAULT_SUBSCRIBED_PROPERTIES,
  WebhookDispatcher,
  type WorkflowBody,
  type WorkflowSignature,
} from './webhooks.ts';

export { SandboxSeedError } from './errors.ts';
export { ASSOCIATION_PAGE_SIZE } from './portal.ts';
export { DEFAULT_SEARCH_INDEX_LAG_MS } from './search-index.ts';
export type { SandboxSeed } from './seed.ts';
export { type SandboxSnapshot, sandboxSnapshotSchema } from './snapshot.ts';
export { signatureV2, signatureV3, type WorkflowBody, type WorkflowSignature } from './webhooks.ts';

/** The demo portal: partner companies, customers, direct reps, deals, engagements and the registration form. */
export const DEMO_SEED_PATH = fileURLToPath(new URL('./demo-seed.json', import.meta.url));

/** Reads and validates a seed file (default: the demo seed); throws SandboxSeedError naming the problem. */
export async function readSeedFile(path: string = DEMO_SEED_PATH): Promise<SandboxSeed> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new SandboxSeedError(`cannot read the HubSpot sandbox seed file ${path}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SandboxSeedError(
      `the HubSpot sandbox seed file ${path} is not JSON: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const parsed = sandboxSeedSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new SandboxSeedError(`invalid HubSpot sandbox seed file ${path}: ${issues.join('; ')}`);
  }
  return json as SandboxSeed;
}

export interface HubSpotSandboxOptions {
  /** Port to listen on (loopback); default: a free port. */
  port?: number | undefined;
  /** Bearer token every CRM call must carry; default: random. */
  accessToken?: string | undefined;
  /** Default 1234567. */
  portalId?: number | undefined;
  /** Scopes the token reports (`POST /oauth/v2/private-apps/get/access-token-info`); default: every scope Dealreg needs. */
  tokenScopes?: readonly string[] | undefined;
  /** Initial data: the format of demo-seed.json and `POST /_sandbox/seed`. */
  seed?: SandboxSeed | undefined;
  /**
   * A saved sandbox (`snapshot()` of an earlier run) to continue from instead of a seed: its
   * records, ids, associations, forms, submissions and webhook and rate-limit settings.
   */
  state?: SandboxSnapshot | undefined;
  /** Called after every request that may have changed what the sandbox holds (any but GET, HEAD, OPTIONS). */
  onStateChange?: (() => void) | undefined;
  /** Default 190 requests per 10,000 ms rolling window and 5 searches per second; `false` turns limits off. */
  rateLimit?: { requestsPerWindow: number; windowMs: number; searchPerSecond: number } | false | undefined;
  /**
   * Where a contact-based workflow enrolled on form submissions sends its "Send a webhook" action:
   * the submitter's contact (`body`, default `contact`), signed v3 with v2 beside it (`signature`,
   * default `v3`; `v2` sends the v2 signature alone).
   */
  workflowWebhook?: {
    url: string;
    clientSecret: string;
    dropRate?: number;
    body?: WorkflowBody;
    signature?: WorkflowSignature;
  };
  /** Where CRM change batches are sent (Webhooks API subscriptions). */
  crmWebhook?: { url: string; clientSecret: string };
  /** Clock for createdAt/updatedAt/submittedAt (default Date.now). Rate limits use real time. */
  now?: () => number;
  /**
   * How long (real milliseconds) a client's write takes to reach CRM search, as HubSpot's search
   * index lags writes; default {@link DEFAULT_SEARCH_INDEX_LAG_MS}, 0 = search sees writes at
   * once. Reads by id or unique `idProperty` always see writes at once.
   */
  searchIndexLagMs?: number | undefined;
  /** Associations per object in one page of a v4 association read; default HubSpot's 500. */
  associationPageSize?: number | undefined;
}

export interface RunningHubSpotSandbox {
  url: string;
  accessToken: string;
  portalId: number;
  /** Everything the sandbox holds, to save and pass back as `state` on the next start. */
  snapshot(): SandboxSnapshot;
  stop(): Promise<void>;
}

const API_BODY_LIMIT = 10 * 1024 * 1024;
const CORS_HEADERS: Record<string, string> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'POST, OPTIONS',
  'Access-Control-Allow-Headers': 'Content-Type',
};
const ADMIN_BODY_LIMIT = 512 * 1024 * 1024;

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function send(response: ServerResponse, result: SandboxResponse, extraHeaders: Record<string, string>): void {
  const headers: Record<string, string> = { ...extraHeaders, ...(result.headers ?? {}) };
  if (result.status === 204 || result.body === undefined) {
    response.writeHead(result.status, headers);
    response.end();
    return;
  }
  const text = JSON.stringify(result.body);
  headers['Content-Type'] = 'application/json;charset=utf-8';
  headers['Content-Length'] = String(Buffer.byteLength(text));
  response.writeHead(result.status, headers);
  response.end(text);
}

function errorResult(error: unknown): SandboxResponse {
  if (error instanceof HubSpotApiError) return { status: error.status, body: error.toBody() };
  if (error instanceof SandboxSeedError || error instanceof SandboxAdminError) {
    return {
      status: 400,
      body: {
        status: 'error',
        message: error.message,
        correlationId: randomUUID(),
        category: 'VALIDATION_ERROR',
      },
    };
  }
  return {
    status: 500,
    body: {
      status: 'error',
      message: `internal error: ${error instanceof Error ? error.message : String(error)}`,
      correlationId: randomUUID(),
      category: 'INTERNAL_ERROR',
    },
  };
}

/**
 * Starts a local, stateful stand-in for a HubSpot portal: the CRM v3/v4 endpoints, schemas,
 * properties, pipelines, owners, the Forms APIs, the public form submit endpoint, signed workflow
 * webhooks and Webhooks API event batches, HubSpot's rate limits, and `/_sandbox/*` controls.
 */
export async function startHubSpotSandbox(
  options: HubSpotSandboxOptions = {},
): Promise<RunningHubSpotSandbox> {
  if (options.seed !== undefined && options.state !== undefined) {
    throw new SandboxSeedError('give the sandbox a seed or a saved state, not both');
  }
  const portalId = options.state?.portal.portalId ?? options.portalId ?? 1234567;
  if (options.portalId !== undefined && options.portalId !== portalId) {
    throw new SandboxSeedError(`the saved state is portal ${portalId}, not ${options.portalId}`);
  }
  const accessToken = options.accessToken ?? `pat-local-${randomBytes(16).toString('hex')}`;
  if (accessToken === '') throw new SandboxSeedError('accessToken cannot be empty');
  if (options.rateLimit !== undefined && options.rateLimit !== false) {
    for (const [name, value] of Object.entries(options.rateLimit)) {
      if (!(Number.isFinite(value) && value > 0)) {
        throw new SandboxSeedError(`rateLimit.${name} must be a positive number; got ${String(value)}`);
      }
    }
  }
  const searchIndexLagMs = options.searchIndexLagMs ?? DEFAULT_SEARCH_INDEX_LAG_MS;
  if (!(Number.isFinite(searchIndexLagMs) && searchIndexLagMs >= 0)) {
    throw new SandboxSeedError(
      `searchIndexLagMs must be a number of milliseconds ≥ 0; got ${String(options.searchIndexLagMs)}`,
    );
  }
  const associationPageSize = options.associationPageSize ?? ASSOCIATION_PAGE_SIZE;
  if (!(Number.isInteger(associationPageSize) && associationPageSize >= 1 && associationPageSize <= 500)) {
    throw new SandboxSeedError(
      `associationPageSize must be a whole number from 1 to 500; got ${String(options.associationPageSize)}`,
    );
  }
  const portal = new Portal(portalId, options.now ?? Date.now, searchIndexLagMs);
  portal.associationPageSize = associationPageSize;
  const limiter = new RateLimiter(
    options.rateLimit === false
      ? false
      : options.rateLimit === undefined && options.state !== undefined
        ? options.state.rateLimit
        : { ...DEFAULT_RATE_LIMIT, ...(options.rateLimit ?? {}) },
  );
  const faults = new FaultInjector();
  const saved = options.state?.webhooks;
  const dropRate = options.workflowWebhook?.dropRate ?? saved?.workflowDropRate ?? 0;
  if (dropRate < 0 || dropRate > 1)
    throw new SandboxSeedError(`workflowWebhook.dropRate must be between 0 and 1; got ${dropRate}`);
  const webhooks = new WebhookDispatcher(portal, {
    workflow: options.workflowWebhook === undefined ? undefined : { ...options.workflowWebhook, dropRate },
    crm: options.crmWebhook,
    retry:
      saved === undefined ? { ...DEFAULT_RETRY } : { ...saved.retry, delaysMs: [...saved.retry.delaysMs] },
    subscribedProperties: new Set(saved?.subscribedProperties ?? DEFAULT_SUBSCRIBED_PROPERTIES),
    workflowDuplicateRate: saved?.workflowDuplicateRate ?? 0,
    crmDuplicateRate: saved?.crmDuplicateRate ?? 0,
    crmShuffle: saved?.crmShuffle ?? false,
    crmBatchSize: saved?.crmBatchSize ?? 100,
    crmBatchDelayMs: saved?.crmBatchDelayMs ?? 50,
  });
  if (options.state !== undefined) portal.restore(options.state.portal);
  if (options.seed !== undefined) {
    const seed = options.seed;
    portal.silently(() => applySeed(portal, seed));
  }
  const snapshot = (): SandboxSnapshot => {
    const settings = webhooks.settings;
    return {
      version: 1,
      portal: portal.snapshot(),
      webhooks: {
        workflowDropRate: settings.workflow?.dropRate ?? dropRate,
        retry: { ...settings.retry, delaysMs: [...settings.retry.delaysMs] },
        subscribedProperties: [...settings.subscribedProperties],
        workflowDuplicateRate: settings.workflowDuplicateRate,
        crmDuplicateRate: settings.crmDuplicateRate,
        crmShuffle: settings.crmShuffle,
        crmBatchSize: settings.crmBatchSize,
        crmBatchDelayMs: settings.crmBatchDelayMs,
      },
      rateLimit: limiter.settings === false ? false : { ...limiter.settings },
    };
  };

  let stats: SandboxStats = emptyStats();
  const routes: Route[] = [
    ...adminRoutes({
      portal,
      limiter,
      faults,
      webhooks,
      stats: () => stats,
      resetStats: () => {
        stats = emptyStats();
        for (const key of Object.keys(webhooks.stats) as (keyof typeof webhooks.stats)[])
          webhooks.stats[key] = 0;
      },
    }),
    submitRoute(portal, webhooks),
    ...tokenInfoRoutes({ accessToken, portalId, scopes: options.tokenScopes ?? requiredHubSpotScopes }),
    ...formRoutes(portal),
    ...crmRoutes(portal),
  ];

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    stats.requests++;
    const method = request.method ?? 'GET';
    const url = new URL(request.url ?? '/', 'http://sandbox.local');
    // The public submit endpoint accepts cross-origin AJAX posts, as HubSpot's does.
    const isSubmit = url.pathname.startsWith('/submissions/v3/integration/submit/');
    if (isSubmit && method === 'OPTIONS') {
      send(response, { status: 204 }, CORS_HEADERS);
      return;
    }
    const matched = matchRoute(routes, method, url.pathname);
    let headers: Record<string, string> = isSubmit ? { ...CORS_HEADERS } : {};
    try {
      if (matched === undefined) {
        await readBody(request, API_BODY_LIMIT);
        throw new HubSpotApiError(404, `resource not found: ${method} ${url.pathname}`);
      }
      if (matched === 'method-not-allowed') {
        await readBody(request, API_BODY_LIMIT);
        throw new HubSpotApiError(405, `Method ${method} is not allowed on ${url.pathname}`);
      }
      const { route: target, params } = matched;
      if (target.kind === 'api' || target.kind === 'search') {
        const authorization = request.headers.authorization ?? '';
        const token = authorization.startsWith('Bearer ') ? authorization.slice('Bearer '.length).trim() : '';
        if (token === '' || !sameToken(token, accessToken)) {
          stats.unauthorized++;
          await readBody(request, API_BODY_LIMIT);
          throw new HubSpotApiError(
            401,
            token === ''
              ? 'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview'
              : 'Authentication credentials not valid: the access token is not recognised by this portal.',
            'INVALID_AUTHENTICATION',
          );
        }
        stats.apiRequests++;
        if (target.kind === 'search') stats.searchRequests++;
        const fault = faults.take(method, url.pathname);
        if (fault !== undefined) {
          stats.faultsInjected++;
          if (fault.latencyMs > 0) await sleep(fault.latencyMs);
          if (fault.status !== undefined) {
            await readBody(request, API_BODY_LIMIT);
            const decision =
              limiter.settings === false
                ? undefined
                : // an injected 429 stands for someone else's spending: it does not use this budget
                  limiter.take(target.kind === 'search', portal.now(), fault.status !== 429);
            headers = decision?.headers ?? {};
            if (fault.status === 429) {
              stats.tooManyRequests++;
              send(
                response,
                { status: 429, body: rateLimitBody(fault.policyName, randomUUID()) },
                { ...headers, 'X-HubSpot-RateLimit-Remaining': '0' },
              );
              return;
            }
            throw new HubSpotApiError(
              fault.status,
              'The server encountered an internal error (injected fault).',
              'INTERNAL_ERROR',
            );
          }
        }
        const decision = limiter.take(target.kind === 'search', portal.now());
        headers = decision.headers;
        if (decision.exceeded !== undefined) {
          await readBody(request, API_BODY_LIMIT);
          stats.rateLimited++;
          stats.tooManyRequests++;
          stats.rateLimitedByPolicy[decision.exceeded] =
            (stats.rateLimitedByPolicy[decision.exceeded] ?? 0) + 1;
          send(response, { status: 429, body: rateLimitBody(decision.exceeded, randomUUID()) }, headers);
          return;
        }
      }
      const text = await readBody(request, target.kind === 'admin' ? ADMIN_BODY_LIMIT : API_BODY_LIMIT);
      const result = await target.handler(makeRequest(method, url, request.headers, text, params));
      send(response, result, headers);
    } catch (error) {
      send(response, errorResult(error), headers);
    }
  };

  const readOnly = new Set(['GET', 'HEAD', 'OPTIONS']);
  const server = createServer((request, response) => {
    handle(request, response)
      .catch((error: unknown) => {
        if (!response.headersSent) send(response, errorResult(error), {});
        else response.destroy();
      })
      .finally(() => {
        if (!readOnly.has(request.method ?? 'GET')) options.onStateChange?.();
      });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(
        new Error(
          `the HubSpot sandbox could not listen on 127.0.0.1:${options.port ?? 0}: ${error.message}`,
          { cause: error },
        ),
      ),
    );
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.removeAllListeners('error');
      // A failure after start-up must not take the whole local stack down with it.
      server.on('error', (error) => console.error(`HubSpot sandbox: ${error.message}`));
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    accessToken,
    portalId,
    snapshot,
    stop: async () => {
      await webhooks.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
