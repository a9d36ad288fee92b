import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { localClientConfig } from '#local/create-tables.ts';
import { deliver } from './hubspot-webhook.ts';
import type { LocalStackProcess } from './local-stack-process.ts';
import { scanStoredRegistrations } from './stored-registrations.ts';
import { formSubmission } from './submissions.ts';

/**
 * A quarter-end burst against a running local stack: `deliveries` signed webhook deliveries at
 * `concurrency`, `duplicateShare` of them repeats of earlier ones, while the HubSpot sandbox
 * answers the injected faults. What fails is redriven by the backfill once its wait is over (the
 * clock moved by minutes only, far from any SLA timer). Used by the chaos test and the burst
 * benchmark.
 */
export interface BurstOptions {
  readonly deliveries: number;
  /** @default 0.3 */
  readonly duplicateShare?: number;
  /** @default 50 */
  readonly concurrency?: number;
  /** Sandbox faults (`POST /_sandbox/faults` bodies) injected before the burst. */
  readonly faults?: readonly Record<string, unknown>[];
  /** Give up when nothing has moved for this long (the test then names what is left). @default 10 min */
  readonly stuckMs?: number;
}

export interface BurstResult {
  readonly distinct: number;
  readonly statuses: readonly number[];
  readonly intakeMs: number;
  readonly settledMs: number;
  /** Executions failed when the burst first went quiet, before any redrive. */
  readonly failedBeforeRedrive: number;
  readonly redriveRounds: number;
  readonly executions: readonly { readonly name: string; readonly status: string }[];
  /** Registrations neither decided nor waiting on a person: `[id, status]`. */
  readonly unsettled: readonly (readonly [string, string])[];
  /** The sandbox's counts over the burst. */
  readonly hubspot: {
    readonly apiRequests: number;
    readonly searchRequests: number;
    readonly tooManyRequests: number;
  };
}

/** Partner companies the burst's registrations come from; seed them before the burst. */
export const burstPartners = ['burst-partner-a.io', 'burst-partner-b.io', 'burst-partner-c.io'] as const;

/** HubSpot answers 429s (both limits), 5xx and slow responses to the first requests of each kind. */
export const burstFaults: readonly Record<string, unknown>[] = [
  { path: '/search$', status: 429, policyName: 'SECONDLY', times: 60 },
  { path: '^/crm/v3/objects/', status: 429, times: 60 },
  { path: '^/crm/v3/objects/(companies|deals)$', method: 'POST', status: 502, times: 30 },
  { path: '^/crm/v3/objects/[^/]+/batch/read$', status: 503, times: 30 },
  { path: '^/crm/v4/', status: 500, times: 30 },
  { path: '^/crm/v3/objects/(companies|deals)$', method: 'POST', latencyMs: 2_500, times: 20 },
  { path: '/search$', latencyMs: 1_500, times: 40 },
];

/** Decided; `in-review` and `awaiting-information` are settled only while a callback task waits on a person. */
const decidedStatuses = new Set(['approved', 'declined', 'merged', 'expired', 'rejected']);
const waitingStatuses = new Set(['in-review', 'awaiting-information']);

