import { randomUUID } from 'node:crypto';
import type { FormSubmission } from '#domain/form-submission.ts';

/** The default form's field values for a clean registration; override any of them. */
export function registrationValues(
  overrides: Record<string, string | undefined> = {},
): { name: string; value: string }[] {
  const values: Record<string, string | undefined> = {
    email: 'pat.partner@northwind-partners.com',
    partner_company_domain: 'northwind-partners.com',
    customer_company_name: 'Contoso Ltd.',
    customer_domain: 'www.contoso.com',
    customer_country: 'us',
    estimated_amount: '120,000.50',
    currency: 'USD',
    expected_close_date: '2027-03-31',
    products: 'Platform;Analytics',
    campaign_id: 'cmp-aws-q1',
    cloud_marketplace: 'aws',
    deal_description: 'Migration of the data platform',
    ...overrides,
  };
  return Object.entries(values)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => ({ name, value }));
}

/** A form submission in the shape HubSpot posts and lists. */
export function formSubmission(
  overrides: Partial<FormSubmission> & { fields?: Record<string, string | undefined> } = {},
): FormSubmission {
  const { fields, ...rest } = overrides;
  return {
    conversionId: randomUUID(),
    submittedAt: Date.parse('2026-11-24T09:00:00Z'),
    formGuid: 'f1a2b3c4-0000-4000-8000-00000000dea1',
    portalId: 1234567,
    values: registrationValues(fields),
    ...rest,
  };
}
