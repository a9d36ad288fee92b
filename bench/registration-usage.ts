/**
 * What one registration uses, measured while the registration workflow benchmark drives it on the
 * local stack: every Lambda invocation (which function, how long it ran, which tables it touched,
 * what it logged, the ledger MACs it asked for), every API Gateway request, and the burst each
 * happened in (for the cold-start regimes). The deployed side (memory sizes, secrets each function
 * may read) is read from the synthesised stateless stack, not hard-coded.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Stack } from 'aws-cdk-lib';
import { LocalLedgerKey } from '#adapters/ledger/local-ledger-key.ts';
import type { HistoryEvent } from '#local/workflow-runner/index.ts';
import type { MacClaim } from '#ports/ledger-authenticator.ts';
import type { SynthesizedApp } from '#test/infra/synthesize.ts';

/** The deployed functions a registration's path can invoke, by their construct path in the stateless stack. */
export const registrationFunctions = {
  steps: 'RegistrationWorkflow/Steps',
  intake: 'SubmissionIntake/FormSubmissions',
  approvalPages: 'Approvals/ApprovalPages',
  extensionPages: 'Approvals/ExtensionRequests',
} as const;
export type RegistrationFunction = keyof typeof registrationFunctions;

/** A function as the stack deploys it: memory and the secrets its role may read. */
export interface DeployedFunction {
  readonly memoryMb: number;
  /**
   * Secrets its role is granted `secretsmanager:GetSecretValue` on. The wiring reads the HubSpot
   * access token once at init and the others on use, cached five minutes
   * (`functions/handlers/wiring/secrets.ts`): each is taken as read once per cold container.
   */
  readonly secretsRead: number;
}

interface TemplateJson {
  readonly Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

/** Memory and readable secrets of each registration function, from the synthesised stateless stack. */
export function deployedFunctions(app: SynthesizedApp): Record<RegistrationFunction, DeployedFunction> {
  const stack = app.stateless as Stack;
  const resources = (app.statelessTemplate.toJSON() as TemplateJson).Resources ?? {};
  const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
    stack.getLogicalId(construct.node.defaultChild as never);
  const entries = Object.entries(registrationFunctions).map(([name, path]) => {
    const [parent = '', child = ''] = path.split('/');
    const fn = stack.node.tryFindChild(parent)?.node.tryFindChild(child);
    if (fn === undefined) throw new Error(`the stateless stack has no function ${path}`);
    const functionResource = resources[logicalId(fn)];
    if (functionResource?.Type !== 'AWS::Lambda::Function')
      throw new Error(`${path} is not synthesised as an AWS::Lambda::Function`);
    // Lambda's default memory when the template names none (AWS::Lambda::Function MemorySize).
    const memoryMb = Number(functionResource.Properties?.MemorySize ?? 128);
    const role = functionResource.Properties?.Role as { 'Fn::GetAtt'?: [string, string] } | undefined;
    const roleId = role?.['Fn::GetAtt']?.[0];
    let secretsRead = 0;
    for (const resource of Object.values(resources)) {
      if (resource.Type !== 'AWS::IAM::Policy') continue;
      const roles = (resource.Properties?.Roles ?? []) as { Ref?: string }[];
      if (!roles.some((ref) => ref.Ref === roleId)) continue;
      const document = resource.Properties?.PolicyDocument as { Statement?: Record<string, unknown>[] };
      for (const statement of document?.Statement ?? []) {
        const actions = [statement.Action].flat();
        if (!actions.includes('secretsmanager:GetSecretValue')) continue;
        secretsRead += [statement.Resource].flat().length;
      }
    }
    return [name, { memoryMb, secretsRead }] as const;
  });
  return Object.fromEntries(entries) as Record<RegistrationFunction, DeployedFunction>;
}

/** One invocation of a deployed function, as measured. */
export interface Invocation {
  readonly fn: RegistrationFunction;
  startedAt: number;
  durationMs: number;
  /** It returned: nothing more is attributed to it. */
  ended: boolean;
  /** Cold in the quiet regime: the function's first invocation in its burst, or after the idle gap. */
  coldWhenQuiet: boolean;
  /** Tables it sent requests to. */
  readonly tables: Set<string>;
  /** Tables whose key DynamoDB would decrypt for it in the quiet regime (first use in the burst or after the gap). */
  readonly tableKeysWhenQuiet: Set<string>;
  /** UTF-8 bytes of each line it logged (Powertools JSON lines). */
  readonly logLines: number[];
  /** KMS GenerateMac / VerifyMac requests (the ledger's HMAC key). */
  ledgerMacRequests: number;
}

/**
 * Measures invocations. Code running inside `run` (a step handler, the intake) is attributed to
 * its invocation through an AsyncLocalStorage; requests served by the local API server run outside
 * the caller's async context, so they are attributed to the page request in flight.
 */
export class UsageMeter {
  readonly invocations: Invocation[] = [];
  readonly #context = new AsyncLocalStorage<Invocation>();
  #pageInFlight: Invocation | undefined;
  /** The virtual time (ms) each function, and each function's use of a table key, was last seen at. */
  readonly #lastSeen = new Map<string, number>();
  readonly #now: () => number;
  readonly #idleMs: number;