async function getJson<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  const text = await response.text();
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${text}`);
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

export const postJson = (url: string, body: unknown) =>
  getJson(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

/** Where each registration stands, from the registrations table: the workflow's status, or `none` yet. */
async function standings(stack: LocalStackProcess): Promise<Map<string, string>> {
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient(localClientConfig(stack.description.dynamodb.endpoint)),
  );
  try {
    const stored = await scanStoredRegistrations(
      client,
      stack.description.tables.Registrations ?? 'Registrations',
    );
    return new Map(
      stored.map((record) => [
        record.registrationId,
        record.status === 'received' ? (record.progress?.status ?? 'none') : record.status,
      ]),
    );
  } finally {
    client.destroy();
  }
}

/**
 * The distinct registrations of a burst: a third above the auto-approval threshold (an approver
 * decides), every tenth a second partner's claim on the previous customer (a conflict to
 * review), the rest auto-approved (a customer company and a deal created in HubSpot).
 */
function burstSubmissions(distinct: number) {
  return Array.from({ length: distinct }, (_, index) => {
    const rival = index % 10 === 9;
    const customer = rival ? index - 1 : index;
    const partner = burstPartners[(rival ? index + 1 : index) % burstPartners.length];
    return formSubmission({
      submittedAt: Date.now(),
      fields: {
        email: `rep${index}@${partner}`,
        partner_company_domain: partner,
        customer_company_name: `Burst Customer ${customer}`,
        customer_domain: `burst-customer-${customer}.io`,
        estimated_amount: index % 3 === 0 ? '120000' : '12000',
      },
    });
  });
}

export async function runBurst(stack: LocalStackProcess, options: BurstOptions): Promise<BurstResult> {
  const api = (path: string) => `${stack.description.api}${path}`;
  const sandbox = (path: string) => `${stack.description.hubspot.url}${path}`;
  const distinct = Math.round(options.deliveries * (1 - (options.duplicateShare ?? 0.3)));
  const stuckMs = options.stuckMs ?? 10 * 60_000;

  await postJson(sandbox('/_sandbox/seed'), {
    companies: burstPartners.map((domain, index) => ({
      id: String(29_000_001 + index),
      properties: { name: `Burst Partner ${index + 1}`, domain, type: 'PARTNER' },
    })),
  });
  await fetch(sandbox('/_sandbox/stats'), { method: 'DELETE' });
  for (const fault of options.faults ?? []) await postJson(sandbox('/_sandbox/faults'), fault);

  const submissions = burstSubmissions(distinct);
  const order = Array.from({ length: options.deliveries }, (_, index) => submissions[index % distinct]);
  const statuses: number[] = [];
  const began = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: options.concurrency ?? 50 }, async () => {
      for (let index = next++; index < order.length; index = next++) {
        const response = await deliver(api('/hubspot/form-submissions'), JSON.stringify(order[index]), {
          secret: stack.description.webhookClientSecret,
        });
        statuses.push(response.status);
      }
    }),
  );
  const intakeMs = Date.now() - began;

  let failedBeforeRedrive: number | undefined;
  let executions: { name: string; status: string }[] = [];
  let unsettled: [string, string][] = [];
  let quietSince = Date.now();
  let picture = '';
  let rounds = 0;
  for (;;) {
    executions = await getJson<{ name: string; status: string }[]>(api('/_local/executions'));
    // Executions are named by registration id; an open callback task is a person's turn.
    const waiting = new Set(
      (await getJson<{ executionName: string }[]>(api('/_local/tasks'))).map((task) => task.executionName),
    );
    unsettled = [...(await standings(stack))].filter(
      ([id, status]) => !decidedStatuses.has(status) && !(waitingStatuses.has(status) && waiting.has(id)),
    );
    const failed = new Set(
      executions.filter((execution) => execution.status === 'FAILED').map((execution) => execution.name),
    );
    if (unsettled.length === 0 && failed.size === 0) break;
    // Once all that is left waits on a redrive (its execution failed), the backfill's turn comes.
    if (failed.size > 0 && unsettled.every(([id]) => failed.has(id))) {
      failedBeforeRedrive ??= failed.size;
      if (rounds === 6) break;
      await postJson(api('/_local/clock'), { advance: `PT${5 * 2 ** rounds}M` });
      await postJson(api('/_local/backfill'), {});
      rounds += 1;
    }
    const now = `${unsettled.length}/${failed.size}/${executions.filter((execution) => execution.status === 'RUNNING').length}`;
    if (now !== picture) {
      picture = now;
      quietSince = Date.now();
    } else if (Date.now() - quietSince > stuckMs) {
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  // A registration's status is written before the step that tells people about it has sent its
  // email: the burst is over once every running execution is idle, waiting on a person (its
  // callback handler has returned) or on the clock.
  const idle = new Set<string>();
  for (let since = Date.now(); Date.now() - since < stuckMs; ) {
    const running = executions.filter(
      (execution) => execution.status === 'RUNNING' && !idle.has(execution.name),
    );
    if (running.length === 0) break;
    for (const execution of running) {
      const { history } = await getJson<{ history: { type: string }[] }>(
        api(`/_local/executions/${encodeURIComponent(execution.name)}`),
      );
      // The runner's events: a callback task's handler has returned (`TaskSubmitted`), or a Wait
      // state waits on the clock (`WaitScheduled`).
      const last = history.at(-1)?.type;
      if (last === 'TaskSubmitted' || last === 'WaitScheduled') {
        idle.add(execution.name);
      }
    }
    if (running.some((execution) => !idle.has(execution.name)))
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    executions = await getJson<{ name: string; status: string }[]>(api('/_local/executions'));
  }
  const settledMs = Date.now() - began;
  const stats = await getJson<{ apiRequests: number; searchRequests: number; tooManyRequests: number }>(
    sandbox('/_sandbox/stats'),
  );
  return {
    distinct,
    statuses,
    intakeMs,
    settledMs,
    failedBeforeRedrive: failedBeforeRedrive ?? 0,
    redriveRounds: rounds,
    executions,
    unsettled,
    hubspot: {
      apiRequests: stats.apiRequests,
      searchRequests: stats.searchRequests,
      tooManyRequests: stats.tooManyRequests,
    },
  };
}

/** Values that occur more than once. */
export function repeated(values: readonly (string | undefined)[]): string[] {
  const seen = new Map<string, number>();
  for (const value of values) if (value !== undefined) seen.set(value, (seen.get(value) ?? 0) + 1);
  return [...seen].filter(([, count]) => count > 1).map(([value]) => value);
}
