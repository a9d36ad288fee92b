import type { TableDefinition } from './table-definition.ts';

/**
 * What the customer-domain index copies of each registration: exactly what the conflict check
 * compares (who registered which customer, and where that registration stands). The raw
 * submission, the details and the workflow's progress stay out, so a progress write that does not
 * change the standing costs no index write, and a query returns a few hundred bytes a row.
 */
export const customerDomainIndexAttributes = ['partnerDomain', 'customerCompanyKey', 'standing'] as const;

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
      // Ordered and bounded by submission time: the conflict check reads only the registrations
      // submitted recently enough to still hold the customer.
      sortKey: { name: 'submittedAt', type: 'S' },
      projection: { type: 'INCLUDE', attributes: customerDomainIndexAttributes },
    },
  ],
};
