/**
 * The registration workflow's cost per path and its latency, on the definition CDK deploys, run
 * by the local runner against DynamoDB Local and the HubSpot sandbox.
 *
 * For each path, from submission to the end of the execution (expiry included for approved
 * registrations), measured rather than assumed (bench/registration-usage.ts):
 * - Step Functions state transitions of Standard executions (states entered plus retries); Express
 *   executions, when the runner reports any, per request and duration;
 * - every Lambda invocation of the deployed functions it goes through — the steps function, the
 *   intake behind the webhook, the approval and extension/status pages — timed on this machine and
 *   billed at the memory the synthesised stack gives that function, rounded up to 1 ms (arm64);
 * - inits, for two regimes (see `busyInvocationsPerColdStart` and `newBurst`), from the init times
 *   `cold-start.bench.ts` measured;
 * - API Gateway (REST) requests: the webhook delivery and each page request the path makes;
 * - CloudWatch Logs bytes: what the functions log (Powertools, at the deployed level INFO), the
 *   Lambda platform's lines, the state machine's execution log (level ALL, without execution
 *   data, as deployed) and the API's access log;
 * - Secrets Manager calls and KMS requests, as the wiring makes them (secrets read once per
 *   container and cached five minutes; ledger MACs; DynamoDB table keys of the customer managed key);
 * - X-Ray traces; DynamoDB read and write units (DynamoDB Local's consumed capacity); emails.
 * Priced by bench/cost-model.ts, per path and for the mix 70% auto-approved, 25% one approval,
 * 5% escalated. Then the local latency from a submission to the approver's email, p50 and p95.
 *
 * `BENCH_LATENCY_SAMPLES` (default 40; 0 skips the latency), `BENCH_INIT_MS` (JSON init times by
 * function), `BENCH_SHOW_LOG_EVENT=1` (prints the first execution log events as estimated).
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { approvalDeadlines } from '#domain/policy/approval-deadlines.ts';
import { documentClientOver } from '#handlers/wiring/document-client.ts';
import { approvalsTable, ledgerTable, registrationsTable } from '#lib/tables/index.ts';
import { createTables, localClientConfig } from '#local/create-tables.ts';
import { startDynamoDbLocal } from '#local/dynamodb-local.ts';
import { type HistoryEvent, LocalWorkflowRunner } from '#local/workflow-runner/index.ts';
import { synthesizeDealregApp } from '#test/infra/synthesize.ts';
import { synthesizedRegistrationWorkflowAsl } from '#test/infra/synthesized-workflow.ts';
import {
  startWorkflowUnderTest,
  type WorkflowUnderTest,
  workflowPeople,
} from '#test/integration/registration-workflow/workflow-harness.ts';
import { registrationStepsFunctionName } from '#workflows/registration-workflow.ts';
import {
  type CostBreakdown,
  type CostComponent,
  costComponents,
  costPer1000,
  type ExpressExecution,
  ingestedLogBytes,
  type LambdaRun,
  mixOf,
  type RegistrationUsage,
  totalOf,
} from './cost-model.ts';
import {
  accessLogLine,
  deployedFunctions,
  executionLogEvents,
  type Invocation,
  platformLogLines,
  type RegistrationFunction,
  UsageMeter,
} from './registration-usage.ts';

/**
 * Init duration per function: the CPU time of the cold-start benchmark's process up to the end of
 * the import (BENCHMARKS.md, "Lambda cold start", run of 2026-12-06 06:03 UTC at e82d9c0), which on
 * a loaded machine is closer to an idle core's wall time than the wall time it measured.
 * `BENCH_INIT_MS` (JSON, by function) replaces them.
 */
const initMs: Record<RegistrationFunction, number> = {
  steps: 880,
  intake: 500,
  approvalPages: 487,
  extensionPages: 507,
  ...(process.env.BENCH_INIT_MS === undefined ? {} : JSON.parse(process.env.BENCH_INIT_MS)),
};

