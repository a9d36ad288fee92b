import type { TableDefinition } from './table-definition.ts';

/**
 * The attribution ledger: one hash chain per opportunity, one item per entry, keyed by
 * opportunity id and sequence number. Items are only ever inserted (conditional PutItem on a
 * free sequence). Sparse indexes answer "by partner", "by campaign", "by month of business
 * time" (fiscal quarters are three months), "by investment id" (so an investment id is recorded
 * once across every chain) and list chains from their first entries.
 */
export const ledgerTable: TableDefinition = {
  logicalName: 'Ledger',
  partitionKey: { name: 'opportunityId', type: 'S' },
  sortKey: { name: 'sequence', type: 'N' },
  globalSecondaryIndexes: [
    {
      indexName: 'byPartner',
      partitionKey: { name: 'partnerId', type: 'S' },
      sortKey: { name: 'effectiveAt', type: 'S' },
    },
    {
      indexName: 'byCampaign',
      partitionKey: { name: 'campaignId', type: 'S' },
      sortKey: { name: 'effectiveAt', type: 'S' },
    },
    {
      indexName: 'byEffectiveMonth',
      partitionKey: { name: 'effectiveMonth', type: 'S' },
      sortKey: { name: 'effectiveAt', type: 'S' },
    },
    {
      indexName: 'byInvestment',
      partitionKey: { name: 'investmentId', type: 'S' },
      sortKey: { name: 'effectiveAt', type: 'S' },
    },
    {
      indexName: 'chains',
      partitionKey: { name: 'chainStart', type: 'S' },
      sortKey: { name: 'opportunityId', type: 'S' },
    },
  ],
  stream: 'NEW_AND_OLD_IMAGES',
};
