import type { TableDefinition } from './table-definition.ts';

/**
 * Approval tasks and their page views. Each approval id holds one `task` item (the task, its
 * decision or supersession) and one `view#…` item per page view, so a link fetched thousands of
 * times by a mail scanner never grows the task item. Only task items carry `registrationId`,
 * which keeps the index to tasks.
 */
export const approvalsTable: TableDefinition = {
  logicalName: 'Approvals',
  partitionKey: { name: 'approvalId', type: 'S' },
  sortKey: { name: 'record', type: 'S' },
  globalSecondaryIndexes: [
    {
      indexName: 'byRegistration',
      partitionKey: { name: 'registrationId', type: 'S' },
      sortKey: { name: 'createdAt', type: 'S' },
    },
  ],
};