/**
 * The busy regime: a function's containers stay warm, and each pays its per-container costs (an
 * init, a read of each secret, a decrypt of each table key) once per this many invocations. AWS
 * reports cold starts in under 1% of invocations of production workloads (AWS Compute Blog, "AWS
 * Lambda standardizes billing for INIT Phase", 2025); for the five-minute caches (secrets, DynamoDB
 * table keys) it holds when a container serves at least 100 invocations per five minutes.
 */
const busyInvocationsPerColdStart = 100;

/**
 * The quiet regime: registrations minutes apart, and every event that moves a registration (the
 * submission, an approver's click, a timer) comes after an idle gap long enough for Lambda to have
 * recycled the containers. AWS does not document how long an idle execution environment is kept;
 * 5–15 minutes is what is commonly observed (an assumption). Within such a burst, the function's
 * first invocation is cold and the next ones reuse its container (`UsageMeter.newBurst`); a timer
 * firing after more than five idle minutes of the virtual clock finds it cold again.
 */
const quietRegimeNote =
  'every function cold at its first invocation after a submission or a click, and after 5 idle minutes (timers)';

// The deployed log level is INFO (DealregFunction: POWERTOOLS_LOG_LEVEL); the harness's logger asks
// for ERROR. Powertools obeys Lambda's advanced logging control level over its constructor's.
process.env.AWS_LAMBDA_LOG_LEVEL = 'INFO';

/** The quiet regime's idle gap: the low end of the 5–15 minutes (see `quietRegimeNote`). */
const idleGapMs = 5 * 60_000;
let virtualNow = () => Date.now();
const meter = new UsageMeter({ now: () => virtualNow(), idleMs: idleGapMs });
// Every step invocation is timed and attributed (the steps handler is registered by the harness).
const register = LocalWorkflowRunner.prototype.registerHandler;
LocalWorkflowRunner.prototype.registerHandler = function (
  this: LocalWorkflowRunner,
  resource,
  handler,
  options,
) {
  const timed: typeof handler =
    resource === registrationStepsFunctionName
      ? (input, context) => meter.run('steps', () => handler(input, context))
      : handler;
  return register.call(this, resource, timed, options);
};
// The intake's invocation ends when the harness starts settling the workflow after it.
let intakeInFlight: Invocation | undefined;
const settle = LocalWorkflowRunner.prototype.settle;
LocalWorkflowRunner.prototype.settle = function (this: LocalWorkflowRunner) {
  if (intakeInFlight !== undefined) meter.end(intakeInFlight);
  intakeInFlight = undefined;
  return settle.call(this);
};

const app = synthesizeDealregApp();
const deployed = deployedFunctions(app);

const dynamodb = await startDynamoDbLocal();
const client = new DynamoDBClient(localClientConfig(dynamodb.endpoint));
meter.watchTables(client);
const names = await createTables(
  dynamodb.endpoint,
  [registrationsTable, approvalsTable, ledgerTable],
  'bench-',
);
const tables = {
  client,
  documentClient: documentClientOver(client),
  tableName: (logical: string) => names[logical] ?? logical,
};
const capacity = { read: 0, write: 0 };
const harness: WorkflowUnderTest = await startWorkflowUnderTest({
  tables,
  ledgerKey: meter.countingLedgerKey(),
  // The definition exactly as the synthesised stack deploys it (the harness's default, synthesised once here).
  definition: synthesizedRegistrationWorkflowAsl(app.statelessTemplate),
  onCapacity: (_command, units) => {
    capacity.read += units.read;
    capacity.write += units.write;
  },
});

