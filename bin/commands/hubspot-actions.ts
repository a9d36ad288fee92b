import { HubSpotPortalSchemaAdmin } from '#adapters/hubspot/portal-schema-admin.ts';
import { manualSettings, setupHubSpotPortal } from '#use-cases/setup-hubspot-portal.ts';
import type { HubSpotSetupOptions } from './hubspot.ts';
import { connect, resolveHubSpotSettings } from './hubspot-settings.ts';

/** `dealreg hubspot setup`: creates what the portal misses and lists what to configure by hand. */
export async function setup(options: HubSpotSetupOptions): Promise<void> {
  const settings = await resolveHubSpotSettings(options);
  const admin = new HubSpotPortalSchemaAdmin(connect(settings));
  const dryRun = options.dryRun === true;
  console.log(
    `HubSpot setup${dryRun ? ' (dry run)' : ''} — ${settings.basePath ?? 'https://api.hubapi.com'} (token from ${settings.source})`,
  );
  const result = await setupHubSpotPortal(admin, { dryRun });
  const width = Math.max(...result.items.map((item) => item.status.length));
  for (const item of result.items) console.log(`  ${item.status.padEnd(width)}  ${item.kind}: ${item.name}`);
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
}
