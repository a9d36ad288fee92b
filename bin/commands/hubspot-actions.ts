import { join } from 'node:path';
import { HubSpotPortalSchemaAdmin } from '#adapters/hubspot/portal-schema-admin.ts';
import { apiUrlOutputKey, dealregStackNames, stageNamePattern } from '#domain/deployment.ts';
import { isReservedExampleDomain } from '#domain/doctor/placeholders.ts';
import { apiUrlFromStackOutputs, apiUrlProblem, deployedAppUrls } from '#domain/hubspot-app/app-project.ts';
import { counted } from '#domain/plural.ts';
import { manualSettings, setupHubSpotPortal } from '#use-cases/setup-hubspot-portal.ts';
import { checkedAwsOptions, noRegionMessage, requireAwsCredentials } from './aws-region.ts';
import type { HubSpotProjectOptions, HubSpotSetupOptions, StageOptions } from './hubspot.ts';
import { repositoryProjectDir, writeDeployedProject } from './hubspot-project-files.ts';
import {
  connect,
  type ResolvedHubSpotSettings,
  readLocalDescription,
  resolveHubSpotSettings,
} from './hubspot-settings.ts';
import { defaultPolicyFile } from './policy.ts';
import { describeCommandPolicy, loadPolicyFile } from './policy-file.ts';
import { UsageError } from './usage-error.ts';

/** `dealreg hubspot setup`: creates what the portal misses and lists what to configure by hand. */
export async function setup(options: HubSpotSetupOptions): Promise<void> {
  const settings = await resolveHubSpotSettings(options);
  requireStageForAwsOptions(options);
  const apiUrlIssue =
    options.apiUrl === undefined
      ? undefined
      : (apiUrlProblem(options.apiUrl, { allowLocalHttp: true }) ?? placeholderUrlProblem(options.apiUrl));
  if (apiUrlIssue !== undefined) throw new UsageError(`--api-url: ${apiUrlIssue}`);
  // A policy file that cannot be used is a bad argument, named before the portal is touched.
  // Preparing the local stack's own sandbox, the policy checked is the one that stack runs.
  const localPolicyFile = preparesLocalSandbox(settings) ? settings.local?.policyFile : undefined;
  const policyFile = options.policy ?? localPolicyFile ?? defaultPolicyFile;
  const loaded = await loadPolicyFile(policyFile);
  const { policy } = loaded;
  // So is a stage that cannot be read: the webhook URLs printed at the end come from it.
  const apiUrl =
    options.stage === undefined
      ? (options.apiUrl ?? localStackApiUrl(settings))
      : await stageApiUrl(options.stage, options, 'dealreg hubspot setup');
  const admin = new HubSpotPortalSchemaAdmin(connect(settings));
  const dryRun = options.dryRun === true;
  console.log(
    `HubSpot setup${dryRun ? ' (dry run)' : ''} — ${settings.basePath ?? 'https://api.hubapi.com'} (token from ${settings.source}), ${describeCommandPolicy(
      {
        loaded,
        file: policyFile,
        source:
          options.policy !== undefined ? 'option' : localPolicyFile !== undefined ? 'local stack' : 'default',
      },
    )}`,
  );
  const { croView } = policy.definitions;
  const createCroProperty = options.createCroProperty === true;
  const result = await setupHubSpotPortal(admin, {
    dryRun,
    policy: {
      newDeals: policy.newDeals,
      croProperty: croView.dealProperty,
      croPartnerValues: croView.partnerValues,
    },
    createCroProperty,
  });
  const width = Math.max(...result.items.map((item) => item.status.length));
  for (const item of result.items) {
    const note = item.fix ?? item.change;
    console.log(`  ${item.status.padEnd(width)}  ${item.kind}: ${item.name}${note ? ` — ${note}` : ''}`);
  }
  const missing = result.items.filter((item) => item.status === 'missing');
  const conflicts = result.items.filter((item) => item.status === 'conflict');
  const created = result.items.filter((item) => item.status === 'created' || item.status === 'would create');
  const updated = result.items.filter((item) => item.status === 'updated' || item.status === 'would update');
  const done = [
    ...(created.length > 0
      ? [`${counted(created.length, 'item')} ${dryRun ? 'would be created' : 'created'}`]
      : []),
    ...(updated.length > 0
      ? [`${counted(updated.length, 'property', 'properties')} ${dryRun ? 'would be updated' : 'updated'}`]
      : []),
  ];
  console.log(
    done.length > 0
      ? `${done.join(', ')}.`
      : missing.length === 0 && conflicts.length === 0
        ? 'The portal already has everything Dealreg needs.'
        : `Nothing ${dryRun ? 'would be' : 'was'} created or updated, but the portal ${missing.length > 0 ? 'lacks' : 'needs changes to'} what is listed below.`,
  );
  const croMissing = missing.find((item) => item.kind === 'CRO view property');
  if (croMissing !== undefined) {
    console.log(
      `Not created without --create-cro-property: ${croMissing.kind} ${croMissing.name} (with it, ${dryRun ? 'the run would create' : 'setup creates'} it).`,
    );
  }
  const others = missing.filter((item) => item !== croMissing);
  if (others.length > 0) {
    console.log(
      `Never created by setup (the sales team's to define): ${others.map((item) => `${item.kind} ${item.name}`).join(', ')}.`,
    );
  }
  if (result.objectTypeId !== undefined)
    console.log(`Deal Registration object type id: ${result.objectTypeId}`);
  console.log('');
  console.log('Configure in HubSpot by hand:');
  for (const line of manualSettings(apiUrl, options.stage)) console.log(`  ${line}`);
  if (apiUrl === undefined) {
    console.log(
      "(No API URL: run setup again with --stage NAME, or --api-url, to print these with your deployed API's URL.)",
    );
  }
  if (conflicts.length > 0) {
    console.error('');
    console.error(
      `The portal holds ${counted(conflicts.length, 'thing')} Dealreg cannot use as ${conflicts.length === 1 ? 'it is' : 'they are'} (left unchanged):`,
    );
    for (const item of conflicts) console.error(`  ${item.name}: ${item.fix ?? ''}`);
    process.exitCode = 1;
  }
  if (missing.length > 0) {
    console.error('');
    console.error(`The portal lacks ${counted(missing.length, 'thing')} the policy relies on:`);
    for (const item of missing) console.error(`  ${item.kind} ${item.name}: ${item.fix ?? ''}`);
    process.exitCode = 1;
  }
}