/** An API Gateway request a path made: the method and the resource path it matched. */
interface ApiRequest {
  readonly method: string;
  readonly resourcePath: string;
}
virtualNow = () => harness.clock.now().getTime();
const apiRequests: ApiRequest[] = [];
const apiOrigin = new URL(harness.api.url).origin;
/** The deployed function and resource behind a page URL of the API (`/_local/…` routes are not deployed). */
function pageRoute(pathname: string): { fn: RegistrationFunction; resourcePath: string } | undefined {
  if (/^\/approvals\/[^/]+$/.test(pathname))
    return { fn: 'approvalPages', resourcePath: '/approvals/{approvalId}' };
  const registration = /^\/registrations\/[^/]+\/(extension|status)$/.exec(pathname);
  if (registration !== null)
    return { fn: 'extensionPages', resourcePath: `/registrations/{registrationId}/${registration[1]}` };
  return undefined;
}
const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
  const route = url.origin === apiOrigin ? pageRoute(url.pathname) : undefined;
  if (route === undefined) return realFetch(input, init);
  apiRequests.push({ method: init?.method ?? 'GET', resourcePath: route.resourcePath });
  return meter.page(route.fn, () => realFetch(input, init));
};
const restoreOutput = meter.captureLogs();

/** Submits through the intake as the webhook's invocation: a new burst, one API request. */
async function submit(fields: Record<string, string>): Promise<string> {
  meter.newBurst();
  apiRequests.push({ method: 'POST', resourcePath: '/hubspot/form-submissions' });
  const invocation = meter.begin('intake');
  intakeInFlight = invocation;
  return meter.within(invocation, () => harness.submit(fields));
}

interface PathMeasure {
  readonly path: string;
  readonly registrationId: string;
  readonly history: HistoryEvent[];
  readonly standardTransitions: number;
  readonly expressExecutions: ExpressExecution[];
  readonly otherExecutions: number;
  readonly invocations: Invocation[];
  readonly apiRequests: ApiRequest[];
  readonly readUnits: number;
  readonly writeUnits: number;
  readonly emails: number;
}

/** Billed transitions: states entered plus retries; events of an Express map child are not transitions. */
function standardTransitionsOf(history: readonly HistoryEvent[]): number {
  return history.filter(
    (event) =>
      (event.type === 'StateEntered' || event.type === 'StateRetried') &&
      (event.details as { executionType?: string } | undefined)?.executionType !== 'EXPRESS',
  ).length;
}
/**
 * The Express executions (the registration's segments) an execution started, priced per request
 * and duration. The runner's clock stands still while a segment runs, so the duration is the
 * segment's real time on this machine (its steps' Lambda time and the runner's own); the memory
 * is the smallest 64 MB chunk, as the segment's state is a few KB.
 */
function expressExecutionsOf(executionArn: string): ExpressExecution[] {
  return harness.runner
    .expressExecutions(executionArn)
    .map((execution) => ({ durationMs: execution.realDurationMs, memoryMb: 64 }));
}

let domainCounter = 0;

/** Runs one registration down a path to the end of its execution and measures what it used. */
async function measure(
  path: string,
  amount: string,
  drive: (registrationId: string, requestedAt: Date) => Promise<void>,
): Promise<PathMeasure> {
  domainCounter += 1;
  const domain = `bench-${domainCounter}.com`;
  const mailsBefore = (await harness.mailbox.list()).length;
  const before = { ...capacity };
  const invocationsBefore = meter.invocations.length;
  const apiBefore = apiRequests.length;
  const executionsBefore = new Set(
    harness.runner.listExecutions().map((execution) => execution.executionArn),
  );
  const requestedAt = harness.clock.now();
  const registrationId = await submit({ customer_domain: domain, estimated_amount: amount });
  await drive(registrationId, requestedAt);
  const record = await harness.registration(registrationId);
  if (record.progress?.expiresAt !== undefined && record.progress.status === 'approved') {
    await harness.clock.setTo(new Date(new Date(record.progress.expiresAt).getTime() + 60_000).toISOString());
  }
  const registration = harness.runner.describeExecution(registrationId);
  if (registration.status !== 'SUCCEEDED')
    throw new Error(`${path}: the execution ended ${registration.status}`);
  const others = harness.runner
    .listExecutions()
    .filter(
      (execution) =>
        !executionsBefore.has(execution.executionArn) && execution.executionArn !== registration.executionArn,
    );
  const history = harness.runner.getExecutionHistory(registrationId);
  return {
    path,
    registrationId,
    history,
    standardTransitions:
      standardTransitionsOf(history) +
      others.reduce(
        (sum, execution) =>
          sum + standardTransitionsOf(harness.runner.getExecutionHistory(execution.executionArn)),
        0,
      ),
    expressExecutions: [registration, ...others].flatMap((execution) =>
      expressExecutionsOf(execution.executionArn),
    ),
    otherExecutions: others.length,
    invocations: meter.invocations.slice(invocationsBefore),
    apiRequests: apiRequests.slice(apiBefore),
    readUnits: capacity.read - before.read,
    writeUnits: capacity.write - before.write,
    emails: (await harness.mailbox.list()).length - mailsBefore,
  };
}

