import type { TableDefinition } from './table-definition.ts';

/**
 * What the customer-domain indexes copy of each registration: exactly what the conflict check
 * compares (who registered which customer, and where that registration stands). The raw
 * submission, the details and the workflow's progress stay out, so a progress write that does not
 * change the standing costs no index write, and a query returns a few hundred bytes a row.
 */
export const customerDomainIndexAttributes = ['partnerDomain', 'customerCompanyKey', 'standing'] as const;

/**
 * Every deal-registration submission, keyed by registration id (derived from HubSpot's
 * conversion id, so a redelivered submission lands on the same item). Beside it, keyed by the id
 * followed by `#progress`, is the item the workflow writes at each step: its progress, standing
 * and callback tokens, and copies of the index attributes; keyed by the id followed by `#verdict`,
 * the conflict check's verdict, written once per check (functions/adapters/dynamodb/registration-items.ts).
 * The verdict item has no index attributes, so it has no row in either index. A registration
 * has one row in the customer-domain index while it can hold its customer: its registration
 * item's until the first progress write, then its progress item's; an ended registration
 * (declined, expired, merged) has none (functions/adapters/dynamodb/registration-book.ts).
 * Keyed by a customer domain followed by `#checks`, one small item per customer holds the conflict
 * checks recorded lately for it (functions/domain/conflicts/check-order.ts); it has no row in the
 * index either.
 */
export const registrationsTable: TableDefinition = {
  logicalName: 'Registrations',
  partitionKey: { name: 'registrationId', type: 'S' },
  globalSecondaryIndexes: [
    {
      indexName: 'byCustomerReceipt',
      partitionKey: { name: 'customerDomain', type: 'S' },
      // Ordered and bounded by when Dealreg received each registration: the conflict check reads
      // only the registrations received recently enough to still hold the customer. (Not by the
      // time a submission claims: the partner sets that.)
      sortKey: { name: 'receivedAt', type: 'S' },
      projection: { type: 'INCLUDE', attributes: customerDomainIndexAttributes },
    },
  ],
};
