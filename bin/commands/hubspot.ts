import type { Command } from 'commander';

/** The options every HubSpot-facing command shares (`withHubSpotOptions`). */
export interface HubSpotCommandOptions {
  readonly token?: string | undefined;
  readonly baseUrl?: string | undefined;
  readonly portalId?: string | undefined;
  readonly dataDir: string;
}

export interface HubSpotSetupOptions extends HubSpotCommandOptions {
  readonly dryRun?: boolean;
  readonly apiUrl?: string;
  readonly policy?: string;
}

/** Adds the options every HubSpot-facing command shares. */
export function withHubSpotOptions(command: Command): Command {
  return command
    .option(
      '--token <token>',
      'private app access token (default: HUBSPOT_ACCESS_TOKEN, then the local sandbox)',
    )
    .option(
      '--base-url <url>',
      'HubSpot API base URL (default: HUBSPOT_BASE_URL, then https://api.hubapi.com)',
    )
    .option('--portal-id <id>', 'portal (hub) id (default: HUBSPOT_PORTAL_ID, then the local sandbox)')
    .option('--data-dir <dir>', 'where the local stack keeps local.json', '.dealreg');
}

/** `dealreg hubspot setup [--dry-run]`: prepares a portal for Dealreg, idempotently. */
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
        'the policy deployed (its newDeals pipeline and stage and its CRO view property are checked; default: policy/default-policy.json)',
      )
      .option(
        '--api-url <url>',
        'the Dealreg API URL, for the webhook settings printed (default: the local stack)',
      ),
  ).action(async (options: HubSpotSetupOptions) => (await import('./hubspot-actions.ts')).setup(options));
}
