/** Lambda entry point of the ledger table's stream consumer (the tampering alarm's metric). */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createLedgerStreamGuardHandler } from './ledger-stream-guard-handler.ts';

export const handler = createLedgerStreamGuardHandler({
  logger: new Logger(),
  metrics: new Metrics({ namespace: 'Dealreg' }),
});