const minuteAfter = (at: Date) => new Date(at.getTime() + 60_000).toISOString();
const approver = workflowPeople.channelManager;
/** An approver opens the emailed link later: a new burst. */
const decide: WorkflowUnderTest['decide'] = (...args) => {
  meter.newBurst();
  return harness.decide(...args);
};
const moveClockTo = (at: string) => harness.clock.setTo(at);

const loadBefore = loadavg();
// One registration first, not counted: the process's first run of each code path pays for
// compiling it, which Lambda pays in the init (imports) and the first invocations of a container.
const warmUp = await measure('warm-up', '9000', async () => {});
const measured: PathMeasure[] = [];
measured.push(await measure('auto-approve', '9000', async () => {}));
measured.push(
  await measure('one approval', '40000', async () => {
    await decide(approver, 'approve');
  }),
);
measured.push(
  await measure('escalated', '40000', async (_id, requestedAt) => {
    const { escalationAt } = approvalDeadlines(harness.policy.policy, requestedAt);
    await moveClockTo(minuteAfter(escalationAt));
    await decide(workflowPeople.director, 'approve');
  }),
);
measured.push(
  await measure('rejected by approver', '40000', async () => {
    await decide(approver, 'reject', { reason: 'Out of territory.' });
  }),
);
measured.push(
  await measure('policy default at final deadline', '40000', async (_id, requestedAt) => {
    const { finalAt } = approvalDeadlines(harness.policy.policy, requestedAt);
    await moveClockTo(minuteAfter(finalAt));
  }),
);
measured.push(
  await measure('two levels', '300000', async () => {
    await decide(approver, 'approve');
    await decide(workflowPeople.vpSales, 'approve');
  }),
);
const loadAfter = loadavg();

/**
 * An invocation's own time: its wall time less the time step handlers ran within it (a page's
 * POST resumes the workflow, whose steps may run before the response is read; the intake starts
 * the execution, whose first step may run before the intake returns).
 */
function ownMs(invocation: Invocation, all: readonly Invocation[]): number {
  if (invocation.fn === 'steps') return invocation.durationMs;
  const start = invocation.startedAt;
  const end = start + invocation.durationMs;
  const overlap = all
    .filter((other) => other.fn === 'steps')
    .reduce(
      (sum, step) =>
        sum + Math.max(0, Math.min(end, step.startedAt + step.durationMs) - Math.max(start, step.startedAt)),
      0,
    );
  return Math.max(0, invocation.durationMs - overlap);
}

type Regime = 'busy' | 'quiet';

