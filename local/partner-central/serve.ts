/**
 * Runs the Partner Central stand-in on its own, for the AWS CLI or the SDK with an endpoint override:
 *   npx node local/partner-central/serve.ts [--port 4020] [--events-url http://127.0.0.1:3000/…]
 * Prints one JSON line with the URL, then serves until interrupted.
 */
import { parseArgs } from 'node:util';
import { startPartnerCentralStandIn } from './index.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    'events-url': { type: 'string' },
  },
});
const port = values.port === undefined ? undefined : Number(values.port);
if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
  console.error(`--port must be a TCP port number; got ${values.port}`);
  process.exit(2);
}
const eventsUrl = values['events-url'];
if (eventsUrl !== undefined && !URL.canParse(eventsUrl)) {
  console.error(`--events-url must be a URL; got ${eventsUrl}`);
  process.exit(2);
}
try {
  const standIn = await startPartnerCentralStandIn({
    port,
    eventSink: eventsUrl === undefined ? undefined : { url: eventsUrl },
  });
  console.log(JSON.stringify({ ready: true, url: standIn.url }));
  const stop = () => {
    standIn.stop().then(
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
