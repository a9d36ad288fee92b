/** Lambda entry: "Build and store the report" of the pre-QBR workflow. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbLedgerStore } from '#adapters/ledger/dynamodb-ledger-store.ts';
import { S3DigestStore } from '#adapters/ledger/s3-digest-store.ts';
import { DynamoDbRegistrationHistory } from '#adapters/qbr/registration-history.ts';
import { S3SnapshotStore } from '#adapters/qbr/s3-snapshot-store.ts';
import { S3QbrRunStore } from '#adapters/reports/s3-qbr-run-store.ts';
import { S3ReportStore } from '#adapters/reports/s3-report-store.ts';
import { createQbrReportBuilder } from '#use-cases/qbr-delivery.ts';
import { readEnvironment } from './configuration.ts';
import { hubSpotDeals, policyFrom, s3 } from './qbr-aws.ts';
import { qbrSettings } from './qbr-settings.ts';

const settings = readEnvironment({
  DEALREG_POLICY: qbrSettings.DEALREG_POLICY,
  REPORTS_BUCKET: qbrSettings.REPORTS_BUCKET,
  LEDGER_TABLE: qbrSettings.LEDGER_TABLE,
  REGISTRATIONS_TABLE: qbrSettings.REGISTRATIONS_TABLE,
  LEDGER_DIGEST_BUCKET: qbrSettings.LEDGER_DIGEST_BUCKET,
  HUBSPOT_ACCESS_TOKEN_ARN: qbrSettings.HUBSPOT_ACCESS_TOKEN_ARN,
  HUBSPOT_PORTAL_ID: qbrSettings.HUBSPOT_PORTAL_ID,
  HUBSPOT_BASE_URL: qbrSettings.HUBSPOT_BASE_URL,
  HUBSPOT_REQUESTS_PER_WINDOW: qbrSettings.HUBSPOT_REQUESTS_PER_WINDOW,
});

const dynamodb = new DynamoDBClient({});

export const handler = createQbrReportBuilder({
  report: {
    ledger: new DynamoDbLedgerStore(dynamodb, settings.LEDGER_TABLE),
    digests: new S3DigestStore(s3, settings.LEDGER_DIGEST_BUCKET),
    registrations: new DynamoDbRegistrationHistory(
      DynamoDBDocumentClient.from(dynamodb),
      settings.REGISTRATIONS_TABLE,
    ),
    snapshots: new S3SnapshotStore(s3, settings.REPORTS_BUCKET),
    policy: policyFrom(settings.DEALREG_POLICY),
  },
  deals: hubSpotDeals(settings),
  runs: new S3QbrRunStore(s3, settings.REPORTS_BUCKET),
  reports: new S3ReportStore(s3, settings.REPORTS_BUCKET),
});
