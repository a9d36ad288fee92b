/** Lambda entry: the Distributed Map's worker, one batch of up to 100 HubSpot deals per invocation. */
import { HubSpotAdapter } from '#adapters/hubspot/hubspot-adapter.ts';
import { S3QbrRunStore } from '#adapters/reports/s3-qbr-run-store.ts';
import { createQbrBatchWorker } from '#use-cases/qbr-delivery/batch-worker.ts';
import { s3 } from './wiring/clients/s3.ts';
import { policySetting, readEnvironment, requiredSetting } from './wiring/configuration.ts';
import { connectToHubSpot, hubSpotPortalSettings } from './wiring/hubspot.ts';

const settings = readEnvironment({
  DEALREG_POLICY: policySetting,
  REPORTS_BUCKET: requiredSetting,
  ...hubSpotPortalSettings,
});

export const handler = createQbrBatchWorker({
  deals: new HubSpotAdapter(await connectToHubSpot(settings), { portalId: settings.HUBSPOT_PORTAL_ID }),
  runs: new S3QbrRunStore(s3, settings.REPORTS_BUCKET),
  croProperty: settings.DEALREG_POLICY.policy.definitions.croView.dealProperty,
});
