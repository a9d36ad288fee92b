import type { TableDefinition } from './table-definition.ts';

/**
 * Where the backfill sweeper stands per HubSpot form: the watermark below which every
 * submission has been taken in, and where an interrupted run resumes. One small item per form.
 */
export const sweeperStateTable: TableDefinition = {
  logicalName: 'SweeperState',
  partitionKey: { name: 'formGuid', type: 'S' },
};
