/**
 * The scopes Dealreg's HubSpot token needs: reading partners, customers, contacts and deal owners,
 * creating customer companies, reading and writing deals and the Deal Registration object,
 * creating that object's schema and the deal and company properties (`dealreg hubspot setup`),
 * and reading form submissions (the backfill). The setup instructions print this list and
 * `dealreg doctor` checks the stored token against it.
 */
export const requiredHubSpotScopes = [
  'crm.objects.companies.read',
  'crm.objects.companies.write',
  'crm.objects.contacts.read',
  'crm.objects.deals.read',
  'crm.objects.deals.write',
  'crm.objects.custom.read',
  'crm.objects.custom.write',
  'crm.objects.owners.read',
  'crm.schemas.companies.write',
  'crm.schemas.custom.read',
  'crm.schemas.custom.write',
  'crm.schemas.deals.read',
  'crm.schemas.deals.write',
  'forms',
] as const;

/** The needed scopes a token lacks, in the order of {@link requiredHubSpotScopes}. */
export function missingHubSpotScopes(granted: readonly string[]): string[] {
  const held = new Set(granted);
  return requiredHubSpotScopes.filter((scope) => !held.has(scope));
}
