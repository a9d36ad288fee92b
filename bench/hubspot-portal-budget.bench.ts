/**
 * One HubSpot budget for the whole portal, under a burst. Five Lambda containers each run the
 * HubSpot calls of registrations (one company search and three reads each) against the local
 * sandbox limited as HubSpot limits a Professional/Enterprise portal (190 requests per rolling
 * 10 s, 5 searches per second):
 * - unshared: every container with the process defaults (the whole portal's budget each), as
 *   functions without a share run;
 * - shared: every container with its share (`lib/constructs/hubspot-budget.ts` divides the
 *   portal's limits between capped containers the same way).
 * Prints the 429s HubSpot answered (each one a retry, and in Step Functions a billed
 * transition), the elapsed time and its ratio to the floor the portal's limits set.
 */
import { createHubSpotConnection } from '#adapters/hubspot/connection.ts';
import { startHubSpotSandbox } from '#local/hubspot-sandbox/index.ts';

const containers = Number(process.env.BENCH_CONTAINERS ?? 5);
const registrationsPerContainer = Number(process.env.BENCH_REGISTRATIONS ?? 24);
const portal = { requestsPerWindow: 190, windowMs: 10_000, searchPerSecond: 5 };

const sandbox = await startHubSpotSandbox({ rateLimit: portal });
try {
  const generated = await fetch(`${sandbox.url}/_sandbox/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      objectType: 'companies',
      count: 50,
      properties: { name: 'Customer {i}', domain: 'customer-{i}.example' },
    }),
  }).then((response) => response.json() as Promise<{ firstId: string }>);
  const firstCompany = Number(generated.firstId);

  async function burst(label: string, limits: { requestsPerWindow: number; searchPerSecond: number }) {
    await fetch(`${sandbox.url}/_sandbox/rate-limit`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ resetWindow: true }),
    });
    const before = await stats();
    const connections = Array.from({ length: containers }, () =>
      createHubSpotConnection({
        accessToken: sandbox.accessToken,
        basePath: sandbox.url,
        limits: { ...limits, windowMs: portal.windowMs },
      }),
    );
    const began = performance.now();
    let failed = 0;
    const attempt = async (call: () => Promise<unknown>) => {
      try {
        await call();
      } catch {
        failed += 1;
      }
    };
    await Promise.all(
      connections.map(async ({ client, gateway }, container) => {
        for (let registration = 0; registration < registrationsPerContainer; registration += 1) {
          const n = (container * registrationsPerContainer + registration) % 50;
          await attempt(() =>
            gateway.call(
              'search companies by domain',
              () =>
                client.crm.objects.searchApi.doSearch('companies', {
                  filterGroups: [
                    {
                      filters: [
                        { propertyName: 'domain', operator: 'EQ' as never, value: `customer-${n}.example` },
                      ],
                    },
                  ],
                  properties: ['domain'],
                  limit: 1,
                }),
              { kind: 'search' },
            ),
          );
          for (let read = 0; read < 3; read += 1) {
            await attempt(() =>
              gateway.call('read company', () =>
                client.crm.companies.basicApi.getById(String(firstCompany + n), ['name']),
              ),
            );
          }
        }
      }),
    );
    const seconds = (performance.now() - began) / 1_000;
    const after = await stats();
    const requests = containers * registrationsPerContainer * 4;
    const searches = containers * registrationsPerContainer;
    const floor = Math.max(
      (Math.ceil(requests / portal.requestsPerWindow) - 1) * (portal.windowMs / 1_000),
      searches / portal.searchPerSecond,
    );
    const retries = connections.reduce((sum, connection) => sum + connection.gateway.stats.retries, 0);
    console.log(
      `${label.padEnd(9)} ${containers} containers × ${limits.requestsPerWindow}/10 s, ${limits.searchPerSecond} searches/s: ` +
        `${requests} calls in ${seconds.toFixed(1)} s (floor ${floor.toFixed(1)} s, ${(seconds / floor).toFixed(2)}×), ` +
        `429s ${after.tooManyRequests - before.tooManyRequests}, retries ${retries}, calls failed after every retry ${failed}`,
    );
    return after.tooManyRequests - before.tooManyRequests + failed;
  }

  async function stats() {
    const state = (await fetch(`${sandbox.url}/_sandbox/state`).then((response) => response.json())) as {
      stats: { tooManyRequests: number };
    };
    return state.stats;
  }

  await burst('unshared', {
    requestsPerWindow: portal.requestsPerWindow,
    searchPerSecond: portal.searchPerSecond,
  });
  // Searches are counted per second: whole shares, so at most 5 containers may search at 1/s.
  const shared = await burst('shared', {
    requestsPerWindow: Math.floor(portal.requestsPerWindow / containers),
    searchPerSecond: 1,
  });
  if (shared > 0) process.exitCode = 1;
} finally {
  await sandbox.stop();
}
