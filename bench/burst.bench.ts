/**
 * A quarter-end burst on the local stack: `BENCH_BURST` webhook deliveries (default 1,000), 30%
 * of them repeats, at concurrency 50, once on a quiet HubSpot and once while the sandbox answers
 * 429s, 5xx and slow responses (the chaos test's faults). Prints intake throughput, the time until
 * every registration is decided or waits on a person, and that time beside its floor: the HubSpot
 * requests the burst made, at the portal's whole budget (190 requests per 10 s, 5 searches per
 * second), with nothing else waiting.
 */
import { burstFaults, runBurst } from '#test/support/burst.ts';
import { startLocalStackProcess } from '#test/support/local-stack-process.ts';

const deliveries = Number(process.env.BENCH_BURST ?? 1_000);

for (const [label, faults] of [
  ['quiet HubSpot', []],
  ['HubSpot throttling and failing', burstFaults],
] as const) {
  const stack = await startLocalStackProcess(['--empty']);
  try {
    const burst = await runBurst(stack, { deliveries, faults });
    const floorSeconds = Math.max(burst.hubspot.apiRequests / 19, burst.hubspot.searchRequests / 5);
    const failed = burst.executions.filter((execution) => execution.status === 'FAILED').length;
    console.log(
      [
        `${label}: ${deliveries} deliveries, ${burst.distinct} distinct`,
        `  intake ${((deliveries / burst.intakeMs) * 1_000).toFixed(1)} deliveries/s (${burst.intakeMs} ms)`,
        `  all settled after ${(burst.settledMs / 1_000).toFixed(1)} s; HubSpot budget floor ${floorSeconds.toFixed(1)} s ` +
          `(${burst.hubspot.apiRequests} requests, ${burst.hubspot.searchRequests} searches): ` +
          `${(burst.settledMs / 1_000 / floorSeconds).toFixed(2)}× the floor`,
        `  ${burst.hubspot.tooManyRequests} 429s; ${burst.failedBeforeRedrive} executions failed before redrive, ` +
          `${burst.redriveRounds} redrive rounds, ${failed} failed at the end, ${burst.unsettled.length} unsettled`,
      ].join('\n'),
    );
  } finally {
    await stack.interrupt();
  }
}