/** What one registration of this path uses in a regime, with Lambda times multiplied by `cpuFactor`. */
function usageOf(path: PathMeasure, regime: Regime, cpuFactor = 1): RegistrationUsage {
  const runs = path.invocations.map((invocation) => ({
    invocation,
    memoryMb: deployed[invocation.fn].memoryMb,
    durationMs: ownMs(invocation, path.invocations) * cpuFactor,
    initMs: initMs[invocation.fn] * cpuFactor,
    /** The chance this invocation is cold. */
    cold: regime === 'quiet' ? (invocation.coldWhenQuiet ? 1 : 0) : 1 / busyInvocationsPerColdStart,
  }));
  const lambdaInvocations: LambdaRun[] = runs.map(({ memoryMb, durationMs }) => ({ memoryMb, durationMs }));
  const lambdaInits = runs.map(({ memoryMb, initMs: ms, cold }) => ({
    memoryMb,
    durationMs: ms,
    weight: cold,
  }));
  const secretsManagerCalls = runs.reduce(
    (sum, run) => sum + run.cold * deployed[run.invocation.fn].secretsRead,
    0,
  );
  const tableKeyDecrypts = runs.reduce(
    (sum, run) =>
      sum +
      (regime === 'quiet'
        ? run.invocation.tableKeysWhenQuiet.size
        : run.invocation.tables.size / busyInvocationsPerColdStart),
    0,
  );
  const ledgerMacs = runs.reduce((sum, run) => sum + run.invocation.ledgerMacRequests, 0);
  const lineBytes = (lines: readonly string[]) =>
    ingestedLogBytes(lines.map((line) => Buffer.byteLength(line)));
  const warmPlatform = (run: (typeof runs)[number]) =>
    platformLogLines({ durationMs: run.durationMs, memoryMb: run.memoryMb });
  const platformBytes = runs.reduce(
    (sum, run) =>
      sum +
      (1 - run.cold) * lineBytes(warmPlatform(run)) +
      run.cold *
        lineBytes(
          platformLogLines({ durationMs: run.durationMs, memoryMb: run.memoryMb, initMs: run.initMs }),
        ),
    0,
  );
  const powertoolsBytes = runs.reduce((sum, run) => sum + ingestedLogBytes(run.invocation.logLines), 0);
  const executionLogBytes = lineBytes(
    executionLogEvents(path.history, { includeExecutionData: false, executionName: path.registrationId }),
  );
  const accessLogBytes = lineBytes(
    path.apiRequests.map((request) => accessLogLine(request.method, request.resourcePath)),
  );
  return {
    standardTransitions: path.standardTransitions,
    expressExecutions: path.expressExecutions,
    lambdaInvocations,
    lambdaInits,
    restApiRequests: path.apiRequests.length,
    logBytes: powertoolsBytes + platformBytes + executionLogBytes + accessLogBytes,
    secretsManagerCalls,
    // Each GetSecretValue decrypts the secret's data key with KMS (aws/secretsmanager, charged per
    // request); each ledger MAC is a KMS request; each table key decrypt is one.
    kmsRequests: secretsManagerCalls + ledgerMacs + tableKeyDecrypts,
    // One trace per execution (tracing on the state machine; the steps join it) and one per API
    // request (tracing on the stage; the function joins it); at this volume the default sampling
    // rule's reservoir of one a second records each.
    tracesRecorded: 1 + path.otherExecutions + path.apiRequests.length,
    readUnits: path.readUnits,
    writeUnits: path.writeUnits,
    emails: path.emails,
  };
}

/** Log bytes by source, for the counts table. */
function logSources(path: PathMeasure) {
  const lineBytes = (lines: readonly string[]) =>
    ingestedLogBytes(lines.map((line) => Buffer.byteLength(line)));
  return {
    powertools: path.invocations.reduce((sum, invocation) => sum + ingestedLogBytes(invocation.logLines), 0),
    platform: path.invocations.reduce(
      (sum, invocation) =>
        sum +
        lineBytes(
          platformLogLines({ durationMs: invocation.durationMs, memoryMb: deployed[invocation.fn].memoryMb }),
        ),
      0,
    ),
    execution: lineBytes(
      executionLogEvents(path.history, { includeExecutionData: false, executionName: path.registrationId }),
    ),
    executionWithData: lineBytes(
      executionLogEvents(path.history, { includeExecutionData: true, executionName: path.registrationId }),
    ),
    access: lineBytes(path.apiRequests.map((request) => accessLogLine(request.method, request.resourcePath))),
  };
}

