/** Lambda entry: the Distributed Map's worker, one batch of up to 100 HubSpot deals per invocation. */
import { S3QbrRunStore } from '#adapters/reports/s3-qbr-run-store.ts';
import { createQbrBatchWorker } from '#use-cases/qbr-delivery.ts';
import { readEnvironment } from './configuration.ts';
import { hubSpotDeals, policyFrom, s3 } from './qbr-aws.ts';
import { qbrSettings } from './qbr-settings.ts';

const settings = readEnvironment({
  DEALREG_POLICY: qbrSettings.DEALREG_POLICY,
  REPORTS_BUCKET: qbrSettings.REPORTS_BUCKET,
  HUBSPOT_ACCESS_TOKEN_ARN: qbrSettings.HUBSPOT_ACCESS_TOKEN_ARN,
  HUBSPOT_PORTAL_ID: qbrSettings.HUBSPOT_PORTAL_ID,
  HUBSPOT_BASE_URL: qbrSettings.HUBSPOT_BASE_URL,
  HUBSPOT_REQUESTS_PER_WINDOW: qbrSettings.HUBSPOT_REQUESTS_PER_WINDOW,
});

export const handler = createQbrBatchWorker({
  deals: hubSpotDeals(settings),
  runs: new S3QbrRunStore(s3, settings.REPORTS_BUCKET),
  croProperty: policyFrom(settings.DEALREG_POLICY).policy.definitions.croView.dealProperty,
});
