import { cp, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isKnownPlatformVersion, isLegacyProject } from '@hubspot/project-parsing-lib/projects';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InvalidHubSpotProjectError,
  repositoryProjectDir,
  validateHubSpotProject,
  writeDeployedProject,
} from '#bin/commands/hubspot-project-files.ts';
import { UsageError } from '#bin/commands/usage-error.ts';
import { type DealFacts, mergeEntries, toLedgerEntry } from '#domain/crm-events/crm-event-entries.ts';
import { type CrmEvent, parseCrmEventBatch } from '#domain/crm-events/hubspot-crm-event.ts';
import { recordedDealChanges } from '#domain/crm-events/recorded-deal-changes.ts';
import {
  type AppConfig,
  appConfigSchema,
  dealregApiPlaceholder,
  missingDealSubscriptions,
  neededDealSubscriptions,
  subscriptionKey,
  type WebhooksConfig,
  webhooksConfigSchema,
} from '#domain/hubspot-app/app-project.ts';
import { requiredHubSpotScopes } from '#domain/hubspot-scopes.ts';
import { DEFAULT_SUBSCRIBED_PROPERTIES } from '#local/hubspot-sandbox/webhooks.ts';
import { crmEventSettings } from '#use-cases/record-crm-events.ts';

const apiBase = 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod';
let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'dealreg-hubspot-project-'));
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

async function readJson(file: string): Promise<unknown> {
  return JSON.parse(await readFile(file, 'utf8'));
}

async function appConfig(projectDir: string): Promise<AppConfig> {
  const meta = (await readJson(join(projectDir, 'src/app/app-hsmeta.json'))) as { config: unknown };
  return appConfigSchema.parse(meta.config);
}

async function webhooksConfig(projectDir: string): Promise<WebhooksConfig> {
  const meta = (await readJson(join(projectDir, 'src/app/webhooks/webhooks-hsmeta.json'))) as {
    config: unknown;
  };
  return webhooksConfigSchema.parse(meta.config);
}

/** A copy of the repository's project to change, as a developer might. */
async function projectCopy(name: string): Promise<string> {
  const dir = join(workDir, name);
  await cp(repositoryProjectDir, dir, { recursive: true });
  return dir;
}

