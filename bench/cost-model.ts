/**
 * The AWS list price of what one registration uses, per component: a pure model the registration
 * workflow benchmark feeds with what it measured. Every price is us-east-1, on-demand, above the
 * free tiers, and names the AWS page it was read from (read 2026-12-06).
 */

/** AWS Step Functions Pricing: Standard workflows, $0.025 per 1,000 state transitions (retries included). */
export const pricePerStandardTransition = 0.025 / 1000;
/** AWS Step Functions Pricing: Express workflows, $1.00 per 1M requests (executions started). */
export const pricePerExpressRequest = 1.0 / 1_000_000;
/**
 * AWS Step Functions Pricing: Express workflows, duration $0.00001667 per GB-second (the first
 * 1,000 GB-hours a month); duration "rounded up to the nearest 100ms", memory "billed in 64-MB chunks".
 */
export const pricePerExpressGbSecond = 0.00001667;
export const expressDurationStepMs = 100;
export const expressMemoryChunkMb = 64;

/** AWS Lambda Pricing: $0.20 per 1M requests. */
export const pricePerLambdaRequest = 0.2 / 1_000_000;
/** AWS Lambda Pricing: Arm, $0.0000133334 per GB-second (the first 7.5 billion GB-seconds a month). */
export const pricePerArmGbSecond = 0.0000133334;
/**
 * AWS Lambda Pricing: duration is billed per 1 ms, rounded up. Since 1 August 2025 the INIT phase of
 * on-demand ZIP functions on managed runtimes is billed like the INVOKE phase (AWS Compute Blog,
 * "AWS Lambda standardizes billing for INIT Phase", April 2025).
 */
export const lambdaBillingStepMs = 1;

/** Amazon API Gateway Pricing: REST APIs, $3.50 per million requests (the first 333 million a month). */
export const pricePerRestApiRequest = 3.5 / 1_000_000;
/** Amazon API Gateway Pricing: HTTP APIs, $1.00 per million requests (not deployed; for comparison). */
export const pricePerHttpApiRequest = 1.0 / 1_000_000;

/**
 * Amazon CloudWatch Pricing: Logs, data ingested $0.50 per GB (standard log class); vended logs
 * (Step Functions execution logs, and Lambda logs since May 2025) start at the same $0.50 per GB
 * for the first 10 TB. GB taken as 2^30 bytes.
 */
export const pricePerLogGb = 0.5;
export const bytesPerGb = 2 ** 30;
/**
 * CloudWatch Logs API Reference, PutLogEvents: a log event counts its UTF-8 message plus 26 bytes.
 * Used here as each event's ingested size (the pricing page does not say how bytes are counted).
 */
export const logEventOverheadBytes = 26;

/** AWS Secrets Manager Pricing: $0.05 per 10,000 API calls. */
export const pricePerSecretsManagerCall = 0.05 / 10_000;
/** AWS Key Management Service Pricing: $0.03 per 10,000 requests (symmetric and HMAC keys). */
export const pricePerKmsRequest = 0.03 / 10_000;
/** AWS X-Ray Pricing: $5.00 per 1 million traces recorded. */
export const pricePerTraceRecorded = 5.0 / 1_000_000;
/** Amazon DynamoDB Pricing, on-demand: $0.625 per million write request units. */
export const pricePerWriteUnit = 0.625 / 1_000_000;
/** Amazon DynamoDB Pricing, on-demand: $0.125 per million read request units. */
export const pricePerReadUnit = 0.125 / 1_000_000;
/** Amazon SES Pricing: $0.10 per 1,000 emails sent. */
export const pricePerEmail = 0.1 / 1000;

/** One Lambda invocation or init, as billed: the function's memory and the measured time. */
export interface LambdaRun {
  readonly memoryMb: number;
  readonly durationMs: number;
}

/** One Express execution (a nested child of the registration workflow), as billed. */
export interface ExpressExecution {
  readonly durationMs: number;
  readonly memoryMb: number;
}

/** What one registration uses, each count possibly fractional (an expected value). */
export interface RegistrationUsage {
  readonly standardTransitions: number;
  readonly expressExecutions: readonly ExpressExecution[];
  readonly lambdaInvocations: readonly LambdaRun[];
  /** Inits billed, each weighted by how likely it is (`weight` 1 = every time). */
  readonly lambdaInits: readonly (LambdaRun & { readonly weight: number })[];
  readonly restApiRequests: number;
  /** Bytes ingested into CloudWatch Logs (function logs, execution logs, access logs), overhead included. */
  readonly logBytes: number;
  readonly secretsManagerCalls: number;
  readonly kmsRequests: number;
  readonly tracesRecorded: number;
  readonly readUnits: number;
  readonly writeUnits: number;
  readonly emails: number;
}