const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
console.log(
  `measured ${new Date().toISOString()}, commit ${commit}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load average ${loadBefore[0]?.toFixed(1)} → ${loadAfter[0]?.toFixed(1)}`,
);
console.log(
  `deployed memory: ${Object.entries(deployed)
    .map(([fn, { memoryMb, secretsRead }]) => `${fn} ${memoryMb} MB (${secretsRead} secrets)`)
    .join(', ')}; init ms (cold-start bench, CPU): ${Object.entries(initMs)
    .map(([fn, ms]) => `${fn} ${ms}`)
    .join(', ')}`,
);
console.log(
  "Lambda times are this machine's, not Lambda's: at 512 MB a function gets about a third of a vCPU, so see the ×3 line below.\n",
);

const auto0 = () => measured[0] as PathMeasure;
const ownSum = (path: PathMeasure) =>
  path.invocations.reduce((sum, invocation) => sum + ownMs(invocation, path.invocations), 0);
const kb = (bytes: number) => (bytes / 1024).toFixed(1);
console.log(
  '| path | transitions | Lambda invocations (steps/intake/pages) | Lambda ms (own, sum) | API requests | log KB (functions + platform + execution + access) | Secrets Manager calls quiet/busy | KMS requests quiet/busy | traces | read units | write units | emails |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const path of measured) {
  const count = (fn: RegistrationFunction | 'page') =>
    path.invocations.filter((invocation) =>
      fn === 'page'
        ? invocation.fn === 'approvalPages' || invocation.fn === 'extensionPages'
        : invocation.fn === fn,
    ).length;
  const ms = ownSum(path);
  const logs = logSources(path);
  const quiet = usageOf(path, 'quiet');
  const busy = usageOf(path, 'busy');
  console.log(
    `| ${path.path} | ${path.standardTransitions}${path.expressExecutions.length > 0 ? ` + ${path.expressExecutions.length} Express` : ''} | ${path.invocations.length} (${count('steps')}/${count('intake')}/${count('page')}) | ${ms.toFixed(0)} | ${path.apiRequests.length} | ${kb(logs.powertools)} (${path.invocations.reduce((sum, invocation) => sum + invocation.logLines.length, 0)} lines) + ${kb(logs.platform)} + ${kb(logs.execution)} + ${kb(logs.access)} | ${quiet.secretsManagerCalls.toFixed(0)} / ${busy.secretsManagerCalls.toFixed(2)} | ${quiet.kmsRequests.toFixed(0)} / ${busy.kmsRequests.toFixed(2)} | ${busy.tracesRecorded} | ${path.readUnits.toFixed(1)} | ${path.writeUnits.toFixed(1)} | ${path.emails} |`,
  );
}

console.log(
  `\nthe uncounted first (auto-approve) registration's Lambda time: ${ownSum(warmUp).toFixed(0)} ms (code not yet compiled, as in a fresh container's first invocations) against ${ownSum(measured[0] as PathMeasure).toFixed(0)} ms counted`,
);
console.log(
  `execution log events (level ALL, without execution data): ${measured
    .map((path) => {
      const events = executionLogEvents(path.history, {
        includeExecutionData: false,
        executionName: path.registrationId,
      });
      const bytes = events.reduce((sum, event) => sum + Buffer.byteLength(event), 0);
      return `${path.path} ${events.length} (mean ${(bytes / events.length).toFixed(0)} B)`;
    })
    .join(', ')}`,
);
if (process.env.BENCH_SHOW_LOG_EVENT !== undefined)
  console.log(
    executionLogEvents(auto0().history, {
      includeExecutionData: false,
      executionName: auto0().registrationId,
    })
      .slice(0, 6)
      .join('\n'),
  );

