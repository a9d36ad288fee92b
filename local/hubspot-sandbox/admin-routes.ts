import { SandboxAdminError } from './errors.ts';
import type { FaultInjector } from './faults.ts';
import { type Route, route } from './http.ts';
import type { Portal } from './portal.ts';
import type { RateLimiter } from './rate-limiter.ts';
import { applySeed, generateRecords } from './seed-apply.ts';
import type { WebhookDispatcher } from './webhooks.ts';

/** Counters the `/_sandbox/stats` endpoint reports. */
export interface SandboxStats {
  requests: number;
  apiRequests: number;
  searchRequests: number;
  /** 429s sent because a limit was reached. */
  rateLimited: number;
  rateLimitedByPolicy: Record<string, number>;
  /** Every 429 sent, injected ones included. */
  tooManyRequests: number;
  faultsInjected: number;
  unauthorized: number;
}

export function emptyStats(): SandboxStats {
  return {
    requests: 0,
    apiRequests: 0,
    searchRequests: 0,
    rateLimited: 0,
    rateLimitedByPolicy: {},
    tooManyRequests: 0,
    faultsInjected: 0,
    unauthorized: 0,
  };
}

function positive(value: unknown, name: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new SandboxAdminError(`${name} must be a positive number; got ${String(value)}`);
  return n;
}

function probability(value: unknown, name: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1)
    throw new SandboxAdminError(`${name} must be between 0 and 1; got ${String(value)}`);
  return n;
}

