import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { createHubSpotConnection, type HubSpotConnection } from '#adapters/hubspot/connection.ts';
import { HubSpotConfigurationError } from '#adapters/hubspot/errors.ts';
import { HubSpotPortalSchemaAdmin } from '#adapters/hubspot/portal-schema-admin.ts';
import { manualSettings, setupHubSpotPortal } from '#use-cases/setup-hubspot-portal.ts';

/** The parts of `.dealreg/local.json` the HubSpot commands read (written by `dealreg local`). */
const localDescriptionSchema = z.object({
  api: z.string().optional(),
  hubspot: z
    .object({
      url: z.string(),
      accessToken: z.string(),
      portalId: z.union([z.number(), z.string()]).optional(),
    })
    .optional(),
});
export type LocalDescription = z.infer<typeof localDescriptionSchema>;

export interface HubSpotCommandOptions {
  readonly token?: string | undefined;
  readonly baseUrl?: string | undefined;
  readonly portalId?: string | undefined;
  readonly dataDir: string;
}

export interface ResolvedHubSpotSettings {
  readonly accessToken: string;
  readonly basePath: string | undefined;
  readonly portalId: number | undefined;
  /** Where the settings came from, for messages. */
  readonly source: 'options' | 'environment' | 'local stack';
  readonly local: LocalDescription | undefined;
}

/** Reads `.dealreg/local.json` when the local stack has written one. */
export async function readLocalDescription(dataDir: string): Promise<LocalDescription | undefined> {
  const file = join(dataDir, 'local.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new HubSpotConfigurationError(`${file} is not valid JSON`, { cause: error });
  }
  const parsed = localDescriptionSchema.safeParse(raw);
  if (!parsed.success) {
    throw new HubSpotConfigurationError(
      `${file}: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}

function portalIdFrom(value: string | number | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) {
    throw new HubSpotConfigurationError(`${name} must be a positive whole number, got "${value}"`);
  }
  return parsed;
}

/**
 * Token and base URL, first found wins: `--token`/`--base-url`, then `HUBSPOT_ACCESS_TOKEN`/
 * `HUBSPOT_BASE_URL`, then the running local stack's sandbox (`.dealreg/local.json`).
 */
export async function resolveHubSpotSettings(
  options: HubSpotCommandOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ResolvedHubSpotSettings> {
  const local = await readLocalDescription(options.dataDir);
  const envPortal = portalIdFrom(env.HUBSPOT_PORTAL_ID, 'HUBSPOT_PORTAL_ID');
  const optionPortal = portalIdFrom(options.portalId, '--portal-id');
  if (options.token !== undefined && options.token.trim() !== '') {
    return {
      accessToken: options.token,
      basePath: options.baseUrl ?? env.HUBSPOT_BASE_URL,
      portalId: optionPortal ?? envPortal,
      source: 'options',
      local,
    };
  }
  const envToken = env.HUBSPOT_ACCESS_TOKEN;
  if (envToken !== undefined && envToken.trim() !== '') {
    return {
      accessToken: envToken,
      basePath: options.baseUrl ?? env.HUBSPOT_BASE_URL,
      portalId: optionPortal ?? envPortal,
      source: 'environment',
      local,
    };
  }
  if (local?.hubspot !== undefined) {
    return {
      accessToken: local.hubspot.accessToken,
      basePath: options.baseUrl ?? local.hubspot.url,
      portalId: optionPortal ?? portalIdFrom(local.hubspot.portalId, 'local.json hubspot.portalId'),
      source: 'local stack',
      local,
    };
  }
  throw new HubSpotConfigurationError(
    `no HubSpot access token: pass --token, set HUBSPOT_ACCESS_TOKEN, or start the local stack (npx dealreg local) so ${join(options.dataDir, 'local.json')} names its sandbox`,
  );
}

export function connect(settings: ResolvedHubSpotSettings): HubSpotConnection {
  return createHubSpotConnection({
    accessToken: settings.accessToken,
    basePath: settings.basePath,
  });
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
        'create the Deal Registration object, its properties and associations, the deal properties and the partner association labels (only what is missing)',
      )
      .option('--dry-run', 'list what would be created, change nothing')
      .option(
        '--api-url <url>',
        'the Dealreg API URL, for the webhook settings printed (default: the local stack)',
      ),
  ).action(async (options: HubSpotCommandOptions & { dryRun?: boolean; apiUrl?: string }) => {
    const settings = await resolveHubSpotSettings(options);
    const admin = new HubSpotPortalSchemaAdmin(connect(settings));
    const dryRun = options.dryRun === true;
    console.log(
      `HubSpot setup${dryRun ? ' (dry run)' : ''} — ${settings.basePath ?? 'https://api.hubapi.com'} (token from ${settings.source})`,
    );
    const result = await setupHubSpotPortal(admin, { dryRun });
    const width = Math.max(...result.items.map((item) => item.status.length));
    for (const item of result.items)
      console.log(`  ${item.status.padEnd(width)}  ${item.kind}: ${item.name}`);
    const changes = result.items.filter((item) => item.status !== 'exists').length;
    console.log(
      changes === 0
        ? 'The portal already has everything Dealreg needs.'
        : `${changes} item(s) ${dryRun ? 'would be created' : 'created'}.`,
    );
    if (result.objectTypeId !== undefined)
      console.log(`Deal Registration object type id: ${result.objectTypeId}`);
    console.log('');
    console.log('Configure in HubSpot by hand:');
    for (const line of manualSettings(options.apiUrl ?? settings.local?.api)) console.log(`  ${line}`);
  });
}
