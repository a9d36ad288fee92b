import {
  type Engagement,
  type EngagementHistory,
  type EngagementType,
  type EngagementWithOwner,
  engagementTypes,
  type TimeWindow,
} from '#ports/hubspot.ts';
import type { HubSpotConnection } from './connection.ts';
import { associatedIds, batchRead, type CrmObject, propertyText } from './crm-requests.ts';
import { HubSpotOwnerDirectory } from './owner-directory.ts';

/** Calls, emails, meetings, notes and tasks associated with a company in HubSpot. */
export class HubSpotEngagementHistory implements EngagementHistory {
  readonly #connection: HubSpotConnection;
  readonly #owners: HubSpotOwnerDirectory;

  constructor(connection: HubSpotConnection, owners = new HubSpotOwnerDirectory(connection)) {
    this.#connection = connection;
    this.#owners = owners;
  }

  async engagementsWithCompany(
    companyId: string,
    window: TimeWindow,
    ownerIds?: readonly string[],
  ): Promise<EngagementWithOwner[]> {
    const owners = ownerIds === undefined ? undefined : new Set(ownerIds);
    const perType = await Promise.all(
      engagementTypes.map(async (type) => {
        const ids = await associatedIds(this.#connection, 'companies', companyId, type);
        const objects = await batchRead(this.#connection, type, `read ${type}`, ids, [
          'hs_timestamp',
          'hubspot_owner_id',
        ]);
        return objects.map((object) => toEngagement(type, object));
      }),
    );
    const inWindow = perType
      .flat()
      .filter(
        (engagement) =>
          engagement.occurredAt >= window.from &&
          engagement.occurredAt < window.to &&
          (owners === undefined || (engagement.ownerId !== null && owners.has(engagement.ownerId))),
      )
      .sort((a, b) => a.occurredAt - b.occurredAt);
    return Promise.all(
      inWindow.map(async (engagement) => ({
        ...engagement,
        owner: engagement.ownerId === null ? null : await this.#owners.owner(engagement.ownerId),
      })),
    );
  }
}

function toEngagement(type: EngagementType, object: CrmObject): Engagement {
  const timestamp = propertyText(object.properties, 'hs_timestamp');
  const asNumber = Number(timestamp);
  const occurredAt =
    timestamp === null ? Number.NaN : Number.isNaN(asNumber) ? Date.parse(timestamp) : asNumber;
  return { id: object.id, type, occurredAt, ownerId: propertyText(object.properties, 'hubspot_owner_id') };
}
