/**
 * Runs the HubSpot sandbox on its own, for poking at it with curl or the official client:
 *   npx node local/hubspot-sandbox/serve.ts [--port 4010] [--token pat-local] [--empty] [--seed file.json]
 *     [--search-lag-ms 1000] [--association-page-size 500]
 * Prints one JSON line with the URL, token and portal id, then serves until interrupted.
 */
import { parseArgs } from 'node:util';
import { readSeedFile, startHubSpotSandbox } from './index.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    token: { type: 'string' },
    empty: { type: 'boolean', default: false },
    seed: { type: 'string' },
    'no-rate-limit': { type: 'boolean', default: false },
    'search-lag-ms': { type: 'string' },
    'association-page-size': { type: 'string' },
  },
});
const port = values.port === undefined ? undefined : Number(values.port);
if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
  console.error(`--port must be a TCP port number; got ${values.port}`);
  process.exit(2);
}
try {
  const sandbox = await startHubSpotSandbox({
    port,
    accessToken: values.token,
    seed: values.empty ? undefined : await readSeedFile(values.seed),
    rateLimit: values['no-rate-limit'] ? false : undefined,
    // Checked by the sandbox, which names a bad value.
    searchIndexLagMs: values['search-lag-ms'] === undefined ? undefined : Number(values['search-lag-ms']),
    associationPageSize:
      values['association-page-size'] === undefined ? undefined : Number(values['association-page-size']),
  });
  console.log(
    JSON.stringify({
      ready: true,
      url: sandbox.url,
      accessToken: sandbox.accessToken,
      portalId: sandbox.portalId,
    }),
  );
  const stop = () => {
    sandbox.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
