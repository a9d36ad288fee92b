import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';

/**
 * A registration is stored as up to three items of the registrations table:
 * - the registration item (key: the registration id): the raw submission, the details and what
 *   intake records, written once and rarely after;
 * - its progress item (key: the registration id + `#progress`): the workflow's progress, the
 *   standing, and the attributes the workflow and the pages beside it keep (callback tokens, the
 *   extension offer and request, the information request). Each workflow step writes this small
 *   item only, so a step costs the write units of its progress, not of the whole registration;
 * - its verdict item (key: the registration id + `#verdict`): the conflict check's verdict (and the
 *   verdict under the claimed submission time), written by the check and then only read.
 *
 * DynamoDB charges an update for the larger of the item's size before and after it, in 1 KB
 * steps ("Read/write capacity mode", write request units; "Item sizes and formats"), so every
 * write of a progress item that carries the verdict with its evidence and the decision costs two
 * units or more. The progress item therefore holds only what the steps change: no verdict, and not
 * the attributes its `standing` already holds (status, partner, approval and expiry), which are
 * read back from the standing.
 *
 * The progress item also carries the customer-domain index's attributes (customer and partner
 * domain, company key, received time), so where the registration stands is in the index as soon as
 * it changes. Registrations stored before the split keep their progress on the registration item;
 * they are read and written there until they end.
 *
 * Beside the registrations, the table holds one small item per customer domain (key: the domain
 * + `#checks`): the conflict checks recorded lately for it (`check-order.ts`). It has no
 * registration and no row in the customer-domain index.
 */
export const progressItemSuffix = '#progress';

/** The key suffix of a registration's verdict item. */
export const verdictItemSuffix = '#verdict';

/** The key suffix of a customer domain's recent-checks item. */
export const customerChecksItemSuffix = '#checks';

/** The key of a customer domain's recent-checks item. */
export function customerChecksItemKey(customerDomain: string): { registrationId: string } {
  return { registrationId: `${customerDomain}${customerChecksItemSuffix}` };
}

/** True for a customer domain's recent-checks item (the key ends in `#checks`). */
export function isCustomerChecksItem(item: Record<string, unknown>): boolean {
  return String(item.registrationId).endsWith(customerChecksItemSuffix);
}

/** The progress attributes kept once, in the progress item's `standing` (see `standingOf`). */
export const standingAttributes = ['status', 'partnerId', 'partnerName', 'approvedAt', 'expiresAt'] as const;

/** The progress attributes kept in the verdict item. */
export const verdictAttributes = ['verdict', 'verdictUnderClaim'] as const;

/** The attributes the progress item copies from the registration item for the customer-domain index. */
export const indexCopies = ['customerDomain', 'receivedAt', 'partnerDomain', 'customerCompanyKey'] as const;

/** The key of a registration's progress item. */
export function progressItemKey(registrationId: string): { registrationId: string } {
  return { registrationId: `${registrationId}${progressItemSuffix}` };
}

/** The key of a registration's verdict item. */
export function verdictItemKey(registrationId: string): { registrationId: string } {
  return { registrationId: `${registrationId}${verdictItemSuffix}` };
}

/** True for a progress item (the key ends in `#progress`). */
export function isProgressItem(item: Record<string, unknown>): boolean {
  return String(item.registrationId).endsWith(progressItemSuffix);
}

/** True for a verdict item (the key ends in `#verdict`). */
export function isVerdictItem(item: Record<string, unknown>): boolean {
  return String(item.registrationId).endsWith(verdictItemSuffix);
}

/** The registration id an item belongs to, whichever of its items it is. */
export function registrationIdOf(item: Record<string, unknown>): string {
  const id = String(item.registrationId);
  for (const suffix of [progressItemSuffix, verdictItemSuffix])
    if (id.endsWith(suffix)) return id.slice(0, -suffix.length);
  return id;
}

/**
 * The progress as a progress item stores it: without the verdict (it has an item of its own) and
 * without what the standing beside it holds.
 */
