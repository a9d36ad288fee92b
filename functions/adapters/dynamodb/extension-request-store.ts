import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import {
  type ExtensionRegistration,
  type ExtensionRequest,
  extensionOfferSchema,
  extensionRequestSchema,
} from '#domain/extension-requests/extension-offer.ts';
import type { RegistrationDetails } from '#domain/registration.ts';
import { type Access, accessSchema } from '#domain/signed-links/access.ts';
import type { ExtensionRequestStore, RecordRequestResult } from '#ports/extension-requests.ts';
import { DynamoDbTableStore, parseItem } from './table-store.ts';

/** The attributes of a registration item the extension pages read; the rest is ignored. */
const itemSchema = z.object({
  registrationId: z.string().min(1),
  details: z.custom<RegistrationDetails>(
    (value) =>
      typeof value === 'object' &&
      value !== null &&
      typeof (value as Record<string, unknown>).customerCompanyName === 'string' &&
      typeof (value as Record<string, unknown>).partnerDomain === 'string',
    'is missing: only a valid registration can be extended',
  ),
  progress: z.object({ partnerName: z.string().optional(), expiresAt: z.string().optional() }).optional(),
  extensionOffer: extensionOfferSchema.optional(),
  extensionCallbackToken: z.string().min(1).optional(),
  extensionRequest: extensionRequestSchema.optional(),
  extensionRequestHandedOverAt: z.string().optional(),
});

function toRegistration(item: Record<string, unknown>): ExtensionRegistration {
  const data = parseItem(
    itemSchema,
    item,
    `the extension offer of registration ${String(item.registrationId)}`,
  );
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
 * The extension offer and request on the registration item (registrations table). The workflow
 * writes `extensionOffer` and `extensionCallbackToken`; this store writes `extensionRequest`
 * once, with `extensionRequestAccess` (user agent, source IP) beside it, and
 * `extensionRequestHandedOverAt` after the workflow was resumed.
 */
export class DynamoDbExtensionRequestStore extends DynamoDbTableStore implements ExtensionRequestStore {
  async get(registrationId: string): Promise<ExtensionRegistration | undefined> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { registrationId }, ConsistentRead: true }),
    );
    return result.Item === undefined ? undefined : toRegistration(result.Item);
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
    const current = await this.get(registrationId);
    if (current?.offer === undefined) return { recorded: false, reason: 'no-offer', registration: current };
    if (current.request !== undefined) {
      return { recorded: false, reason: 'already-requested', registration: current };
    }
    const offerExpiresAt = current.offer.expiresAt;
    if (Date.parse(checkedRequest.requestedAt) >= Date.parse(offerExpiresAt)) {
      return { recorded: false, reason: 'offer-expired', registration: current };
    }
    const canonical = new Date(offerExpiresAt).toISOString() === offerExpiresAt;
    const result = await this.conditionalUpdate({
      Key: { registrationId },
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
    if (result.applied) return { recorded: true, registration: toRegistration(result.item) };
    const stored = result.item === undefined ? undefined : toRegistration(result.item);
    if (stored?.request !== undefined) {
      return { recorded: false, reason: 'already-requested', registration: stored };
    }
    if (stored?.offer === undefined) return { recorded: false, reason: 'no-offer', registration: stored };
    const expired = Date.parse(checkedRequest.requestedAt) >= Date.parse(stored.offer.expiresAt);
    return { recorded: false, reason: expired ? 'offer-expired' : 'offer-replaced', registration: stored };
  }

  async recordHandedOver(registrationId: string, at: Date): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { registrationId },
        UpdateExpression: 'SET extensionRequestHandedOverAt = :at',
        ConditionExpression: 'attribute_exists(extensionRequest)',
        ExpressionAttributeValues: { ':at': at.toISOString() },
      }),
    );
  }
}