const componentNames: Record<CostComponent, string> = {
  transitions: 'transitions',
  express: 'Express',
  lambdaRequests: 'Lambda requests',
  lambdaDuration: 'Lambda duration',
  lambdaInit: 'Lambda init',
  apiGateway: 'API Gateway',
  logs: 'CloudWatch Logs',
  secretsManager: 'Secrets Manager',
  kms: 'KMS',
  xray: 'X-Ray',
  dynamodb: 'DynamoDB',
  ses: 'SES',
};
const mixWeights = [0.7, 0.25, 0.05] as const;
const [auto, one, escalated] = measured;
if (auto === undefined || one === undefined || escalated === undefined) throw new Error('missing paths');
const mixFor = (regime: Regime, cpuFactor = 1): CostBreakdown =>
  mixOf(
    [auto, one, escalated].map((path, index) => ({
      weight: mixWeights[index] ?? 0,
      cost: costPer1000(usageOf(path, regime, cpuFactor)),
    })),
  );
const money = (value: number) => value.toFixed(4);

for (const regime of ['busy', 'quiet'] as const) {
  console.log(
    `\n${regime === 'busy' ? `Busy: per-container costs once per ${busyInvocationsPerColdStart} invocations` : `Quiet: ${quietRegimeNote}`} — $ per 1,000 registrations`,
  );
  console.log(
    `| path | ${costComponents.map((component) => componentNames[component]).join(' | ')} | total |`,
  );
  console.log(`|---|${costComponents.map(() => '---:').join('|')}|---:|`);
  const row = (name: string, cost: CostBreakdown) =>
    console.log(
      `| ${name} | ${costComponents.map((component) => money(cost[component])).join(' | ')} | **${money(totalOf(cost))}** |`,
    );
  for (const path of measured) row(path.path, costPer1000(usageOf(path, regime)));
  const mix = mixFor(regime);
  row('**mix** (70/25/5)', mix);
  const total = totalOf(mix);
  const shares = costComponents
    .map((component) => ({ component, value: mix[component] }))
    .sort((a, b) => b.value - a.value)
    .filter((share) => share.value / total >= 0.005)
    .map(
      (share) =>
        `${componentNames[share.component]} ${((100 * share.value) / total).toFixed(0)}% ($${money(share.value)})`,
    );
  console.log(
    `mix: $${total.toFixed(3)} per 1,000 (goal ≤ $0.35 with every email); $${(total - mix.ses).toFixed(3)} without email; by component: ${shares.join(', ')}`,
  );
  console.log(
    `sensitivity, Lambda durations and inits × 3 (a third of a vCPU at 512 MB): mix $${totalOf(mixFor(regime, 3)).toFixed(3)} per 1,000`,
  );
}
const withData = measured.map((path) => logSources(path));
console.log(
  `\nexecution logs with execution data (not deployed): ${withData.map((logs, index) => `${measured[index]?.path} ${kb(logs.executionWithData)} KB`).join(', ')}`,
);
console.log(`auto-approve transitions: ${auto.standardTransitions} (goal ≤ 12)`);

// Latency: a submission needing approval until the approver's email is in the mailbox.
const samples = Number(process.env.BENCH_LATENCY_SAMPLES ?? 40);
const latencies: number[] = [];
for (let index = 0; index < samples; index += 1) {
  const domain = `latency-${index}.com`;
  const started = performance.now();
  await harness.submit({ customer_domain: domain, estimated_amount: '40000' });
  const mails = await harness.mails({ to: approver, template: 'approval-request' });
  if (!mails.some((mail) => mail.text.includes(domain))) throw new Error(`no approval email for ${domain}`);
  latencies.push(performance.now() - started);
}
if (samples > 0) {
  latencies.sort((a, b) => a - b);
  const percentile = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  console.log(
    `submission → approver email, ${samples} samples: p50 ${percentile(50).toFixed(0)} ms, p95 ${percentile(95).toFixed(0)} ms (goal p95 ≤ 2,000 ms)`,
  );
}

// The latency runs log as the measured ones did (captured, not printed).
restoreOutput();
await harness.close();
client.destroy();
await dynamodb.stop();