/**
 * The running local stack's API URL, when setup prepares the local stack's own sandbox: a token
 * for another portal (a real one) is not served by an API on this machine.
 */
function localStackApiUrl(settings: ResolvedHubSpotSettings): string | undefined {
  return preparesLocalSandbox(settings) ? settings.local?.api : undefined;
}

/** Whether setup prepares the running local stack's own sandbox (its token, or its sandbox's URL). */
function preparesLocalSandbox(settings: ResolvedHubSpotSettings): boolean {
  const { local } = settings;
  if (local === undefined) return false;
  return (
    settings.source === 'local stack' ||
    (local.hubspot !== undefined &&
      settings.basePath?.replace(/\/+$/, '') === local.hubspot.url.replace(/\/+$/, ''))
  );
}

/** Where the API URL of `dealreg hubspot project` came from, for messages. */
type ApiUrlSource = 'stage' | 'option' | 'local stack';

/** The API base URL: a stage's stack outputs, `--api-url`, or the running local stack. */
async function projectApiUrl(options: HubSpotProjectOptions): Promise<{ url: string; source: ApiUrlSource }> {
  requireStageForAwsOptions(options);
  if (options.apiUrl !== undefined) return { url: options.apiUrl, source: 'option' };
  if (options.stage !== undefined) {
    return { url: await stageApiUrl(options.stage, options, 'dealreg hubspot project'), source: 'stage' };
  }
  const local = await readLocalDescription(options.dataDir);
  if (local?.api === undefined) {
    throw new UsageError(
      `no API URL: pass --stage (a deployed stage), --api-url, or start the local stack (npx dealreg local) so ${join(options.dataDir, 'local.json')} names its API`,
    );
  }
  return { url: local.api, source: 'local stack' };
}

/** `--region` and `--profile` only say where `--stage` is deployed. */
function requireStageForAwsOptions(options: StageOptions): void {
  if (options.stage === undefined && (options.region !== undefined || options.profile !== undefined)) {
    throw new UsageError('--region and --profile say where a stage is deployed; pass --stage with them');
  }
}

