import { describe, expect, it } from 'vitest';
import { missingHubSpotScopes, requiredHubSpotScopes } from '#domain/hubspot-scopes.ts';

/**
 * Calls Dealreg makes with its token, and the scope HubSpot's reference names for each. The
 * sandbox does not refuse a call for a missing scope, so the list is held to the reference here.
 */
const scopeOfCall: ReadonlyArray<readonly [call: string, scope: string, page: string]> = [
  // customer-directory.ts: findOrCreateCustomerCompany (registering an approved deal).
  ['create a customer company', 'crm.objects.companies.write', 'CRM API | Companies'],
  // setup-hubspot-portal.ts: `dealreg_customer_key` on companies.
  ['create a company property', 'crm.schemas.companies.write', 'Create a company property'],
  // deal-directory.ts: the owner of a deal or activity (direct-rep conflicts).
  ['read an owner', 'crm.objects.owners.read', 'CRM API | Owners'],
  // deal-writer.ts, registration-records.ts.
  ['create and update deals', 'crm.objects.deals.write', 'CRM API | Deals'],
  // form-submissions.ts: the backfill.
  ['read form submissions', 'forms', 'Forms API'],
];

describe('the scopes of the HubSpot token', () => {
  it.each(scopeOfCall)('include the scope to %s (%s, "%s")', (_call, scope) => {
    expect(requiredHubSpotScopes).toContain(scope);
  });

  it('names the scopes a token lacks, in the order of the list', () => {
    expect(missingHubSpotScopes(requiredHubSpotScopes.filter((scope) => scope !== 'forms'))).toEqual([
      'forms',
    ]);
  });
});