async function editJson(file: string, edit: (value: Record<string, unknown>) => void): Promise<void> {
  const value = (await readJson(file)) as Record<string, unknown>;
  edit(value);
  await writeFile(file, JSON.stringify(value, null, 2));
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

describe("the repository's HubSpot project", () => {
  it("passes HubSpot's project parser with one app and one webhooks component", async () => {
    const started = performance.now();
    const validation = await validateHubSpotProject(repositoryProjectDir);
    console.log(`validated hubspot/ in ${Math.round(performance.now() - started)} ms`);

    expect(validation.problems).toEqual([]);
    expect(Object.values(validation.components).map((component) => component.type)).toEqual(
      expect.arrayContaining(['app', 'webhooks']),
    );
  });

  it('is on a platform version the parser knows, not a legacy one', async () => {
    const { platformVersion } = (await readJson(join(repositoryProjectDir, 'hsproject.json'))) as {
      platformVersion: string;
    };

    expect(isKnownPlatformVersion(platformVersion)).toBe(true);
    expect(isLegacyProject(platformVersion)).toBe(false);
  });

  it('is a static-token app for one portal asking for exactly the scopes of hubspot-scopes.ts', async () => {
    const config = await appConfig(repositoryProjectDir);

    expect(config.distribution).toBe('private');
    expect(config.auth.type).toBe('static');
    expect([...config.auth.requiredScopes].sort()).toEqual([...requiredHubSpotScopes].sort());
    expect(new Set(config.auth.requiredScopes).size).toBe(config.auth.requiredScopes.length);
    expect(config.auth.optionalScopes ?? []).toEqual([]);
  });

  it('subscribes to every deal change the CRM-events handler records, and only to those', async () => {
    const config = await webhooksConfig(repositoryProjectDir);
    const active = (config.subscriptions.crmObjects ?? []).filter((subscription) => subscription.active);

    expect(missingDealSubscriptions(config)).toEqual([]);
    expect(active.map(subscriptionKey).sort()).toEqual(neededDealSubscriptions().map(subscriptionKey).sort());
    expect(config.subscriptions.legacyCrmObjects ?? []).toEqual([]);
  });

  it('names the API only by its placeholder, which the build replaces', async () => {
    const config = await webhooksConfig(repositoryProjectDir);
    const app = await appConfig(repositoryProjectDir);

    expect(config.settings.targetUrl).toBe(`${dealregApiPlaceholder}/hubspot/crm-events`);
    expect(app.permittedUrls?.fetch).toEqual([dealregApiPlaceholder]);
  });
});

describe('what the subscriptions deliver to the CRM-events handler', () => {
  const settings = crmEventSettings();
  const facts: DealFacts = {
    name: 'Acme renewal',
    amount: '1200',
    currency: 'USD',
    customer: { domain: 'acme.example', name: 'Acme' },
    companyLabels: new Map([['501', ['Sourced partner']]]),
  };
  const sampleValue: Record<string, string> = {
    dealstage: 'appointmentscheduled',
    amount: '1200',
    closedate: '1767225600000',
  };

  /** A delivery of a subscription as HubSpot sends it ("Create generic webhook subscriptions"). */
  function deliveryOf(subscription: { subscriptionType: string; propertyName?: string | undefined }) {
    const common = { eventId: 1, subscriptionId: 2, portalId: 3, appId: 4, occurredAt: 1_767_225_600_000 };
    switch (subscription.subscriptionType) {
      case 'object.associationChange':
        return {
          ...common,
          subscriptionType: 'object.associationChange',
          associationType: 'DEAL_TO_COMPANY',
          fromObjectTypeId: '0-3',
          toObjectTypeId: '0-2',
          fromObjectId: 77,
          toObjectId: 501,
          associationRemoved: false,
          isPrimaryAssociation: false,
        };
      case 'object.propertyChange':
        return {
          ...common,
          subscriptionType: 'object.propertyChange',
          objectTypeId: '0-3',
          objectId: 77,
          propertyName: subscription.propertyName,
          propertyValue: sampleValue[subscription.propertyName ?? ''] ?? 'some value',
          changeSource: 'CRM_UI',
        };
      case 'object.merge':
        // "New subscription types for Webhooks": the deal kept and the deals merged into it.
        return {
          ...common,
          subscriptionType: 'object.merge',
          objectTypeId: '0-3',
          objectId: 77,
          primaryObjectId: 77,
          mergedObjectIds: [78],
          numberOfPropertiesMoved: 3,
        };
      default:
        return {
          ...common,
          subscriptionType: subscription.subscriptionType,
          objectTypeId: '0-3',
          objectId: 77,
        };
    }
  }

  function outcomeOf(event: CrmEvent) {
    if (event.kind === 'merge') {
      // A merge moves what the merged deal's ledger chain has: here, one partner.
      const moved = mergeEntries('key', event, [
        {
          dealId: '78',
          carried: [],
          activeAttributions: [
            {
              opportunityId: '78',
              partnerId: '501',
              customer: facts.customer,
              relationshipType: 'sourced',
              registrationId: undefined,
              campaignId: undefined,
              investmentId: undefined,
              since: '2026-01-01T00:00:00.000Z',
              until: undefined,
              active: true,
              sequence: 2,
            },
          ],
        },
      ]);
      return moved.length > 0 ? 'entry' : 'ignored';
    }
    return toLedgerEntry('key', event, facts, settings, 'Sourced partner').outcome;
  }

  it("reads each subscription's delivery as a change it records", async () => {
    const config = await webhooksConfig(repositoryProjectDir);

    for (const subscription of config.subscriptions.crmObjects ?? []) {
      const parsed = parseCrmEventBatch([deliveryOf(subscription)]);

      expect(parsed.success && parsed.unusable).toEqual([]);
      const [event] = parsed.success ? parsed.events : [];
      expect(event?.kind, subscriptionKey(subscription)).not.toBe('other');
      expect(outcomeOf(event as CrmEvent), subscriptionKey(subscription)).toBe('entry');
    }
  });

  it('records a property change exactly when the app subscribes to it, over every property the sandbox reports', async () => {
    const subscribed = new Set(
      ((await webhooksConfig(repositoryProjectDir)).subscriptions.crmObjects ?? [])
        .filter((subscription) => subscription.subscriptionType === 'object.propertyChange')
        .map((subscription) => subscription.propertyName),
    );
    const candidates = new Set([
      ...DEFAULT_SUBSCRIBED_PROPERTIES,
      ...recordedDealChanges.properties,
      'dealname',
    ]);

    for (const property of candidates) {
      const outcome = outcomeOf({
        kind: 'property',
        dealId: '77',
        property,
        value: sampleValue[property] ?? 'some value',
        occurredAt: 1_767_225_600_000,
      });

      expect(outcome !== 'ignored', property).toBe(subscribed.has(property));
    }
  });

  it('the sandbox reports at least the property changes the app subscribes to', () => {
    expect(DEFAULT_SUBSCRIBED_PROPERTIES).toEqual(
      expect.arrayContaining([...recordedDealChanges.properties]),
    );
  });
});

describe('a project built for a deployed API', () => {
  it('has the webhook target and permitted fetch URL of that API, passes the parser, and leaves hubspot/ as it was', async () => {
    const before = await readFile(
      join(repositoryProjectDir, 'src/app/webhooks/webhooks-hsmeta.json'),
      'utf8',
    );
    const out = join(workDir, 'built');

    const started = performance.now();
    await writeDeployedProject(repositoryProjectDir, out, apiBase);
    console.log(`built and validated the project in ${Math.round(performance.now() - started)} ms`);

    expect((await validateHubSpotProject(out)).problems).toEqual([]);
    expect((await webhooksConfig(out)).settings.targetUrl).toBe(`${apiBase}/hubspot/crm-events`);
    expect((await appConfig(out)).permittedUrls?.fetch).toEqual([apiBase]);
    expect(await readFile(join(repositoryProjectDir, 'src/app/webhooks/webhooks-hsmeta.json'), 'utf8')).toBe(
      before,
    );
  });

  it('passes with a deal card under cards/, whose source gets the API URL too', async () => {
    const source = await projectCopy('with-card');
    await mkdir(join(source, 'src/app/cards/node_modules/react'), { recursive: true });
    await writeFile(join(source, 'src/app/cards/node_modules/react/index.js'), '');
    await writeFile(
      join(source, 'src/app/cards/deal-registration-card-hsmeta.json'),
      JSON.stringify({
        uid: 'dealreg_deal_card',
        type: 'card',
        config: {
          name: 'Deal registration',
          location: 'crm.record.tab',
          entrypoint: '/app/cards/DealRegistrationCard.tsx',
          objectTypes: ['deals'],
        },
      }),
    );
    await writeFile(
      join(source, 'src/app/cards/DealRegistrationCard.tsx'),
      `const api = '${dealregApiPlaceholder}/deal-card';\nexport default api;\n`,
    );
    const out = join(workDir, 'built-with-card');

    const validation = await writeDeployedProject(source, out, apiBase);

    expect(validation.problems).toEqual([]);
    expect(validation.components.dealreg_deal_card?.type).toBe('card');
    expect(await readFile(join(out, 'src/app/cards/DealRegistrationCard.tsx'), 'utf8')).toContain(
      `'${apiBase}/deal-card'`,
    );
    expect(await exists(join(out, 'src/app/cards/node_modules'))).toBe(false);
  });

  it("names every problem HubSpot's parser finds and leaves the build directory as it was", async () => {
    const source = await projectCopy('broken');
    await editJson(join(source, 'src/app/app-hsmeta.json'), (meta) => {
      meta.uid = 'dealreg app!';
      meta.extra = true;
    });
    await cp(
      join(source, 'src/app/webhooks/webhooks-hsmeta.json'),
      join(source, 'src/app/webhooks/second-hsmeta.json'),
    );
    await editJson(join(source, 'src/app/webhooks/second-hsmeta.json'), (meta) => {
      meta.uid = 'second_webhooks';
    });
    await mkdir(join(source, 'src/app/cards'), { recursive: true });
    await writeFile(
      join(source, 'src/app/cards/nameless-hsmeta.json'),
      JSON.stringify({ type: 'card', config: {} }),
    );
    const out = join(workDir, 'never-written');

    const failure = await writeDeployedProject(source, out, apiBase).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(InvalidHubSpotProjectError);
    const { problems } = failure as InvalidHubSpotProjectError;
    expect(problems).toEqual(
      expect.arrayContaining([
        `src/app/app-hsmeta.json: Unexpected top-level properties found: extra`,
        `src/app/app-hsmeta.json: 'uid' should use only letters, numbers, periods, hyphens, and underscores (for example: app-id_1.2.3)`,
        'src: Only one webhooks component is allowed, found 2',
        "src/app/cards/nameless-hsmeta.json: Missing required field: 'uid'",
      ]),
    );
    expect(await exists(out)).toBe(false);
  });

  it("refuses a platform version HubSpot does not know, in the parser's words", async () => {
    const source = await projectCopy('old-platform');
    await editJson(join(source, 'hsproject.json'), (config) => {
      config.platformVersion = '2024.9';
    });

    const validation = await validateHubSpotProject(source);

    expect(validation.problems).toEqual(["hsproject.json: Unsupported platform version: '2024.9'"]);
  });

  it('names a webhook or app config HubSpot documents as invalid, by its field', async () => {
    const source = await projectCopy('bad-config');
    await editJson(join(source, 'src/app/webhooks/webhooks-hsmeta.json'), (meta) => {
      const config = meta.config as { settings: Record<string, unknown> };
      delete config.settings.targetUrl;
    });
    await editJson(join(source, 'src/app/app-hsmeta.json'), (meta) => {
      (meta.config as Record<string, unknown>).distribution = 'marketplace';
    });

    const validation = await validateHubSpotProject(source);

    expect(validation.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^src\/app\/webhooks\/webhooks-hsmeta\.json: config\.settings\.targetUrl: /),
        'src/app/app-hsmeta.json: config.distribution: a static-token app must be distributed privately (distribution "private")',
      ]),
    );
  });

  it("refuses a project whose webhook target is not the API's CRM-events endpoint", async () => {
    const source = await projectCopy('elsewhere');
    await editJson(join(source, 'src/app/webhooks/webhooks-hsmeta.json'), (meta) => {
      (meta.config as { settings: Record<string, unknown> }).settings.targetUrl =
        'https://elsewhere.example.org/hook';
    });

    await expect(writeDeployedProject(source, join(workDir, 'elsewhere-out'), apiBase)).rejects.toThrow(
      `the webhook target is https://elsewhere.example.org/hook, not the API's CRM-events endpoint ${apiBase}/hubspot/crm-events`,
    );
  });

  it('replaces a project it wrote before, and refuses a directory of other files or one inside the project', async () => {
    const out = join(workDir, 'rebuilt');
    await writeDeployedProject(repositoryProjectDir, out, 'https://first.example.net');
    const other = join(workDir, 'other-files');
    await mkdir(other);
    await writeFile(join(other, 'notes.txt'), 'keep me');

    await writeDeployedProject(repositoryProjectDir, out, apiBase);

    expect((await webhooksConfig(out)).settings.targetUrl).toBe(`${apiBase}/hubspot/crm-events`);
    await expect(writeDeployedProject(repositoryProjectDir, other, apiBase)).rejects.toThrow(UsageError);
    expect(await readFile(join(other, 'notes.txt'), 'utf8')).toBe('keep me');
    await expect(
      writeDeployedProject(repositoryProjectDir, join(repositoryProjectDir, 'build'), apiBase),
    ).rejects.toThrow(/is inside the project .*, which is never edited/);
  });

  it('refuses an --out that is a file, and leaves the file as it was', async () => {
    const file = join(workDir, 'notes.md');
    await writeFile(file, 'keep me');

    await expect(writeDeployedProject(repositoryProjectDir, file, apiBase)).rejects.toThrow(
      /--out .*notes\.md is a file, not a directory; choose a new or empty directory/,
    );
    expect(await readFile(file, 'utf8')).toBe('keep me');
  });
});