  /**
   * @param options.now the virtual clock's time in ms (timers fire with the clock at their due time).
   * @param options.idleMs the idle gap after which a container (or a cached table key) is gone in
   *   the quiet regime.
   */
  constructor(options: { now: () => number; idleMs: number }) {
    this.#now = options.now;
    this.#idleMs = options.idleMs;
  }

  /** A new burst: what follows comes minutes later in reality (a submission, a click), so everything starts cold. */
  newBurst(): void {
    this.#lastSeen.clear();
  }

  /** Whether `key` was not seen within the idle gap (then it is now). */
  #coldAt(key: string): boolean {
    const now = this.#now();
    const last = this.#lastSeen.get(key);
    this.#lastSeen.set(key, now);
    return last === undefined || now - last > this.#idleMs;
  }

  /** Starts an invocation of `fn` now; `end` it when it returns. */
  begin(fn: RegistrationFunction): Invocation {
    const invocation: Invocation = {
      fn,
      startedAt: performance.now(),
      durationMs: 0,
      ended: false,
      coldWhenQuiet: this.#coldAt(fn),
      tables: new Set(),
      tableKeysWhenQuiet: new Set(),
      logLines: [],
      ledgerMacRequests: 0,
    };
    this.invocations.push(invocation);
    return invocation;
  }

  /** Runs `work` as one invocation of `fn`, timed. */
  async run<T>(fn: RegistrationFunction, work: () => Promise<T>): Promise<T> {
    const invocation = this.begin(fn);
    try {
      return await this.within(invocation, work);
    } finally {
      this.end(invocation);
    }
  }

  /** Runs `work` in `invocation`'s context (attributed to it until it ends). */
  within<T>(invocation: Invocation, work: () => Promise<T>): Promise<T> {
    return this.#context.run(invocation, work);
  }

  end(invocation: Invocation): void {
    if (invocation.ended) return;
    invocation.durationMs = performance.now() - invocation.startedAt;
    invocation.ended = true;
  }

  /** Runs `request` (an HTTP request to a page) as one invocation of `fn`, timed. */
  async page<T>(fn: RegistrationFunction, request: () => Promise<T>): Promise<T> {
    const invocation = this.begin(fn);
    this.#pageInFlight = invocation;
    try {
      return await request();
    } finally {
      this.end(invocation);
      this.#pageInFlight = undefined;
    }
  }

  /** The invocation the current code runs for, if any. */
  current(): Invocation | undefined {
    const store = this.#context.getStore();
    return store !== undefined && !store.ended ? store : this.#pageInFlight;
  }