/** The API URL a deployed stage's stateless stack publishes; `command` names the caller in messages. */
async function stageApiUrl(stage: string, options: StageOptions, command: string): Promise<string> {
  if (!stageNamePattern.test(stage)) {
    throw new UsageError(
      `--stage must be a stage name as deployed (at most 20 lower-case letters, digits and dashes, starting with a letter), got "${stage}"`,
    );
  }
  const { AwsDeployedStage, awsDeployedStageClients } = await import('#adapters/aws/aws-deployed-stage.ts');
  const aws = await checkedAwsOptions(options);
  const clients = awsDeployedStageClients(aws);
  let region: string;
  try {
    region = await clients.cloudFormation.config.region();
  } catch (error) {
    throw new UsageError(noRegionMessage(aws), { cause: error });
  }
  await requireAwsCredentials(
    clients.cloudFormation,
    aws,
    `${command} reads the API URL of stage ${stage} from CloudFormation with them (or pass --api-url)`,
  );
  const name = dealregStackNames(stage).stateless;
  const stack = await new AwsDeployedStage(clients).stack(name);
  if (!stack.found) {
    throw new Error(
      `stack ${name} is not deployed in ${region}: deploy the stage (npx cdk deploy --all --strict -c dealreg:stage=${stage} …) or name the region it is in with --region`,
    );
  }
  const url = apiUrlFromStackOutputs(stack.outputs, apiUrlOutputKey);
  if (url === undefined) {
    throw new Error(
      `stack ${name} has no ${apiUrlOutputKey} output: redeploy the stage with this version of Dealreg, or pass --api-url`,
    );
  }
  return url;
}

/**
 * An `--api-url` at a name reserved for examples (such as `hubspot/`'s own placeholder,
 * https://dealreg-api.example.com) is no API HubSpot can call: named as the placeholder it is.
 */
function placeholderUrlProblem(url: string): string | undefined {
  const host = URL.parse(url)?.hostname ?? '';
  if (host === 'localhost' || !isReservedExampleDomain(host)) return undefined;
  return `${url} is a placeholder (${host} is a domain reserved for examples, RFC 2606): pass your deployed API's URL, the ${apiUrlOutputKey} output of the stateless stack, or --stage`;
}

/**
 * `dealreg hubspot project`: writes the repository's HubSpot project (`hubspot/`) into `--out`
 * with the deployed API's URLs, validated with HubSpot's project parser, for `hs project upload`.
 */
export async function project(options: HubSpotProjectOptions): Promise<void> {
  if (options.out.trim() === '') {
    throw new UsageError('--out is empty; name the build directory to write the project to');
  }
  const { url, source } = await projectApiUrl(options);
  const problem =
    apiUrlProblem(url, { allowLocalHttp: source === 'local stack' }) ??
    (source === 'option' ? placeholderUrlProblem(url) : undefined);
  if (problem !== undefined) {
    if (source === 'option') throw new UsageError(`--api-url: ${problem}`);
    throw new Error(
      `the ${source === 'stage' ? `stage's ${apiUrlOutputKey} output` : 'API URL'}: ${problem}`,
    );
  }
  const urls = deployedAppUrls(url);
  const validation = await writeDeployedProject(repositoryProjectDir, options.out, urls.apiBase);
  const from =
    source === 'stage' ? `stage ${options.stage}` : source === 'option' ? '--api-url' : 'the local stack';
  console.log(`HubSpot project for ${urls.apiBase} (from ${from}) written to ${options.out}`);
  for (const [uid, component] of Object.entries(validation.components)) {
    console.log(`  ${component.type.padEnd(8)}  ${uid}  (src/${component.file})`);
  }
  console.log(`  webhook target:      ${urls.crmEventsUrl}`);
  console.log(`  permitted fetch URL: ${urls.apiBase}`);
  console.log(
    'Validated with @hubspot/project-parsing-lib; HubSpot checks the component schemas again on upload.',
  );
  if (source === 'local stack') {
    console.log(
      `HubSpot cannot reach ${urls.apiBase} on this machine: upload a project built with --api-url set to a public HTTPS tunnel to it, or with --stage.`,
    );
  }
  console.log('');
  console.log(
    'Upload it (HubSpot CLI, authenticated to the portal with `npx -p @hubspot/cli hs account auth`):',
  );
  console.log(`  cd ${options.out} && npx -p @hubspot/cli hs project upload`);
}
