import { beforeAll, describe, expect, it } from 'vitest';
import { type SynthesizedApp, synthesizeDealregApp } from './synthesize.ts';
import {
  type AwsRequest,
  type ImportOutcome,
  importBundle,
  lambdaRuntimeEnvironment,
  type SynthesizedFunction,
  startAwsStandIn,
  synthesizedFunctions,
} from './synthesized-bundles.ts';

/**
 * Every function bundle of a bundled synth, started as Lambda starts it: imported in a fresh
 * process with its stack's environment (references resolved) and nothing else. A bundle that
 * throws at import — a setting the construct forgot, a policy esbuild did not bake in, a
 * dependency that cannot load as ESM — fails here, named, instead of at its first invocation.
 *
 * Some entry files read a secret at cold start (the HubSpot access token, awaited at module
 * load). Every AWS endpoint points at a local stand-in that answers `GetSecretValue` and refuses
 * anything else, so those imports complete as they would in Lambda and any other call is seen.
 */

interface Started {
  readonly outcome: ImportOutcome;
  readonly requests: readonly AwsRequest[];
}

let app: SynthesizedApp;
let functions: SynthesizedFunction[];
const started = new Map<string, Started>();

async function start(
  fn: SynthesizedFunction,
  change: (environment: Record<string, string>) => void = () => {},
) {
  const aws = await startAwsStandIn();
  try {
    const environment = lambdaRuntimeEnvironment(fn, aws.endpoint);
    change(environment);
    const outcome = await importBundle(fn.bundle, fn.handlerExport, environment);
    return { outcome, requests: [...aws.requests] };
  } finally {
    await aws.close();
  }
}

function named(suffix: string): SynthesizedFunction {
  const fn = functions.find((candidate) => candidate.name.endsWith(suffix));
  if (fn === undefined) throw new Error(`no function ${suffix}`);
  return fn;
}

beforeAll(async () => {
  app = synthesizeDealregApp({ bundle: true });
  functions = synthesizedFunctions(app);
  // Two at a time: the machine's cores, and a fair picture of each cold start.
  const queue = [...functions];
  await Promise.all(
    [0, 1].map(async () => {
      for (let fn = queue.shift(); fn !== undefined; fn = queue.shift())
        started.set(fn.name, await start(fn));
    }),
  );
}, 900_000);

describe('every function bundle', () => {
  it('is found for each function of the stateless stack', () => {
    expect(functions.map((fn) => fn.name.split('/').slice(1).join('/')).sort()).toEqual([
      'Approvals/ApprovalPages',
      'Approvals/ExtensionRequests',
      'AttributionLedger/DigestWriter',
      'AttributionLedger/StreamGuard',
      'CrmEvents/CrmEvents',
      'PreQbrCheck/BatchWorker',
      'PreQbrCheck/BuildReport',
      'PreQbrCheck/DealExport',
      'PreQbrCheck/DueCheck',
      'PreQbrCheck/EmailReport',
      'RegistrationWorkflow/Steps',
      'SubmissionBackfill/Sweeper',
      'SubmissionIntake/FormSubmissions',
    ]);
  });

  it('imports with its stack environment alone and exports its handler as a function', () => {
    const failures = functions.flatMap((fn) => {
      const { outcome } = started.get(fn.name) ?? { outcome: undefined };
      if (outcome === undefined) return [`${fn.name}: not started`];
      if (!outcome.imported) return [`${fn.name}: ${outcome.error}`];
      if (outcome.handlerType !== 'function') {
        return [`${fn.name}: export "${fn.handlerExport}" is ${outcome.handlerType}, not a function`];
      }
      return [];
    });

    expect(failures).toEqual([]);
  });

  it('asks AWS at cold start for nothing but a secret its environment names', () => {
    const unexpected = functions.flatMap((fn) => {
      const secrets = new Set(Object.values(fn.environment));
      return (started.get(fn.name)?.requests ?? [])
        .filter(
          (request) =>
            request.target !== 'secretsmanager.GetSecretValue' ||
            !secrets.has((JSON.parse(request.body) as { SecretId: string }).SecretId),
        )
        .map((request) => `${fn.name}: ${request.target} ${request.body}`);
    });

    expect(unexpected).toEqual([]);
  });

  it('reads the HubSpot access token at cold start exactly where the entry file connects to HubSpot', () => {
    const readers = functions
      .filter((fn) => (started.get(fn.name)?.requests.length ?? 0) > 0)
      .map((fn) => fn.name.split('/').slice(1).join('/'))
      .sort();

    expect(readers).toEqual([
      'CrmEvents/CrmEvents',
      'PreQbrCheck/BatchWorker',
      'PreQbrCheck/BuildReport',
      'RegistrationWorkflow/Steps',
      'SubmissionBackfill/Sweeper',
    ]);
  });

  it('surfaces a start without a setting as the configuration error naming it', async () => {
    const { outcome } = await start(named('Approvals/ApprovalPages'), (environment) => {
      delete environment.APPROVALS_TABLE;
    });

    expect(outcome).toMatchObject({
      imported: false,
      error: 'ConfigurationError: the function is misconfigured — APPROVALS_TABLE: is not set',
    });
  });

  it('surfaces an unreachable AWS at cold start as a network failure, not a configuration error', async () => {
    const { outcome } = await start(named('RegistrationWorkflow/Steps'), (environment) => {
      // Port 9 (discard) on the loopback: nothing listens, the connection is refused at once.
      environment.AWS_ENDPOINT_URL = 'http://127.0.0.1:9';
    });

    expect(outcome.imported).toBe(false);
    expect(outcome.imported ? '' : outcome.error).toMatch(/ECONNREFUSED/);
    expect(outcome.imported ? '' : outcome.error).not.toMatch(/ConfigurationError/);
  });
});
