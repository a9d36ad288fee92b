import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import {
  type ExtensionRegistration,
  type ExtensionRequest,
  extensionOfferSchema,
  extensionRequestSchema,
} from '#domain/extension-requests/extension-offer.ts';
import { registrationDetailsSchema } from '#domain/registration.ts';
import { registrationProgressSchema } from '#domain/registration-progress.ts';
import { type Access, accessSchema } from '#domain/signed-links/access.ts';
import { storedRegistrationSchema } from '#domain/stored-registration.ts';
import type { ExtensionRequestStore, RecordRequestResult } from '#ports/extension-requests.ts';
import { type ItemKind, parseItem } from './parse-item.ts';
import { getRegistrationItems, mergeProgressItem, progressItemKey } from './registration-items.ts';
import { DynamoDbTableStore } from './table-store.ts';

/**
 * The attributes of a registration item the extension pages read; the rest is ignored. Only a
 * valid registration (one with its details) can be extended.
 */
const extensionItemSchema = storedRegistrationSchema.pick({ registrationId: true }).extend({
  details: registrationDetailsSchema,
  progress: registrationProgressSchema.pick({ partnerName: true, expiresAt: true }).optional(),
  extensionOffer: extensionOfferSchema.optional(),
  extensionCallbackToken: z.string().min(1).optional(),
  extensionRequest: extensionRequestSchema.optional(),
  extensionRequestHandedOverAt: z.string().optional(),
});

const extensionItem: ItemKind<typeof extensionItemSchema> = {
  schema: extensionItemSchema,
  what: 'a registration the extension page can show',
  key: ['registrationId'],
};

function toRegistration(item: Record<string, unknown>, tableName: string): ExtensionRegistration {
  const data = parseItem(extensionItem, tableName, item);
  return {
    registrationId: data.registrationId,
    details: data.details,
    partnerName: data.progress?.partnerName,
    expiresAt: data.progress?.expiresAt,
    offer: data.extensionOffer,
    callbackToken: data.extensionCallbackToken,
    request: data.extensionRequest,
    handedOverAt: data.extensionRequestHandedOverAt,
  };
}

/**
 * The extension offer and request on the registration's progress item (registrations table; inline
 * on the registration item for a registration stored before it had one). The workflow
 * writes `extensionOffer` and `extensionCallbackToken`; this store writes `extensionRequest`
 * once, with `extensionRequestAccess` (user agent, source IP) beside it, and
 * `extensionRequestHandedOverAt` after the workflow was resumed.
 */
export class DynamoDbExtensionRequestStore extends DynamoDbTableStore implements ExtensionRequestStore {
  async get(registrationId: string): Promise<ExtensionRegistration | undefined> {
    const { registration, progress, verdict } = await getRegistrationItems(
      this.client,
      this.tableName,
      registrationId,
    );
    return registration === undefined
      ? undefined
      : toRegistration(mergeProgressItem(registration, progress, verdict), this.tableName);
  }

  /**
   * One conditional update: the item has no request yet and still holds the very offer checked
   * here (its `expiresAt` unchanged) — that makes the request once-only even when two arrive
   * together. The offer must run until after the request: checked here on instants, and in the
   * condition too when the workflow wrote the expiry in the canonical UTC form, which compares
   * correctly as a string.
   */
  async recordRequest(
    registrationId: string,
    request: ExtensionRequest,
    access: Access,
  ): Promise<RecordRequestResult> {
    const checkedRequest = extensionRequestSchema.parse(request);
    const checkedAccess = accessSchema.parse(access);
    const items = await getRegistrationItems(this.client, this.tableName, registrationId);
    const current =
      items.registration === undefined
        ? undefined
        : toRegistration(
            mergeProgressItem(items.registration, items.progress, items.verdict),
            this.tableName,
          );
    if (current?.offer === undefined) return { recorded: false, reason: 'no-offer', registration: current };
    if (current.request !== undefined) {
      return { recorded: false, reason: 'already-requested', registration: current };
    }
    const offerExpiresAt = current.offer.expiresAt;
    if (Date.parse(checkedRequest.requestedAt) >= Date.parse(offerExpiresAt)) {
      return { recorded: false, reason: 'offer-expired', registration: current };
    }
    const canonical = new Date(offerExpiresAt).toISOString() === offerExpiresAt;
    // The offer is on the progress item, or inline on a registration stored before it had one.
    const onProgressItem = items.progress !== undefined;
    const result = await this.conditionalUpdate({
      Key: onProgressItem ? progressItemKey(registrationId) : { registrationId },
      // A hand-over mark left by the request of an earlier offer does not count for this one.
      UpdateExpression:
        'SET extensionRequest = :request, extensionRequestAccess = :access REMOVE extensionRequestHandedOverAt',
      ConditionExpression:
        'attribute_exists(registrationId) AND attribute_not_exists(extensionRequest) AND ' +
        'extensionOffer.expiresAt = :offerExpiresAt' +
        (canonical ? ' AND extensionOffer.expiresAt > :requestedAt' : ''),
      ExpressionAttributeValues: {
        ':request': checkedRequest,
        ':access': checkedAccess,
        ':offerExpiresAt': offerExpiresAt,
        ...(canonical ? { ':requestedAt': new Date(checkedRequest.requestedAt).toISOString() } : {}),
      },
    });
    const asRegistration = (item: Record<string, unknown>): ExtensionRegistration =>
      toRegistration(
        onProgressItem && items.registration !== undefined
          ? mergeProgressItem(items.registration, item, items.verdict)
          : item,
        this.tableName,
      );
    if (result.applied) return { recorded: true, registration: asRegistration(result.item) };
    const stored = result.item === undefined ? undefined : asRegistration(result.item);
    if (stored?.request !== undefined) {
      return { recorded: false, reason: 'already-requested', registration: stored };
    }
    if (stored?.offer === undefined) return { recorded: false, reason: 'no-offer', registration: stored };
    const expired = Date.parse(checkedRequest.requestedAt) >= Date.parse(stored.offer.expiresAt);
    return { recorded: false, reason: expired ? 'offer-expired' : 'offer-replaced', registration: stored };
  }

  async recordHandedOver(registrationId: string, at: Date): Promise<void> {
    const { progress } = await getRegistrationItems(this.client, this.tableName, registrationId);
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: progress?.extensionRequest !== undefined ? progressItemKey(registrationId) : { registrationId },
        UpdateExpression: 'SET extensionRequestHandedOverAt = :at',
        ConditionExpression: 'attribute_exists(extensionRequest)',
        ExpressionAttributeValues: { ':at': at.toISOString() },
      }),
    );
  }
}