/** The components of the cost, in the order they are printed. */
export const costComponents = [
  'transitions',
  'express',
  'lambdaRequests',
  'lambdaDuration',
  'lambdaInit',
  'apiGateway',
  'logs',
  'secretsManager',
  'kms',
  'xray',
  'dynamodb',
  'ses',
] as const;
export type CostComponent = (typeof costComponents)[number];
export type CostBreakdown = Readonly<Record<CostComponent, number>>;

/** Lambda's billed milliseconds: rounded up to the next whole millisecond. */
export function lambdaBilledMs(durationMs: number): number {
  if (!Number.isFinite(durationMs) || durationMs < 0)
    throw new RangeError(`a Lambda duration must be a finite number of ms ≥ 0, got ${durationMs}`);
  return Math.ceil(durationMs / lambdaBillingStepMs) * lambdaBillingStepMs;
}

/** The GB-seconds Lambda bills for one run on arm64: memory in GB (MB / 1,024) × billed seconds. */
export function lambdaGbSeconds(run: LambdaRun): number {
  return (run.memoryMb / 1024) * (lambdaBilledMs(run.durationMs) / 1000);
}

/** An Express execution's billed GB-seconds: duration up to 100 ms, memory up to 64 MB. */
export function expressGbSeconds(execution: ExpressExecution): number {
  const billedMs = Math.max(
    expressDurationStepMs,
    Math.ceil(execution.durationMs / expressDurationStepMs) * expressDurationStepMs,
  );
  const billedMb = Math.max(
    expressMemoryChunkMb,
    Math.ceil(execution.memoryMb / expressMemoryChunkMb) * expressMemoryChunkMb,
  );
  return (billedMb / 1024) * (billedMs / 1000);
}

/** The bytes CloudWatch Logs ingests for log events of these message sizes. */
export function ingestedLogBytes(messageBytes: readonly number[]): number {
  return messageBytes.reduce((sum, bytes) => sum + bytes + logEventOverheadBytes, 0);
}

/** The cost of 1,000 registrations that each use `usage`, in dollars per component. */
export function costPer1000(usage: RegistrationUsage): CostBreakdown {
  const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);
  const perRegistration: Record<CostComponent, number> = {
    transitions: usage.standardTransitions * pricePerStandardTransition,
    express: sum(
      usage.expressExecutions.map(
        (execution) => pricePerExpressRequest + expressGbSeconds(execution) * pricePerExpressGbSecond,
      ),
    ),
    lambdaRequests: usage.lambdaInvocations.length * pricePerLambdaRequest,
    lambdaDuration: sum(usage.lambdaInvocations.map((run) => lambdaGbSeconds(run) * pricePerArmGbSecond)),
    lambdaInit: sum(
      usage.lambdaInits.map((init) => init.weight * lambdaGbSeconds(init) * pricePerArmGbSecond),
    ),
    apiGateway: usage.restApiRequests * pricePerRestApiRequest,
    logs: (usage.logBytes / bytesPerGb) * pricePerLogGb,
    secretsManager: usage.secretsManagerCalls * pricePerSecretsManagerCall,
    kms: usage.kmsRequests * pricePerKmsRequest,
    xray: usage.tracesRecorded * pricePerTraceRecorded,
    dynamodb: usage.readUnits * pricePerReadUnit + usage.writeUnits * pricePerWriteUnit,
    ses: usage.emails * pricePerEmail,
  };
  return Object.fromEntries(
    costComponents.map((component) => [component, 1000 * perRegistration[component]]),
  ) as CostBreakdown;
}

/** The sum of a breakdown's components. */
export function totalOf(breakdown: CostBreakdown): number {
  return costComponents.reduce((total, component) => total + breakdown[component], 0);
}

/** A weighted mix of breakdowns (weights summing to 1), component by component. */
export function mixOf(
  parts: readonly { readonly weight: number; readonly cost: CostBreakdown }[],
): CostBreakdown {
  const weights = parts.reduce((total, part) => total + part.weight, 0);
  if (Math.abs(weights - 1) > 1e-9) throw new RangeError(`the mix's weights add up to ${weights}, not 1`);
  return Object.fromEntries(
    costComponents.map((component) => [
      component,
      parts.reduce((total, part) => total + part.weight * part.cost[component], 0),
    ]),
  ) as CostBreakdown;
}
