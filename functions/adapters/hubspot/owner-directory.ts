import type { Owner } from '#ports/hubspot.ts';
import type { HubSpotConnection } from './connection.ts';
import { HubSpotNotFoundError } from './errors.ts';

/**
 * HubSpot's owners (the users records are assigned to), read by id once per adapter: an owner
 * HubSpot no longer has is null; a failed read is forgotten, so the next asks again. The owner of
 * a deactivated user is archived, and HubSpot finds it only when asked for archived owners ("CRM
 * API | Owners", Retrieve an owner: `archived` returns only archived results, default false), so
 * an owner not found among the active ones is looked for among those: the deals and activity of a
 * rep who has left still name them.
 */
export class HubSpotOwnerDirectory {
  readonly #connection: HubSpotConnection;
  readonly #owners = new Map<string, Promise<Owner | null>>();

  constructor(connection: HubSpotConnection) {
    this.#connection = connection;
  }

  owner(ownerId: string): Promise<Owner | null> {
    let owner = this.#owners.get(ownerId);
    if (owner === undefined) {
      const { client, gateway } = this.#connection;
      const numeric = Number(ownerId);
      const read = (archived: boolean) =>
        gateway.call(`read ${archived ? 'archived ' : ''}owner ${ownerId}`, () =>
          client.crm.owners.ownersApi.getById(numeric, 'id', archived),
        );
      owner = read(false)
        .catch((error: unknown) => {
          if (error instanceof HubSpotNotFoundError) return read(true);
          throw error;
        })
        .then((found) => ({
          id: found.id,
          email: found.email ?? null,
          firstName: found.firstName ?? null,
          lastName: found.lastName ?? null,
        }))
        .catch((error: unknown) => {
          if (error instanceof HubSpotNotFoundError) return null;
          this.#owners.delete(ownerId);
          throw error;
        });
      this.#owners.set(ownerId, owner);
    }
    return owner;
  }
}
