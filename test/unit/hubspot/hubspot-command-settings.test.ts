import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { HubSpotConfigurationError } from '#adapters/hubspot/errors.ts';
import { resolveHubSpotSettings } from '#bin/commands/hubspot-settings.ts';

let withLocalStack: string;
let empty: string;

beforeAll(async () => {
  withLocalStack = await mkdtemp(join(tmpdir(), 'dealreg-settings-'));
  empty = await mkdtemp(join(tmpdir(), 'dealreg-settings-empty-'));
  await writeFile(
    join(withLocalStack, 'local.json'),
    JSON.stringify({
      api: 'http://127.0.0.1:4000',
      hubspot: { url: 'http://127.0.0.1:4001', accessToken: 'pat-local', portalId: 1234567 },
    }),
  );
});

describe('where the HubSpot commands take their token from', () => {
  it('prefers --token and --base-url over the environment and the local stack', async () => {
    const settings = await resolveHubSpotSettings(
      { token: 'pat-option', baseUrl: 'https://example.test', dataDir: withLocalStack },
      { HUBSPOT_ACCESS_TOKEN: 'pat-env', HUBSPOT_BASE_URL: 'https://env.test' },
    );

    expect(settings).toMatchObject({
      accessToken: 'pat-option',
      basePath: 'https://example.test',
      source: 'options',
    });
  });

  it('takes HUBSPOT_ACCESS_TOKEN and HUBSPOT_BASE_URL next', async () => {
    const settings = await resolveHubSpotSettings(
      { dataDir: withLocalStack },
      { HUBSPOT_ACCESS_TOKEN: 'pat-env', HUBSPOT_BASE_URL: 'https://env.test', HUBSPOT_PORTAL_ID: '42' },
    );

    expect(settings).toMatchObject({
      accessToken: 'pat-env',
      basePath: 'https://env.test',
      portalId: 42,
      source: 'environment',
    });
  });

  it('falls back to the sandbox of the running local stack', async () => {
    const settings = await resolveHubSpotSettings({ dataDir: withLocalStack }, {});

    expect(settings).toMatchObject({
      accessToken: 'pat-local',
      basePath: 'http://127.0.0.1:4001',
      portalId: 1234567,
      source: 'local stack',
    });
  });

  it('says where a token can come from when there is none', async () => {
    const attempt = resolveHubSpotSettings({ dataDir: empty }, {});

    await expect(attempt).rejects.toBeInstanceOf(HubSpotConfigurationError);
    await expect(attempt).rejects.toThrow(/pass --token, set HUBSPOT_ACCESS_TOKEN, or start the local stack/);
  });

  it('names a base URL that is not an http(s) URL, from the option or the environment', async () => {
    await expect(
      resolveHubSpotSettings({ dataDir: empty, token: 'pat', baseUrl: 'api.hubapi.com' }, {}),
    ).rejects.toThrow(
      '--base-url must be an http(s) URL such as https://api.hubapi.com, got "api.hubapi.com"',
    );
    await expect(
      resolveHubSpotSettings(
        { dataDir: empty },
        { HUBSPOT_ACCESS_TOKEN: 'pat', HUBSPOT_BASE_URL: 'ftp://x' },
      ),
    ).rejects.toThrow(
      'HUBSPOT_BASE_URL must be an http(s) URL such as https://api.hubapi.com, got "ftp://x"',
    );
  });

  it('names a portal id that is not a number', async () => {
    await expect(
      resolveHubSpotSettings({ dataDir: empty, token: 'pat', portalId: 'abc' }, {}),
    ).rejects.toThrow('--portal-id must be a positive whole number, got "abc"');
  });
});
