/** Lambda entry: "Export the deal ids to read" of the pre-QBR workflow. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbLedgerStore } from '#adapters/ledger/dynamodb-ledger-store.ts';
import { S3QbrRunStore } from '#adapters/reports/s3-qbr-run-store.ts';
import { createQbrDealExport } from '#use-cases/qbr-delivery.ts';
import { readEnvironment } from './configuration.ts';
import { s3 } from './qbr-aws.ts';
import { qbrSettings } from './qbr-settings.ts';

const settings = readEnvironment({
  LEDGER_TABLE: qbrSettings.LEDGER_TABLE,
  REPORTS_BUCKET: qbrSettings.REPORTS_BUCKET,
});

export const handler = createQbrDealExport({
  ledger: new DynamoDbLedgerStore(new DynamoDBClient({}), settings.LEDGER_TABLE),
  runs: new S3QbrRunStore(s3, settings.REPORTS_BUCKET),
});
