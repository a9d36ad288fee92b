/**
 * Batch-reads 100,000 deals through the HubSpot adapter from the local sandbox limited like a
 * privately distributed app on a Professional/Enterprise portal (190 requests per rolling 10 s).
 *
 * R requests under L per rolling window W need at least (⌈R/L⌉ − 1) × W: 1,000 requests of 100
 * deals, floor 50 s. Prints the measured time, its ratio to the floor (goal ≤ 1.10) and the 429s
 * the adapter provoked (goal 0), from the sandbox's own counters.
 */
import { createHubSpotConnection } from '#adapters/hubspot/connection.ts';
import { HubSpotAdapter } from '#adapters/hubspot/hubspot-adapter.ts';
import { startHubSpotSandbox } from '#local/hubspot-sandbox/index.ts';

const deals = Number(process.env.BENCH_DEALS ?? 100_000);
const limit = { requestsPerWindow: 190, windowMs: 10_000, searchPerSecond: 5 };

const sandbox = await startHubSpotSandbox({ rateLimit: limit });
try {
  const generated = await fetch(`${sandbox.url}/_sandbox/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      objectType: 'deals',
      count: deals,
      properties: {
        dealname: 'Benchmark deal {i}',
        amount: '{i}',
        pipeline: 'default',
        dealstage: 'appointmentscheduled',
      },
    }),
  }).then((response) => response.json() as Promise<{ firstId: string }>);
  const first = Number(generated.firstId);
  const ids = Array.from({ length: deals }, (_, index) => String(first + index));
  await fetch(`${sandbox.url}/_sandbox/rate-limit`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ resetWindow: true }),
  });

  const connection = createHubSpotConnection({
    accessToken: sandbox.accessToken,
    basePath: sandbox.url,
    limits: { requestsPerWindow: limit.requestsPerWindow, windowMs: limit.windowMs },
  });
  const adapter = new HubSpotAdapter(connection, { portalId: sandbox.portalId });

  const began = performance.now();
  const { deals: read, missing } = await adapter.batchReadDeals(ids);
  const seconds = (performance.now() - began) / 1_000;

  const state = (await fetch(`${sandbox.url}/_sandbox/state`).then((response) => response.json())) as {
    stats: { apiRequests: number; rateLimited: number; tooManyRequests: number };
  };
  const requests = Math.ceil(deals / 100);
  const floor = (Math.ceil(requests / limit.requestsPerWindow) - 1) * (limit.windowMs / 1_000);
  console.log(`deals read:            ${read.length.toLocaleString('en-US')} (missing ${missing.length})`);
  console.log(`batch requests:        ${requests} (sandbox counted ${state.stats.apiRequests} API requests)`);
  console.log(
    `limit:                 ${limit.requestsPerWindow} requests per rolling ${limit.windowMs / 1_000} s`,
  );
  console.log(`floor (⌈R/L⌉ − 1) × W: ${floor.toFixed(1)} s`);
  console.log(`measured:              ${seconds.toFixed(2)} s`);
  console.log(`ratio to floor:        ${floor === 0 ? 'n/a' : (seconds / floor).toFixed(3)}× (goal ≤ 1.10×)`);
  console.log(
    `429s provoked:         ${state.stats.tooManyRequests} (goal 0); adapter retries ${connection.gateway.stats.retries}`,
  );
  if (read.length !== deals || state.stats.tooManyRequests > 0) process.exitCode = 1;
} finally {
  await sandbox.stop();
}