export function storedProgressOf(progress: Record<string, unknown>): Record<string, unknown> {
  const stored = { ...progress };
  for (const attribute of [...standingAttributes, ...verdictAttributes]) delete stored[attribute];
  return stored;
}

/**
 * The registration as one record: the registration item with the progress item's attributes over
 * it (the key and the index copies stay the registration item's), the progress completed from the
 * standing, and the verdict item's verdict in the progress. Progress items stored before the
 * verdict had an item of its own hold it inline; a verdict item, when there is one, comes first.
 */
export function mergeProgressItem(
  registration: Record<string, unknown>,
  progressItem: Record<string, unknown> | undefined,
  verdictItem?: Record<string, unknown>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...registration };
  for (const [attribute, value] of Object.entries(progressItem ?? {})) {
    if (attribute === 'registrationId' || (indexCopies as readonly string[]).includes(attribute)) continue;
    merged[attribute] = value;
  }
  const progress = asRecord(merged.progress);
  if (progress === undefined) return merged;
  const completed: Record<string, unknown> = { ...progress };
  const standing = progressItem === undefined ? undefined : asRecord(progressItem.standing);
  for (const attribute of standingAttributes)
    if (completed[attribute] === undefined && standing?.[attribute] !== undefined)
      completed[attribute] = standing[attribute];
  if (verdictItem !== undefined) {
    for (const attribute of verdictAttributes) {
      if (verdictItem[attribute] === undefined) delete completed[attribute];
      else completed[attribute] = verdictItem[attribute];
    }
    // The check writes only the verdict item: the later of the two times is the progress's.
    const checkedAt = verdictItem.updatedAt;
    if (typeof checkedAt === 'string' && !(String(completed.updatedAt) > checkedAt))
      completed.updatedAt = checkedAt;
  }
  merged.progress = completed;
  return merged;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

/**
 * Items of a scan (any order, any segment) as registrations: each registration item with its
 * progress and verdict items merged in. A progress or verdict item whose registration item is not
 * among them is left out.
 */
export function mergeScannedItems(items: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  const progressItems = new Map<string, Record<string, unknown>>();
  const verdictItems = new Map<string, Record<string, unknown>>();
  for (const item of items) {
    if (isProgressItem(item)) progressItems.set(registrationIdOf(item), item);
    if (isVerdictItem(item)) verdictItems.set(registrationIdOf(item), item);
  }
  return items
    .filter((item) => !isProgressItem(item) && !isVerdictItem(item) && !isCustomerChecksItem(item))
    .map((item) => {
      const id = String(item.registrationId);
      return mergeProgressItem(item, progressItems.get(id), verdictItems.get(id));
    });
}

/**
 * The items of a registration, read at once. The progress and verdict items are read
 * consistently: a step reads what the step before it wrote. The registration item is written by
 * intake and, when the workflow starts, given the execution's name; nothing the steps read
 * changes after that, so an eventually consistent read (half the read units, "Read consistency")
 * is enough. It is read again consistently when it was not found (intake may have written it
 * just now) or when it holds the progress inline (stored before the progress had an item of its
 * own, it is then written at every step). `withVerdict: false` leaves the verdict item unread (a
 * verdict stored inline, by an earlier version, still comes with the progress).
 */
export async function getRegistrationItems(
  client: DynamoDBDocumentClient,
  tableName: string,
  registrationId: string,
  options: { readonly withVerdict?: boolean } = {},
): Promise<{
  registration: Record<string, unknown> | undefined;
  progress: Record<string, unknown> | undefined;
  verdict: Record<string, unknown> | undefined;
}> {
  const read = async (Key: { registrationId: string }, ConsistentRead: boolean) =>
    (await client.send(new GetCommand({ TableName: tableName, Key, ConsistentRead })))?.Item;
  const [eventual, progress, verdict] = await Promise.all([
    read({ registrationId }, false),
    read(progressItemKey(registrationId), true),
    options.withVerdict === false ? undefined : read(verdictItemKey(registrationId), true),
  ]);
  const registration =
    eventual === undefined || eventual.progress !== undefined
      ? await read({ registrationId }, true)
      : eventual;
  return { registration, progress, verdict };
}
