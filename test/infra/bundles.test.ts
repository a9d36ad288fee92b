import { readFileSync, statSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { coSellContext, type SynthesizedApp, synthesizeDealregApp } from './synthesize.ts';
import {
  type AwsRequest,
  directoryBytes,
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

/** "Deployment package size: 250 MB (unzipped, including layers)" (AWS Lambda quotas). */
const lambdaUnzippedBytes = 250 * 1024 * 1024;

/** What a function's minified bundle may weigh unless it is named below. */
const defaultBudget = { kb: 400, why: 'the default budget' };

/**
 * The functions whose bundle cannot meet the default budget, each with what it must carry. Every
 * function that talks to AWS carries the SDK v3 clients it uses with their shared Smithy core
 * (250–400 KB; credentials from the environment alone, see
 * `functions/shims/credential-provider-node.ts`) and the X-Ray capture of the Powertools tracer
 * (~77 KB), and the domain's libraries: zod's schema builders (~95 KB), luxon (70 KB) and tldts
 * with the public-suffix list that names a customer's registrable domain (100–125 KB).
 */
const budgets: Record<string, { readonly kb: number; readonly why: string }> = {
  'Approvals/ApprovalPages': {
    kb: 730,
    why: 'DynamoDB, Step Functions and Secrets Manager clients, the approval links’ signatures (jose), the pages, and the domain',
  },
  'Approvals/ExtensionRequests': {
    kb: 730,
    why: 'DynamoDB, Step Functions and Secrets Manager clients, the approval links’ signatures (jose), the pages, and the domain',
  },
  'CoSell/Reconciliation': {
    kb: 1520,
    why: "HubSpot's generated CRM clients (~620 KB) to read the customer companies its catch-up shares, Partner Central Selling, DynamoDB (with its document client), KMS and Secrets Manager clients, and the domain (the policy, and ACE's map of HubSpot's 147 industries)",
  },
  'PreQbrCheck/DealExport': { kb: 790, why: 'DynamoDB and S3 clients, and the domain' },
  'CoSell/Events': {
    kb: 2000,
    why: "HubSpot's generated CRM clients (~620 KB) for a referral's conflict check, Partner Central Selling, DynamoDB (with its document client), KMS, SES and Secrets Manager clients, nodemailer, and the domain",
  },
  'AttributionLedger/DigestWriter': { kb: 870, why: 'DynamoDB, S3 and KMS clients, and the domain' },
  'DealCard/DealCard': {
    kb: 900,
    why: 'DynamoDB (with its document client), S3, KMS and Secrets Manager clients, and the domain (the stored registration’s schema brings tldts)',
  },
  'SubmissionIntake/FormSubmissions': {
    kb: 1050,
    why: 'DynamoDB, Step Functions, Lambda (to ask for a sweep), Secrets Manager and SES clients, nodemailer to build MIME mail (~135 KB), and the domain',
  },
  'Approvals/AwsReferralPages': {
    kb: 1700,
    why: "HubSpot's generated CRM clients (~620 KB) for the conflict check, Partner Central Selling, DynamoDB and Secrets Manager clients, and the domain",
  },
  'CrmEvents/CrmEvents': {
    kb: 1430,
    why: "HubSpot's generated CRM clients (~620 KB, one copy of the HTTP layer per API), DynamoDB, KMS and Secrets Manager clients, and the domain",
  },
  'PreQbrCheck/BatchWorker': {
    kb: 1470,
    why: "HubSpot's generated CRM clients (~620 KB), S3 and Secrets Manager clients, and the domain (with the policy's validation: the routing rules' reach, the settings it suggests for a misspelt one, the countries intake reads)",
  },
  'SubmissionBackfill/Sweeper': {
    kb: 1680,
    why: "HubSpot's generated CRM clients (~620 KB), DynamoDB, SES, Step Functions and Secrets Manager clients, nodemailer, and the domain",
  },
  'PreQbrCheck/EmailReport': {
    kb: 1800,
    why: 'the report charts (vega and vega-lite, ~1 MB), S3 and SES clients, nodemailer, and the domain',
  },
  'RegistrationWorkflow/Steps': {
    kb: 1860,
    why: "HubSpot's generated CRM clients (~620 KB), DynamoDB, KMS, SES, Step Functions, Partner Central Selling and Secrets Manager clients, nodemailer, and the domain (with ACE's map of HubSpot's 147 industries and the portal's pipeline stages)",
  },
  'PreQbrCheck/BuildReport': {
    kb: 2460,
    why: "the report charts (vega and vega-lite, ~1 MB), HubSpot's generated CRM clients (~620 KB), DynamoDB, S3 and Secrets Manager clients, and the domain",
  },
};

/** `Dealreg-test-Stateless/PreQbrCheck/DueCheck` → `PreQbrCheck/DueCheck`. */
function shortName(fn: SynthesizedFunction): string {
  return fn.name.split('/').slice(1).join('/');
}

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
  // Co-sell on, so its functions' bundles are imported too.
  app = synthesizeDealregApp({ bundle: true, context: coSellContext });
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
    expect(functions.map(shortName).sort()).toEqual([
      'Approvals/ApprovalPages',
      'Approvals/AwsReferralPages',
      'Approvals/ExtensionRequests',
      'AttributionLedger/DigestWriter',
      'AttributionLedger/StreamGuard',
      'CoSell/Events',
      'CoSell/Reconciliation',
      'CrmEvents/CrmEvents',
      'DealCard/DealCard',
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
      .map(shortName)
      .sort();

    expect(readers).toEqual([
      'Approvals/AwsReferralPages',
      'CoSell/Events',
      'CoSell/Reconciliation',
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

  it('refuses a co-sell events start with the AWS referral review half-configured, naming the missing setting', async () => {
    const { outcome } = await start(named('CoSell/Events'), (environment) => {
      delete environment.APPROVALS_API_URL;
    });

    expect(outcome.imported).toBe(false);
    expect(outcome.imported ? '' : outcome.error).toMatch(
      /^ConfigurationError: the function is misconfigured — APPROVALS_API_URL: is not set \(the AWS referral review is half-configured: /,
    );
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

describe('the AWS SDK in the bundles', () => {
  it('signs with the environment’s credentials alone: no bundle carries the STS, SSO or sign-in clients of the other credential sources', () => {
    // `AssumeRoleWithWebIdentity` is an operation of the nested STS client the web-identity and
    // profile sources bring; `CreateToken`, of the SSO-OIDC client.
    const carriers = functions
      .filter((fn) => /AssumeRoleWithWebIdentity|CreateToken/.test(readFileSync(fn.bundle, 'utf8')))
      .map(shortName);

    expect(carriers).toEqual([]);
  });
});

describe('deploy readiness of the bundles', () => {
  it("keeps every function within Lambda's 250 MB unzipped, its layers included", () => {
    const oversized = functions.flatMap((fn) => {
      const bytes = [fn.codeDirectory, ...fn.layerDirectories].reduce(
        (sum, directory) => sum + directoryBytes(directory),
        0,
      );
      return bytes > lambdaUnzippedBytes
        ? [`${fn.name}: ${(bytes / 2 ** 20).toFixed(1)} MB unzipped, over Lambda's limit of 250 MB`]
        : [];
    });

    expect(oversized).toEqual([]);
  });

  it('keeps every minified bundle within its budget: 400 KB, or the named budget of what it must carry', () => {
    const overBudget = functions.flatMap((fn) => {
      const budget = budgets[shortName(fn)] ?? defaultBudget;
      const kb = statSync(fn.bundle).size / 1024;
      return kb > budget.kb
        ? [`${fn.name}: ${kb.toFixed(0)} KB, over its budget of ${budget.kb} KB (${budget.why})`]
        : [];
    });

    expect(overBudget).toEqual([]);
  });

  it('names a budget only for functions that exist and need one', () => {
    const sizes = new Map(functions.map((fn) => [shortName(fn), statSync(fn.bundle).size / 1024]));
    const stale = Object.keys(budgets).filter((name) => (sizes.get(name) ?? 0) <= defaultBudget.kb);

    expect(stale).toEqual([]);
  });
});
