import { HubSpotPortalSchemaAdmin } from '#adapters/hubspot/portal-schema-admin.ts';
import { manualSettings, setupHubSpotPortal } from '#use-cases/setup-hubspot-portal.ts';
import type { HubSpotSetupOptions } from './hubspot.ts';
import { connect, resolveHubSpotSettings } from './hubspot-settings.ts';
import { loadPolicyFile } from './policy-file.ts';

/** `dealreg hubspot setup`: creates what the portal misses and lists what to configure by hand. */
export async function setup(options: HubSpotSetupOptions): Promise<void> {
  const settings = await resolveHubSpotSettings(options);
  const admin = new HubSpotPortalSchemaAdmin(connect(settings));
  const dryRun = options.dryRun === true;
  console.log(
    `HubSpot setup${dryRun ? ' (dry run)' : ''} — ${settings.basePath ?? 'https://api.hubapi.com'} (token from ${settings.source})`,
  );
  const { policy } = await loadPolicyFile(options.policy);
  const result = await setupHubSpotPortal(admin, {
    dryRun,
    policy: { newDeals: policy.newDeals, croProperty: policy.definitions.croView.dealProperty },
  });
  const width = Math.max(...result.items.map((item) => item.status.length));
  for (const item of result.items) {
    console.log(
      `  ${item.status.padEnd(width)}  ${item.kind}: ${item.name}${item.fix ? ` — ${item.fix}` : ''}`,
    );
  }
  const missing = result.items.filter((item) => item.status === 'missing');
  const changes = result.items.filter((item) => item.status !== 'exists' && item.status !== 'missing').length;
  console.log(
    changes > 0
      ? `${changes} item(s) ${dryRun ? 'would be created' : 'created'}.`
      : missing.length === 0
        ? 'The portal already has everything Dealreg needs.'
        : 'Nothing to create.',
  );
  if (result.objectTypeId !== undefined)
    console.log(`Deal Registration object type id: ${result.objectTypeId}`);
  console.log('');
  console.log('Configure in HubSpot by hand:');
  for (const line of manualSettings(options.apiUrl ?? settings.local?.api)) console.log(`  ${line}`);
  if (missing.length > 0) {
    console.error('');
    console.error(`The portal lacks ${missing.length} thing(s) the policy relies on:`);
    for (const item of missing) console.error(`  ${item.kind} ${item.name}: ${item.fix ?? ''}`);
    process.exitCode = 1;
  }
}
