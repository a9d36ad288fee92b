/** Lambda entry: "Export the deal ids to read" of the pre-QBR workflow. */
import { DynamoDbLedgerStore } from '#adapters/ledger/dynamodb-ledger-store.ts';
import { S3QbrRunStore } from '#adapters/reports/s3-qbr-run-store.ts';
import { createQbrDealExport } from '#use-cases/qbr-delivery/deal-export.ts';
import { dynamodb } from './wiring/clients/dynamodb.ts';
import { s3 } from './wiring/clients/s3.ts';
import { readEnvironment, requiredSetting } from './wiring/configuration.ts';

const settings = readEnvironment({ LEDGER_TABLE: requiredSetting, REPORTS_BUCKET: requiredSetting });

export const handler = createQbrDealExport({
  ledger: new DynamoDbLedgerStore(dynamodb, settings.LEDGER_TABLE),
  runs: new S3QbrRunStore(s3, settings.REPORTS_BUCKET),
});
