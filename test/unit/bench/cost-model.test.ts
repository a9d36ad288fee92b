import { describe, expect, it } from 'vitest';
import {
  costPer1000,
  expressGbSeconds,
  ingestedLogBytes,
  lambdaBilledMs,
  lambdaGbSeconds,
  mixOf,
  type RegistrationUsage,
  totalOf,
} from '../../../bench/cost-model.ts';

const nothing: RegistrationUsage = {
  standardTransitions: 0,
  expressExecutions: [],
  lambdaInvocations: [],
  lambdaInits: [],
  restApiRequests: 0,
  logBytes: 0,
  secretsManagerCalls: 0,
  kmsRequests: 0,
  tracesRecorded: 0,
  readUnits: 0,
  writeUnits: 0,
  emails: 0,
};

describe('the registration cost model', () => {
  it('bills Lambda by the millisecond, rounded up', () => {
    expect(lambdaBilledMs(0)).toBe(0);
    expect(lambdaBilledMs(12.01)).toBe(13);
    expect(lambdaBilledMs(12)).toBe(12);
    expect(() => lambdaBilledMs(-1)).toThrow(/≥ 0, got -1/);
    expect(() => lambdaBilledMs(Number.NaN)).toThrow(/got NaN/);
  });

  it('bills Lambda GB-seconds as memory in GB times billed seconds', () => {
    // 512 MB for 99.2 ms → 0.5 GB × 0.100 s.
    expect(lambdaGbSeconds({ memoryMb: 512, durationMs: 99.2 })).toBeCloseTo(0.05, 12);
    // 1,024 MB for 1 ms.
    expect(lambdaGbSeconds({ memoryMb: 1024, durationMs: 0.3 })).toBeCloseTo(0.001, 12);
  });

  it('bills Express executions by 100 ms and 64 MB chunks, at least one of each', () => {
    // 150 ms → 200 ms; 65 MB → 128 MB: 0.125 GB × 0.2 s.
    expect(expressGbSeconds({ durationMs: 150, memoryMb: 65 })).toBeCloseTo(0.025, 12);
    // 1 ms, 1 MB → 100 ms, 64 MB: 0.0625 GB × 0.1 s.
    expect(expressGbSeconds({ durationMs: 1, memoryMb: 1 })).toBeCloseTo(0.00625, 12);
    expect(expressGbSeconds({ durationMs: 200, memoryMb: 64 })).toBeCloseTo(0.0125, 12);
  });

  it('adds 26 bytes to every log event', () => {
    expect(ingestedLogBytes([100, 0])).toBe(152);
  });

  it('prices each component per 1,000 registrations', () => {
    const cost = costPer1000({
      ...nothing,
      standardTransitions: 10,
      expressExecutions: [{ durationMs: 150, memoryMb: 65 }],
      lambdaInvocations: [
        { memoryMb: 512, durationMs: 99.2 },
        { memoryMb: 512, durationMs: 0.5 },
      ],
      lambdaInits: [{ memoryMb: 512, durationMs: 1000, weight: 0.01 }],
      restApiRequests: 3,
      logBytes: 2 ** 20,
      secretsManagerCalls: 2,
      kmsRequests: 4,
      tracesRecorded: 2,
      readUnits: 20,
      writeUnits: 40,
      emails: 2,
    });
    // 10 × $0.025 / 1,000 × 1,000.
    expect(cost.transitions).toBeCloseTo(0.25, 12);
    // ($1 / 1M + 0.025 GB-s × $0.00001667) × 1,000.
    expect(cost.express).toBeCloseTo(0.001 + 0.025 * 0.00001667 * 1000, 12);
    expect(cost.lambdaRequests).toBeCloseTo(2 * 0.0002, 12);
    // (0.05 + 0.0005) GB-s × $0.0000133334 × 1,000.
    expect(cost.lambdaDuration).toBeCloseTo(0.0505 * 0.0133334, 12);
    // 0.01 × 0.5 GB-s × $0.0000133334 × 1,000.
    expect(cost.lambdaInit).toBeCloseTo(0.005 * 0.0133334, 12);
    expect(cost.apiGateway).toBeCloseTo(3 * 0.0035, 12);
    // 1,000 × 1 MiB at $0.50 per GiB.
    expect(cost.logs).toBeCloseTo((1000 * 0.5) / 1024, 12);
    expect(cost.secretsManager).toBeCloseTo(2 * 0.005, 12);
    expect(cost.kms).toBeCloseTo(4 * 0.003, 12);
    expect(cost.xray).toBeCloseTo(2 * 0.005, 12);
    expect(cost.dynamodb).toBeCloseTo(20 * 0.000125 + 40 * 0.000625, 12);
    expect(cost.ses).toBeCloseTo(0.2, 12);
    expect(totalOf(cost)).toBeCloseTo(
      Object.values(cost).reduce((total, value) => total + value, 0),
      12,
    );
  });

  it('mixes paths by weight and refuses weights that do not add up to 1', () => {
    const one = costPer1000({ ...nothing, emails: 1 });
    const three = costPer1000({ ...nothing, emails: 3, standardTransitions: 4 });
    const mix = mixOf([
      { weight: 0.75, cost: one },
      { weight: 0.25, cost: three },
    ]);
    expect(mix.ses).toBeCloseTo(0.75 * 0.1 + 0.25 * 0.3, 12);
    expect(mix.transitions).toBeCloseTo(0.25 * 0.1, 12);
    expect(() => mixOf([{ weight: 0.7, cost: one }])).toThrow(/add up to 0.7, not 1/);
  });
});
