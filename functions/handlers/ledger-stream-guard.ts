/** Lambda entry point of the ledger table's stream consumer (the tampering alarm's metrics). */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { KmsLedgerKey } from '#adapters/ledger/kms-ledger-key.ts';
import { ledgerGuardMetrics } from '#domain/ledger/guard-metrics.ts';
import { createLedgerStreamGuardHandler } from './ledger-stream-guard-handler.ts';
import { kms } from './wiring/clients/kms.ts';
import { requiredVariable } from './wiring/configuration-error.ts';

// One setting: read without the schema library and policy `readEnvironment` brings into a bundle.
const ledgerMacKey = requiredVariable('LEDGER_MAC_KEY');

export const handler = createLedgerStreamGuardHandler({
  logger: new Logger(),
  metrics: new Metrics({ namespace: ledgerGuardMetrics.namespace }),
  ledgerKey: new KmsLedgerKey(kms, ledgerMacKey),
});
