import { approvalsTable } from './approvals-table.ts';
import { ledgerTable } from './ledger-table.ts';
import { registrationsTable } from './registrations-table.ts';
import { sweeperStateTable } from './sweeper-state-table.ts';
import type { TableDefinition } from './table-definition.ts';

export type { IndexDefinition, IndexProjection, KeyDefinition, TableDefinition } from './table-definition.ts';

/** Every table Dealreg owns, in the order they are created locally. */
export const allTables: readonly TableDefinition[] = [
  registrationsTable,
  ledgerTable,
  sweeperStateTable,
  approvalsTable,
];

export { customerDomainIndexAttributes } from './registrations-table.ts';
export { approvalsTable, ledgerTable, registrationsTable, sweeperStateTable };
