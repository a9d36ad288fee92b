import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { createHubSpotConnection, type HubSpotConnection } from '#adapters/hubspot/connection.ts';
import { HubSpotConfigurationError } from '#adapters/hubspot/errors.ts';
import type { HubSpotCommandOptions } from './hubspot.ts';
import { malformedLocalDescription, unreadableLocalDescription } from './local-description-file.ts';

/** The parts of `.dealreg/local.json` the commands read (written by `dealreg local`). */
const localDescriptionSchema = z.object({
  api: z.string().optional(),
  /** The policy file the local stack runs (absent in descriptions written before it was recorded). */
  policyFile: z.string().min(1).optional(),
  hubspot: z
    .object({
      url: z.string(),
      accessToken: z.string(),
      portalId: z.union([z.number(), z.string()]).optional(),
    })
    .optional(),
});
export type LocalDescription = z.infer<typeof localDescriptionSchema>;

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
    throw unreadableLocalDescription(file, error);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw malformedLocalDescription(file, error);
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

/** The HubSpot API base URL of `--base-url` or `HUBSPOT_BASE_URL`, checked; undefined when not given. */
function baseUrlFrom(options: HubSpotCommandOptions, env: NodeJS.ProcessEnv): string | undefined {
  const [value, name] =
    options.baseUrl !== undefined
      ? [options.baseUrl, '--base-url']
      : [env.HUBSPOT_BASE_URL, 'HUBSPOT_BASE_URL'];
  if (value === undefined || value === '') return undefined;
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
    throw new HubSpotConfigurationError(
      `${name} must be an http(s) URL such as https://api.hubapi.com, got "${value}"`,
    );
  }
  return value;
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
      basePath: baseUrlFrom(options, env),
      portalId: optionPortal ?? envPortal,
      source: 'options',
      local,
    };
  }
  const envToken = env.HUBSPOT_ACCESS_TOKEN;
  if (envToken !== undefined && envToken.trim() !== '') {
    return {
      accessToken: envToken,
      basePath: baseUrlFrom(options, env),
      portalId: optionPortal ?? envPortal,
      source: 'environment',
      local,
    };
  }
  if (local?.hubspot !== undefined) {
    return {
      accessToken: local.hubspot.accessToken,
      basePath: baseUrlFrom(options, {}) ?? local.hubspot.url,
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
