import type { TableDefinition } from './table-definition.ts';

/**
 * Every deal-registration submission, keyed by registration id (derived from HubSpot's
 * conversion id, so a redelivered submission lands on the same item).
 */
export const registrationsTable: TableDefinition = {
  logicalName: 'Registrations',
  partitionKey: { name: 'registrationId', type: 'S' },
  globalSecondaryIndexes: [
    {
      indexName: 'byCustomerDomain',
      partitionKey: { name: 'customerDomain', type: 'S' },
      sortKey: { name: 'submittedAt', type: 'S' },
    },
  ],
};