  /** Records that the current invocation sent a request to `table`. */
  touched(table: string): void {
    const invocation = this.current();
    if (invocation === undefined) return;
    invocation.tables.add(table);
    // DynamoDB caches a table key per caller and decrypts it again after five minutes without use.
    if (this.#coldAt(`${invocation.fn} ${table}`)) invocation.tableKeysWhenQuiet.add(table);
  }

  /** Tells every DynamoDB request's table(s) to the meter. */
  watchTables(client: DynamoDBClient): void {
    client.middlewareStack.add(
      (next) => async (args) => {
        for (const table of tablesOf(args.input)) this.touched(table);
        return next(args);
      },
      { step: 'initialize', name: 'meterTables' },
    );
  }

  /**
   * Captures what is written to stdout and stderr while an invocation runs (the Powertools logger
   * writes there, as it does in Lambda, where each line becomes a CloudWatch Logs event); other
   * output passes through.
   */
  captureLogs(): () => void {
    const streams = [process.stdout, process.stderr];
    const originals = streams.map((stream) => stream.write.bind(stream));
    streams.forEach((stream, index) => {
      stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
        const invocation = this.current();
        if (invocation === undefined)
          return (originals[index] as (...args: unknown[]) => boolean)(chunk, ...rest);
        const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
        for (const line of text.split('\n'))
          if (line.length > 0) invocation.logLines.push(Buffer.byteLength(line));
        const callback = rest.find((argument) => typeof argument === 'function') as (() => void) | undefined;
        callback?.();
        return true;
      }) as typeof stream.write;
    });
    return () => {
      streams.forEach((stream, index) => {
        stream.write = originals[index] as typeof stream.write;
      });
    };
  }

  /** A ledger key that counts the KMS requests the deployed HMAC key would take (one per MAC). */
  countingLedgerKey(): LocalLedgerKey {
    const meter = this;
    return new (class extends LocalLedgerKey {
      override async generateMac(message: string): Promise<string> {
        const invocation = meter.current();
        if (invocation !== undefined) invocation.ledgerMacRequests += 1;
        return super.generateMac(message);
      }
      override async verifyMacs(claims: readonly MacClaim[]): Promise<boolean[]> {
        const invocation = meter.current();
        if (invocation !== undefined) invocation.ledgerMacRequests += claims.length;
        return super.verifyMacs(claims);
      }
    })(randomBytes(32), 'bench ledger key');
  }
}

/** The tables a DynamoDB request names (single-item, batch and transaction requests). */
function tablesOf(input: unknown): string[] {
  const request = input as {
    TableName?: string;
    RequestItems?: Record<string, unknown>;
    TransactItems?: Record<string, { TableName?: string }>[];
  };
  const names = new Set<string>();
  if (request.TableName !== undefined) names.add(request.TableName);
  for (const name of Object.keys(request.RequestItems ?? {})) names.add(name);
  for (const item of request.TransactItems ?? [])
    for (const operation of Object.values(item))
      if (operation.TableName !== undefined) names.add(operation.TableName);
  return [...names];
}

const requestId = '8f5a6b3e-1c2d-4e5f-9a8b-7c6d5e4f3a2b';

/**
 * The lines the Lambda platform writes to the function's log group for one invocation, in the
 * text log format the functions use ("Using Amazon CloudWatch Logs with AWS Lambda" and "Lambda
 * function logging in Node.js"): START, END, REPORT with X-Ray trace details (active tracing), and
 * on a cold start INIT_START and the init duration in REPORT.
 */
export function platformLogLines(run: { durationMs: number; memoryMb: number; initMs?: number }): string[] {
  const billed = Math.ceil(run.durationMs);
  return [
    ...(run.initMs === undefined
      ? []
      : [
          `INIT_START Runtime Version: nodejs:24.v9\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:${'0'.repeat(64)}`,
        ]),
    `START RequestId: ${requestId} Version: $LATEST`,
    `END RequestId: ${requestId}`,
    `REPORT RequestId: ${requestId}\tDuration: ${run.durationMs.toFixed(2)} ms\tBilled Duration: ${billed} ms\tMemory Size: ${run.memoryMb} MB\tMax Memory Used: 142 MB\t${
      run.initMs === undefined ? '' : `Init Duration: ${run.initMs.toFixed(2)} ms\t`
    }\nXRAY TraceId: 1-6753a1b2-0123456789abcdef01234567\tSegmentId: 0123456789abcdef\tSampled: true\t`,
  ];
}

/**
 * One API Gateway access log line in the stage's format (lib/constructs/submission-intake.ts,
 * `accessLogFormat`), with values of the size API Gateway writes.
 */
