import * as z from 'zod';

/**
 * How a partner takes part in an opportunity. The policy prices each one, the ledger records it
 * and HubSpot carries it as the label of the partner ↔ deal association.
 */
export const relationshipTypes = ['sourced', 'influenced', 'resell', 'referral'] as const;

export const relationshipTypeSchema = z.enum(relationshipTypes);
export type RelationshipType = z.infer<typeof relationshipTypeSchema>;

/**
 * How people read each type: the labels of the default policy (`relationshipTypes.<type>.label`),
 * which the emails show. Pages and messages with no policy at hand show these, never the code.
 */
export const relationshipTypeLabels: Readonly<Record<RelationshipType, string>> = {
  sourced: 'Partner-sourced',
  influenced: 'Partner-influenced',
  resell: 'Resell',
  referral: 'Referral',
};
