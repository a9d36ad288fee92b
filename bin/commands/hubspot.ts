import { type Command, Option } from 'commander';

/** The options every HubSpot-facing command shares (`withHubSpotOptions`). */
export interface HubSpotCommandOptions {
  readonly token?: string | undefined;
  readonly baseUrl?: string | undefined;
  readonly portalId?: string | undefined;
  readonly dataDir: string;
}

/** Where a deployed stage is: `--stage`, with `--region` and `--profile` for AWS. */
export interface StageOptions {
  readonly stage?: string | undefined;
  readonly region?: string | undefined;
  readonly profile?: string | undefined;
}

export interface HubSpotSetupOptions extends HubSpotCommandOptions, StageOptions {
  readonly dryRun?: boolean;
  readonly apiUrl?: string;
  readonly policy?: string;
  readonly createCroProperty?: boolean;
}

/** The options of `dealreg hubspot project`, as commander parses them. */
export interface HubSpotProjectOptions extends StageOptions {
  readonly apiUrl?: string;
  readonly out: string;
  readonly dataDir: string;
}

/** Adds the options every HubSpot-facing command shares. */
export function withHubSpotOptions(command: Command): Command {
  return command
    .option(
      '--token <token>',
      "HubSpot access token: the static access token of Dealreg's app (its Auth tab) or a service key (default: HUBSPOT_ACCESS_TOKEN, then the local sandbox)",
    )
    .option(
      '--base-url <url>',
      'HubSpot API base URL (default: HUBSPOT_BASE_URL, then https://api.hubapi.com)',
    )
    .option('--portal-id <id>', 'portal (hub) id (default: HUBSPOT_PORTAL_ID, then the local sandbox)')
    .option('--data-dir <dir>', 'where the local stack keeps local.json', '.dealreg');
}

/** `--stage`, which reads the API URL from the deployed stage (never with `--api-url`). */
function stageOption(purpose?: string): Option {
  return new Option(
    '--stage <stage>',
    `read the API URL from this deployed stage's stack outputs${purpose === undefined ? '' : `, ${purpose}`}`,
  ).conflicts('apiUrl');
}

/**
 * `dealreg hubspot setup [--dry-run]`: prepares a portal for Dealreg, idempotently;
 * `dealreg hubspot project`: builds the HubSpot app for a deployed API.
 */
export function registerHubSpotCommands(program: Command): void {
  const hubspot = program.command('hubspot').description('HubSpot portal tasks');
  withHubSpotOptions(
    hubspot
      .command('setup')
      .description(
        'create the Deal Registration object, its properties and associations, the deal properties and the partner association labels (only what is missing), and check the pipeline, stage and CRO property the policy names',
      )
      .option('--dry-run', 'list what would be created, change nothing')
      .option(
        '--policy <file>',
        "the policy deployed (its newDeals pipeline and stage and its CRO view property are checked; default: the local stack's policy when setup prepares its sandbox, else policy/default-policy.json)",
      )
      .option(
        '--create-cro-property',
        "create the CRO view's deal property when the portal lacks it (a dropdown of the policy's partner values)",
      )
      .addOption(stageOption('for the webhook settings printed'))
      .option(
        '--region <region>',
        "AWS region of the stage (default: AWS_REGION, then your profile's region)",
      )
      .option(
        '--profile <profile>',
        'AWS named profile (default: AWS_PROFILE, then the default credential chain)',
      )
      .option(
        '--api-url <url>',
        "the Dealreg API URL, for the webhook settings printed, instead of a stage (default: the local stack's, when setup prepares its sandbox)",
      ),
  ).action(async (options: HubSpotSetupOptions) => (await import('./hubspot-actions.ts')).setup(options));
  hubspot
    .command('project')
    .description(
      "write the HubSpot app (hubspot/) with the deployed API's webhook target and permitted fetch URL into a build directory, validated and ready for `hs project upload`; the repository's files are not changed",
    )
    .addOption(stageOption())
    .option('--region <region>', "AWS region of the stage (default: AWS_REGION, then your profile's region)")
    .option(
      '--profile <profile>',
      'AWS named profile (default: AWS_PROFILE, then the default credential chain)',
    )
    .option('--api-url <url>', 'the API base URL to use instead of a stage (HTTPS)')
    .option(
      '--out <dir>',
      'the build directory to write (replaced if it holds a project)',
      'dist/hubspot-project',
    )
    .option(
      '--data-dir <dir>',
      "where the local stack keeps local.json (without --stage or --api-url, the local stack's API URL is used)",
      '.dealreg',
    )
    .action(async (options: HubSpotProjectOptions) =>
      (await import('./hubspot-actions.ts')).project(options),
    );
}