export function accessLogLine(method: string, resourcePath: string): string {
  return JSON.stringify({
    requestId: '5c0a1b2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d',
    xrayTraceId: 'Root=1-6753a1b2-0123456789abcdef01234567',
    requestTime: '06/Dec/2026:20:55:01 +0000',
    sourceIp: '203.0.113.45',
    userAgent:
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
    httpMethod: method,
    resourcePath,
    protocol: 'HTTP/1.1',
    status: '200',
    responseLength: '4812',
    responseLatency: '87',
    integrationStatus: '200',
    integrationLatency: '85',
    integrationErrorMessage: '-',
    errorMessage: '-',
  });
}

/**
 * The execution's history as Step Functions writes it to CloudWatch Logs at log level ALL: one
 * JSON event per history event with `id`, `type`, `details`, `previous_event_id`,
 * `event_timestamp` and `execution_arn` ("Logging Step Functions executions in CloudWatch Logs",
 * AWS Step Functions Developer Guide). Without execution data, inputs, outputs and parameters
 * are left out of `details`. The runner's events are mapped to Step Functions' types
 * (`TaskStateEntered`, `ChoiceStateExited`, …); a Lambda task gets the `TaskStarted` Step
 * Functions records between `TaskScheduled` and its outcome; the runner's own `WaitScheduled`
 * has no counterpart and is left out.
 */
export function executionLogEvents(
  history: readonly HistoryEvent[],
  options: { includeExecutionData: boolean; executionName: string },
): string[] {
  const executionArn = `arn:aws:states:us-east-1:123456789012:execution:RegistrationWorkflowStateMachine4F1A2B3C-Xy7KqP2LmN8R:${options.executionName}`;
  const data = (fields: Record<string, unknown>) => (options.includeExecutionData ? fields : {});
  const json = (value: unknown) => JSON.stringify(value ?? null);
  const lambda = { resourceType: 'lambda', resource: 'invoke' };
  const events: { type: string; details: Record<string, unknown>; timestamp: string }[] = [];
  for (const event of history) {
    const details = event.details ?? {};
    const at = String(Date.parse(event.timestamp));
    const push = (type: string, fields: Record<string, unknown>) =>
      events.push({ type, details: fields, timestamp: at });
    switch (event.type) {
      case 'ExecutionStarted':
        push('ExecutionStarted', {
          ...data({ input: json(details.input), inputDetails: { truncated: false } }),
          roleArn:
            'arn:aws:iam::123456789012:role/Dealreg-prod-Stateless-RegistrationWorkflowStateMa-AbCdEfGhIjKl',
        });
        break;
      case 'StateEntered':
        push(`${event.stateType ?? 'Task'}StateEntered`, {
          name: event.stateName,
          ...data({ input: json(details.input), inputDetails: { truncated: false } }),
        });
        break;
      case 'StateExited':
        push(`${event.stateType ?? 'Task'}StateExited`, {
          name: event.stateName,
          ...data({ output: json(details.output), outputDetails: { truncated: false } }),
        });
        break;
      case 'TaskScheduled':
        push('TaskScheduled', {
          ...lambda,
          region: 'us-east-1',
          ...data({ parameters: json(details.parameters) }),
        });
        push('TaskStarted', lambda);
        break;
      case 'TaskSubmitted':
      case 'TaskSucceeded':
        push(event.type, {
          ...lambda,
          ...data({ output: json(details.output), outputDetails: { truncated: false } }),
        });
        break;
      case 'ExecutionSucceeded':
        push(
          'ExecutionSucceeded',
          data({ output: json(details.output), outputDetails: { truncated: false } }),
        );
        break;
      case 'WaitScheduled':
        break;
      default:
        push(event.type, { ...(event.stateName === undefined ? {} : { name: event.stateName }) });
    }
  }
  return events.map((event, index) =>
    JSON.stringify({
      id: String(index + 1),
      type: event.type,
      details: event.details,
      previous_event_id: String(index),
      event_timestamp: event.timestamp,
      execution_arn: executionArn,
    }),
  );
}
