import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';

/**
 * A registration is stored as two items of the registrations table:
 * - the registration item (key: the registration id): the raw submission, the details and what
 *   intake records, written once and rarely after;
 * - its progress item (key: the registration id + `#progress`): the workflow's progress, the
 *   standing, and the attributes the workflow and the pages beside it keep (callback tokens, the
 *   extension offer and request, the information request). Each workflow step writes this small
 *   item only, so a step costs the write units of its progress, not of the whole registration.
 *
 * The progress item also carries the customer-domain index's attributes (customer and partner
 * domain, company key, received time), so where the registration stands is in the index as soon as
 * it changes. Registrations stored before the split keep their progress on the registration item;
 * they are read and written there until they end.
 */
export const progressItemSuffix = '#progress';

/** The attributes the progress item copies from the registration item for the customer-domain index. */
export const indexCopies = ['customerDomain', 'receivedAt', 'partnerDomain', 'customerCompanyKey'] as const;

/** The key of a registration's progress item. */
export function progressItemKey(registrationId: string): { registrationId: string } {
  return { registrationId: `${registrationId}${progressItemSuffix}` };
}

/** True for a progress item (the key ends in `#progress`). */
export function isProgressItem(item: Record<string, unknown>): boolean {
  return String(item.registrationId).endsWith(progressItemSuffix);
}

/** The registration id an item belongs to, whichever of the two items it is. */
export function registrationIdOf(item: Record<string, unknown>): string {
  const id = String(item.registrationId);
  return id.endsWith(progressItemSuffix) ? id.slice(0, -progressItemSuffix.length) : id;
}

/**
 * The registration as one record: the registration item with the progress item's attributes over
 * it (the key and the index copies stay the registration item's).
 */
export function mergeProgressItem(
  registration: Record<string, unknown>,
  progressItem: Record<string, unknown> | undefined,
): Record<string, unknown> {
  if (progressItem === undefined) return registration;
  const merged: Record<string, unknown> = { ...registration };
  for (const [attribute, value] of Object.entries(progressItem)) {
    if (attribute === 'registrationId' || (indexCopies as readonly string[]).includes(attribute)) continue;
    merged[attribute] = value;
  }
  return merged;
}

/**
 * Items of a scan (any order, any segment) as registrations: each registration item with its
 * progress item merged in. A progress item whose registration item is not among them is left out.
 */
export function mergeScannedItems(items: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  const progressItems = new Map<string, Record<string, unknown>>();
  for (const item of items) if (isProgressItem(item)) progressItems.set(registrationIdOf(item), item);
  return items
    .filter((item) => !isProgressItem(item))
    .map((item) => mergeProgressItem(item, progressItems.get(String(item.registrationId))));
}

/** Both items of a registration, read consistently and at once. */
export async function getRegistrationItems(
  client: DynamoDBDocumentClient,
  tableName: string,
  registrationId: string,
): Promise<{
  registration: Record<string, unknown> | undefined;
  progress: Record<string, unknown> | undefined;
}> {
  const [registration, progress] = await Promise.all(
    [{ registrationId }, progressItemKey(registrationId)].map((Key) =>
      client.send(new GetCommand({ TableName: tableName, Key, ConsistentRead: true })),
    ),
  );
  return { registration: registration?.Item, progress: progress?.Item };
}
