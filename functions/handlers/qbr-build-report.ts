/** Lambda entry: "Build and store the report" of the pre-QBR workflow. */
import { HubSpotAdapter } from '#adapters/hubspot/hubspot-adapter.ts';
import { HubSpotOwnerDirectory } from '#adapters/hubspot/owner-directory.ts';
import { HubSpotPortalSchemaAdmin } from '#adapters/hubspot/portal-schema-admin.ts';
import { DynamoDbLedgerStore } from '#adapters/ledger/dynamodb-ledger-store.ts';
import { S3DigestStore } from '#adapters/ledger/s3-digest-store.ts';
import { DynamoDbRegistrationHistory } from '#adapters/qbr/registration-history.ts';
import { S3SnapshotStore } from '#adapters/qbr/s3-snapshot-store.ts';
import { S3QbrRunStore } from '#adapters/reports/s3-qbr-run-store.ts';
import { S3ReportStore } from '#adapters/reports/s3-report-store.ts';
import { createQbrReportBuilder } from '#use-cases/qbr-delivery/report-builder.ts';
import { documentClient, dynamodb } from './wiring/clients/dynamodb.ts';
import { s3 } from './wiring/clients/s3.ts';
import { policySetting, readEnvironment, requiredSetting } from './wiring/configuration.ts';
import { connectToHubSpot, hubSpotPortalSettings } from './wiring/hubspot.ts';

const settings = readEnvironment({
  DEALREG_POLICY: policySetting,
  REPORTS_BUCKET: requiredSetting,
  LEDGER_TABLE: requiredSetting,
  REGISTRATIONS_TABLE: requiredSetting,
  LEDGER_DIGEST_BUCKET: requiredSetting,
  ...hubSpotPortalSettings,
});

const hubspot = await connectToHubSpot(settings);

export const handler = createQbrReportBuilder({
  report: {
    ledger: new DynamoDbLedgerStore(dynamodb, settings.LEDGER_TABLE),
    digests: new S3DigestStore(s3, settings.LEDGER_DIGEST_BUCKET),
    registrations: new DynamoDbRegistrationHistory(documentClient, settings.REGISTRATIONS_TABLE),
    snapshots: new S3SnapshotStore(s3, settings.REPORTS_BUCKET),
    policy: settings.DEALREG_POLICY,
    // To tell a CRO deal property missing in the portal from one left empty, and to link findings.
    dealProperties: new HubSpotPortalSchemaAdmin(hubspot),
    hubspotPortalId: settings.HUBSPOT_PORTAL_ID,
    // The deal owners drift findings name: read afresh by each report (which reads each owner
    // once), not kept by a warm container from one run to the next.
    owners: { owner: (ownerId) => new HubSpotOwnerDirectory(hubspot).owner(ownerId) },
  },
  // For runs small enough to read here; larger ones the batch workers read.
  deals: new HubSpotAdapter(hubspot, { portalId: settings.HUBSPOT_PORTAL_ID }),
  runs: new S3QbrRunStore(s3, settings.REPORTS_BUCKET),
  reports: new S3ReportStore(s3, settings.REPORTS_BUCKET),
});
