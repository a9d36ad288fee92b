import * as z from 'zod';

/**
 * The registration fields Dealreg understands. Each is read from a HubSpot form field whose
 * name the portal chooses; the mapping below says which form field feeds which registration
 * field.
 */
export const registrationFieldNames = [
  'submitterEmail',
  'partnerDomain',
  'customerCompanyName',
  'customerDomain',
  'customerCountry',
  'estimatedAmount',
  'currency',
  'expectedCloseDate',
  'products',
  'campaignId',
  'cloudMarketplace',
  'dealDescription',
] as const;

export type RegistrationFieldName = (typeof registrationFieldNames)[number];

/** The default mapping: the field names of the deal-registration form `dealreg hubspot setup` describes. */
export const defaultFormFieldMapping: Readonly<Record<RegistrationFieldName, string>> = {
  submitterEmail: 'email',
  partnerDomain: 'partner_company_domain',
  customerCompanyName: 'customer_company_name',
  customerDomain: 'customer_domain',
  customerCountry: 'customer_country',
  estimatedAmount: 'estimated_amount',
  currency: 'currency',
  expectedCloseDate: 'expected_close_date',
  products: 'products',
  campaignId: 'campaign_id',
  cloudMarketplace: 'cloud_marketplace',
  dealDescription: 'deal_description',
};

const formFieldName = z
  .string()
  .trim()
  .min(1, 'a form field name cannot be empty')
  .max(100, 'a form field name is at most 100 characters');

/**
 * A partial mapping as written in configuration: fields left out keep their default form field
 * name. Two registration fields may not read the same form field.
 */
export const formFieldMappingSchema = z
  .object(
    Object.fromEntries(registrationFieldNames.map((name) => [name, formFieldName.optional()])) as {
      [K in RegistrationFieldName]: z.ZodOptional<typeof formFieldName>;
    },
  )
  .strict()
  .transform((partial, context) => {
    const mapping = { ...defaultFormFieldMapping } as Record<RegistrationFieldName, string>;
    for (const name of registrationFieldNames) {
      const value = partial[name];
      if (value !== undefined) mapping[name] = value;
    }
    const seen = new Map<string, RegistrationFieldName>();
    for (const name of registrationFieldNames) {
      const other = seen.get(mapping[name]);
      if (other !== undefined) {
        context.addIssue({
          code: 'custom',
          path: [name],
          message: `form field "${mapping[name]}" is already mapped to ${other}`,
        });
      }
      seen.set(mapping[name], name);
    }
    return mapping as Readonly<Record<RegistrationFieldName, string>>;
  });

export type FormFieldMapping = z.output<typeof formFieldMappingSchema>;
