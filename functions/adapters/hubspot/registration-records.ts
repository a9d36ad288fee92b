import { crmNames, type DealRegistrationRecord, type DealRegistrationRecords } from '#ports/hubspot.ts';
import type { HubSpotConnection } from './connection.ts';
import {
  associateDefault,
  createUnique,
  findByUniqueProperty,
  rememberedUntilFailure,
} from './crm-requests.ts';
import { HubSpotConfigurationError } from './errors.ts';

/**
 * The Deal Registration custom object in HubSpot (created by `dealreg hubspot setup`), keyed by
 * registration id so a repeated write updates the record it made before.
 */
export class HubSpotRegistrationRecords implements DealRegistrationRecords {
  readonly #connection: HubSpotConnection;
  /** The portal's object type id of the Deal Registration object, read once per adapter. */
  readonly #objectType: () => Promise<string>;

  constructor(connection: HubSpotConnection) {
    this.#connection = connection;
    this.#objectType = rememberedUntilFailure(async () => {
      const { client, gateway } = connection;
      const schemas = await gateway.call('read custom object schemas', () =>
        client.crm.schemas.coreApi.getAll(),
      );
      const schema = schemas.results.find((candidate) => candidate.name === crmNames.registrationObject);
      if (schema?.objectTypeId === undefined) {
        throw new HubSpotConfigurationError(
          `the portal has no "${crmNames.registrationObject}" object; run \`dealreg hubspot setup\``,
        );
      }
      return schema.objectTypeId;
    });
  }

  async upsertRegistrationRecord(
    record: DealRegistrationRecord,
  ): Promise<{ recordId: string; created: boolean }> {
    const connection = this.#connection;
    const objectType = await this.#objectType();
    const properties = registrationProperties(record);
    const findRecord = () =>
      findByUniqueProperty(connection, objectType, crmNames.registration.id, record.registrationId);
    const existing = await findRecord();
    let recordId: string;
    let created = false;
    if (existing === null) {
      const made = await createUnique(
        connection,
        objectType,
        'create deal registration record',
        properties,
        findRecord,
      );
      recordId = made.id;
      created = made.created;
    } else {
      recordId = existing.id;
      await connection.gateway.call('update deal registration record', () =>
        connection.client.crm.objects.basicApi.update(objectType, existing.id, { properties }),
      );
    }
    const links: [string, string | undefined][] = [
      ['companies', record.partnerCompanyId],
      ['companies', record.customerCompanyId],
      ['contacts', record.submitterContactId],
      ['deals', record.dealId],
    ];
    for (const [toType, toId] of links) {
      if (toId !== undefined) await associateDefault(connection, objectType, recordId, toType, toId);
    }
    return { recordId, created };
  }
}

function registrationProperties(record: DealRegistrationRecord): Record<string, string> {
  const names = crmNames.registration;
  const properties: Record<string, string> = {
    [names.id]: record.registrationId,
    [names.name]: record.name,
    [names.status]: record.status,
  };
  const optional: [string, string | number | undefined][] = [
    [names.relationship, record.relationship],
    [names.partnerDomain, record.partnerDomain],
    [names.customerDomain, record.customerDomain],
    [names.customerCompanyName, record.customerCompanyName],
    [names.estimatedAmount, record.estimatedAmount],
    [names.currency, record.currency],
    [names.expectedCloseDate, record.expectedCloseDate],
    [names.campaignId, record.campaignId],
    [names.cloudMarketplace, record.cloudMarketplace],
    [names.policyVersion, record.policyVersion],
    [names.expiresOn, record.expiresOn],
  ];
  for (const [name, value] of optional) if (value !== undefined) properties[name] = String(value);
  return properties;
}
