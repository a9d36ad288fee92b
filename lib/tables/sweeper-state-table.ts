import type { TableDefinition } from './table-definition.ts';

/**
 * Where the backfill sweeper stands per HubSpot form: the watermark below which every
 * submission has been taken in, and where an interrupted run resumes. One small item per form.
 * Beside them, under keys no form GUID can take: each HubSpot workflow webhook the intake took as a
 * trigger (`intake-trigger#<sha-256 of the body>`, the body kept whole, at most 256 KiB), when the
 * intake last asked for a sweep (`sweep-request`) and when a sweep last started (`sweep-started`).
 * A stored trigger carries `expiresAt` (30 days after it arrived, epoch seconds) and DynamoDB's
 * time to live deletes it then ("Using time to live (TTL) in DynamoDB": an item whose TTL attribute
 * holds an epoch-seconds number in the past is deleted, typically within a few days); the other
 * items have no `expiresAt` and are kept.
 */
export const sweeperStateTable: TableDefinition = {
  logicalName: 'SweeperState',
  partitionKey: { name: 'formGuid', type: 'S' },
  timeToLiveAttribute: 'expiresAt',
};