/** The unauthenticated `/_sandbox/*` control endpoints (documented in README.md). */
export function adminRoutes(deps: {
  portal: Portal;
  limiter: RateLimiter;
  faults: FaultInjector;
  webhooks: WebhookDispatcher;
  stats: () => SandboxStats;
  resetStats: () => void;
}): Route[] {
  const { portal, limiter, faults, webhooks } = deps;
  const webhookSettings = (): Record<string, unknown> => {
    const s = webhooks.settings;
    return {
      workflow:
        s.workflow === undefined
          ? null
          : {
              url: s.workflow.url,
              dropRate: s.workflow.dropRate,
              body: s.workflow.body ?? 'contact',
              signature: s.workflow.signature ?? 'v3',
            },
      crm: s.crm === undefined ? null : { url: s.crm.url },
      retry: s.retry,
      subscribedProperties: [...s.subscribedProperties],
      workflowDuplicateRate: s.workflowDuplicateRate,
      crmDuplicateRate: s.crmDuplicateRate,
      crmShuffle: s.crmShuffle,
      crmBatchSize: s.crmBatchSize,
      crmBatchDelayMs: s.crmBatchDelayMs,
    };
  };
  const searchIndexState = () => ({
    lagMs: portal.searchIndex.lagMs,
    pending: portal.searchIndex.pending,
  });
  return [
    route('POST', '/_sandbox/seed', 'admin', (request) => {
      const seed = request.json();
      return { status: 200, body: portal.silently(() => applySeed(portal, seed)) };
    }),
    route('POST', '/_sandbox/generate', 'admin', (request) => {
      const body = request.json();
      return { status: 200, body: portal.silently(() => generateRecords(portal, body)) };
    }),
    route('POST', '/_sandbox/reset', 'admin', () => {
      portal.reset();
      faults.clear();
      limiter.reset();
      deps.resetStats();
      return { status: 200, body: { reset: true } };
    }),
    route('GET', '/_sandbox/state', 'admin', (request) => {
      const withRecords = request.query.get('records') === 'true';
      const types: Record<string, unknown> = {};
      for (const store of portal.stores.values()) {
        let live = 0;
        for (const record of store.records.values()) if (!record.archived) live++;
        types[store.info.name] = {
          objectTypeId: store.info.objectTypeId,
          records: live,
          archived: store.records.size - live,
          items: withRecords
            ? [...store.records.values()].map((record) => ({
                id: record.id,
                archived: record.archived,
                createdAt: record.createdAt,
                updatedAt: record.updatedAt,
                properties: Object.fromEntries(record.properties),
              }))
            : undefined,
        };
      }
      const associations: { from: string; to: string; typeIds: number[] }[] = [];
      if (withRecords) {
        for (const [from, targets] of portal.associations.links) {
          for (const [to, typeIds] of targets) associations.push({ from, to, typeIds: [...typeIds] });
        }
      }
      return {
        status: 200,
        body: {
          portalId: portal.portalId,
          types,
          labels: [...portal.associations.types.values()].filter((type) => type.category === 'USER_DEFINED'),
          pipelines: [...portal.pipelines.values()],
          owners: [...portal.owners.values()],
          forms: [...portal.forms.definitions.values()].map((form) => ({
            ...form,
            submissions: portal.forms.submissions.get(form.guid)?.length ?? 0,
          })),
          ...(withRecords ? { associations, submissions: Object.fromEntries(portal.forms.submissions) } : {}),
          rateLimit: limiter.settings,
          // Writes waiting for the index are not part of what is kept (a restored portal is indexed whole).
          searchIndex: { lagMs: portal.searchIndex.lagMs },
          associationPageSize: portal.associationPageSize,
          webhooks: webhookSettings(),
          faults: faults.list(),
          stats: { ...deps.stats(), webhooks: webhooks.stats },
        },
      };
    }),
    route('GET', '/_sandbox/faults', 'admin', () => ({ status: 200, body: { results: faults.list() } })),
    route('POST', '/_sandbox/faults', 'admin', (request) => {
      const body = request.json();
      const list = Array.isArray(body) ? body : [body];
      const added = list.map((item) => faults.add((item ?? {}) as Record<string, unknown>));
      return {
        status: 201,
        body: { results: added.map((fault) => ({ id: fault.id, remaining: fault.remaining })) },
      };
    }),
    route('DELETE', '/_sandbox/faults', 'admin', () => {
      faults.clear();
      return { status: 204 };
    }),
    route('GET', '/_sandbox/rate-limit', 'admin', () => ({
      status: 200,
      body: { rateLimit: limiter.settings },
    })),
    route('PUT', '/_sandbox/rate-limit', 'admin', (request) => {
      const body = request.object();
      if (body.enabled === false) limiter.settings = false;
      else {
        const current =
          limiter.settings === false
            ? { requestsPerWindow: 190, windowMs: 10_000, searchPerSecond: 5, daily: 1_000_000 }
            : limiter.settings;
        limiter.settings = {
          requestsPerWindow:
            body.requestsPerWindow === undefined
              ? current.requestsPerWindow
              : positive(body.requestsPerWindow, 'requestsPerWindow'),
          windowMs: body.windowMs === undefined ? current.windowMs : positive(body.windowMs, 'windowMs'),
          searchPerSecond:
            body.searchPerSecond === undefined
              ? current.searchPerSecond
              : positive(body.searchPerSecond, 'searchPerSecond'),
          daily: body.daily === undefined ? current.daily : positive(body.daily, 'daily'),
        };
      }
      if (body.resetWindow === true) limiter.reset();
      return { status: 200, body: { rateLimit: limiter.settings } };
    }),
    route('GET', '/_sandbox/webhooks', 'admin', () => ({ status: 200, body: webhookSettings() })),
    route('PUT', '/_sandbox/webhooks', 'admin', (request) => {
      const body = request.object();
      const s = webhooks.settings;
      // Validate everything before changing anything.
      const dropRate = body.dropRate === undefined ? undefined : probability(body.dropRate, 'dropRate');
      if (dropRate !== undefined && s.workflow === undefined && body.workflow === undefined) {
        throw new SandboxAdminError(
          'dropRate needs a workflow webhook: set "workflow": {url, clientSecret} first',
        );
      }
      const workflow = body.workflow as { url?: unknown; clientSecret?: unknown } | null | undefined;
      // How the workflow webhook signs (v3 with v2 beside it, or v2 alone) and what it sends.
      const workflowSignature = body.workflowSignature;
      if (workflowSignature !== undefined && workflowSignature !== 'v3' && workflowSignature !== 'v2') {
        throw new SandboxAdminError('workflowSignature must be "v3" (with v2 beside it) or "v2" (alone)');
      }
      const workflowBody = body.workflowBody;
      if (workflowBody !== undefined && workflowBody !== 'contact' && workflowBody !== 'form-submission') {
        throw new SandboxAdminError('workflowBody must be "contact" or "form-submission"');
      }
      if ((workflowSignature ?? workflowBody) !== undefined && s.workflow === undefined && !workflow) {
        throw new SandboxAdminError(
          'workflowSignature and workflowBody need a workflow webhook: set "workflow" first',
        );
      }
      const crm = body.crm as { url?: unknown; clientSecret?: unknown } | null | undefined;
      for (const [name, target] of [
        ['workflow', workflow],
        ['crm', crm],
      ] as const) {
        if (target === undefined || target === null) continue;
        if (
          typeof target.url !== 'string' ||
          !URL.canParse(target.url) ||
          typeof target.clientSecret !== 'string' ||
          target.clientSecret === ''
        ) {
          throw new SandboxAdminError(`${name} needs "url" (absolute URL) and "clientSecret"`);
        }
      }
      const duplicate =
        body.crmDuplicateRate === undefined
          ? undefined
          : probability(body.crmDuplicateRate, 'crmDuplicateRate');
      const workflowDuplicate =
        body.workflowDuplicateRate === undefined
          ? undefined
          : probability(body.workflowDuplicateRate, 'workflowDuplicateRate');
      const retry = body.retry as
        | { maxAttempts?: unknown; delaysMs?: unknown; timeoutMs?: unknown }
        | undefined;
      if (retry !== undefined) {
        if (retry.maxAttempts !== undefined) positive(retry.maxAttempts, 'retry.maxAttempts');
        if (
          retry.delaysMs !== undefined &&
          (!Array.isArray(retry.delaysMs) || retry.delaysMs.some((d) => !(Number(d) >= 0)))
        ) {
          throw new SandboxAdminError('retry.delaysMs must be an array of numbers ≥ 0');
        }
        if (retry.timeoutMs !== undefined) positive(retry.timeoutMs, 'retry.timeoutMs');
      }
      if (body.subscribedProperties !== undefined && !Array.isArray(body.subscribedProperties)) {
        throw new SandboxAdminError('subscribedProperties must be an array of deal property names');
      }
      const batchSize =
        body.crmBatchSize === undefined ? undefined : positive(body.crmBatchSize, 'crmBatchSize');
      if (batchSize !== undefined && batchSize > 100)
        throw new SandboxAdminError('crmBatchSize is at most 100');

      if (workflow === null) s.workflow = undefined;
      else if (workflow !== undefined)
        s.workflow = {
          url: String(workflow.url),
          clientSecret: String(workflow.clientSecret),
          dropRate: s.workflow?.dropRate ?? 0,
          body: s.workflow?.body,
          signature: s.workflow?.signature,
        };
      if (dropRate !== undefined && s.workflow !== undefined) s.workflow.dropRate = dropRate;
      if (workflowSignature !== undefined && s.workflow !== undefined)
        s.workflow.signature = workflowSignature;
      if (workflowBody !== undefined && s.workflow !== undefined) s.workflow.body = workflowBody;
      if (crm === null) s.crm = undefined;
      else if (crm !== undefined) s.crm = { url: String(crm.url), clientSecret: String(crm.clientSecret) };
      if (duplicate !== undefined) s.crmDuplicateRate = duplicate;
      if (workflowDuplicate !== undefined) s.workflowDuplicateRate = workflowDuplicate;
      if (typeof body.crmShuffle === 'boolean') s.crmShuffle = body.crmShuffle;
      if (batchSize !== undefined) s.crmBatchSize = Math.floor(batchSize);
      if (body.crmBatchDelayMs !== undefined)
        s.crmBatchDelayMs = Math.max(0, Number(body.crmBatchDelayMs) || 0);
      if (Array.isArray(body.subscribedProperties))
        s.subscribedProperties = new Set(body.subscribedProperties.map(String));
      if (retry !== undefined) {
        s.retry = {
          maxAttempts:
            retry.maxAttempts === undefined ? s.retry.maxAttempts : Math.floor(Number(retry.maxAttempts)),
          delaysMs: Array.isArray(retry.delaysMs) ? retry.delaysMs.map(Number) : s.retry.delaysMs,
          timeoutMs: retry.timeoutMs === undefined ? s.retry.timeoutMs : Number(retry.timeoutMs),
        };
      }
      return { status: 200, body: webhookSettings() };
    }),
    route('POST', '/_sandbox/webhooks/flush', 'admin', async () => {
      await webhooks.flush();
      return { status: 200, body: { stats: webhooks.stats } };
    }),
    route('GET', '/_sandbox/search-index', 'admin', () => ({ status: 200, body: searchIndexState() })),
    route('PUT', '/_sandbox/search-index', 'admin', (request) => {
      const body = request.object();
      const lagMs = Number(body.lagMs);
      if (body.lagMs === undefined || !(Number.isFinite(lagMs) && lagMs >= 0)) {
        throw new SandboxAdminError(`lagMs must be a number of milliseconds ≥ 0; got ${String(body.lagMs)}`);
      }
      portal.searchIndex.lagMs = lagMs;
      // Writes already waiting keep the due time they were given.
      return { status: 200, body: searchIndexState() };
    }),
    // "Index now": every write made so far is searchable at once, for a test about something else.
    route('POST', '/_sandbox/search-index/refresh', 'admin', () => {
      const indexed = portal.searchIndex.flush();
      return { status: 200, body: { indexed, ...searchIndexState() } };
    }),
    route('GET', '/_sandbox/associations', 'admin', () => ({
      status: 200,
      body: { pageSize: portal.associationPageSize },
    })),
    route('PUT', '/_sandbox/associations', 'admin', (request) => {
      const body = request.object();
      const pageSize = Number(body.pageSize);
      if (!(Number.isInteger(pageSize) && pageSize >= 1 && pageSize <= 500)) {
        throw new SandboxAdminError(
          `pageSize must be a whole number from 1 to 500; got ${String(body.pageSize)}`,
        );
      }
      portal.associationPageSize = pageSize;
      return { status: 200, body: { pageSize } };
    }),
    route('GET', '/_sandbox/stats', 'admin', () => ({
      status: 200,
      body: { ...deps.stats(), webhooks: webhooks.stats },
    })),
    route('DELETE', '/_sandbox/stats', 'admin', () => {
      deps.resetStats();
      return { status: 204 };
    }),
  ];
}
