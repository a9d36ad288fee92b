import * as z from 'zod';

/**
 * How a partner takes part in an opportunity. The policy prices each one, the ledger records it
 * and HubSpot carries it as the label of the partner ↔ deal association.
 */
export const relationshipTypes = ['sourced', 'influenced', 'resell', 'referral'] as const;

export const relationshipTypeSchema = z.enum(relationshipTypes);
export type RelationshipType = z.infer<typeof relationshipTypeSchema>;
