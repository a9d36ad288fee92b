import type { Company } from '#ports/hubspot.ts';
import { type CrmObject, propertyText } from './crm-requests.ts';

/** The company properties the directories read. */
export const companyProperties = ['name', 'domain', 'type'];

/** A CRM company as the ports' {@link Company}. */
export function toCompany(object: CrmObject): Company {
  return {
    id: object.id,
    name: propertyText(object.properties, 'name'),
    domain: propertyText(object.properties, 'domain'),
    type: propertyText(object.properties, 'type'),
  };
}
