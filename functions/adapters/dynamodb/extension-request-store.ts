import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { z } from 'zod';
import { type Access, accessSchema } from '#domain/approvals/approval-task.ts';
import { CorruptExtensionOfferError } from '#domain/extension-requests/errors.ts';
import {
  type ExtensionRegistration,
  type ExtensionRequest,
  extensionOfferSchema,
  extensionRequestSchema,
} from '#domain/extension-requests/extension-offer.ts';
import type { RegistrationDetails } from '#domain/registration.ts';
import type { ExtensionRequestStore, RecordRequestResult } from '#ports/extension-requests.ts';

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
  const parsed = itemSchema.safeParse(item);
  if (!parsed.success) {
    throw new CorruptExtensionOfferError(
      String(item.registrationId),
      parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
      { cause: parsed.error },
    );
  }
  const data = parsed.data;
  return {
    registrationId: data.registrationId,
    details: data.details,
    ...(data.progress?.partnerName === undefined ? {} : { partnerName: data.progress.partnerName }),
    ...(data.progress?.expiresAt === undefined ? {} : { expiresAt: data.progress.expiresAt }),
    ...(data.extensionOffer === undefined ? {} : { offer: data.extensionOffer }),
    ...(data.extensionCallbackToken === undefined ? {} : { callbackToken: data.extensionCallbackToken }),
    ...(data.extensionRequest === undefined ? {} : { request: data.extensionRequest }),
    ...(data.extensionRequestHandedOverAt === undefined
      ? {}
      : { handedOverAt: data.extensionRequestHandedOverAt }),
  };
}

/**
 * The extension offer and request on the registration item (registrations table). The workflow
 * writes `extensionOffer` and `extensionCallbackToken`; this store writes `extensionRequest`
 * once, with `extensionRequestAccess` (user agent, source IP) beside it, and
 * `extensionRequestHandedOverAt` after the workflow was resumed.
 */
export class DynamoDbExtensionRequestStore implements ExtensionRequestStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.#client = client;
    this.#tableName = tableName;
  }

  async get(registrationId: string): Promise<ExtensionRegistration | undefined> {
    const result = await this.#client.send(
      new GetCommand({ TableName: this.#tableName, Key: { registrationId }, ConsistentRead: true }),
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
    try {
      const result = await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
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
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      if (result.Attributes === undefined) throw new Error(`registration ${registrationId} returned no item`);
      return { recorded: true, registration: toRegistration(result.Attributes) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const stored = error.Item === undefined ? undefined : toRegistration(unmarshall(error.Item));
      if (stored?.request !== undefined) {
        return { recorded: false, reason: 'already-requested', registration: stored };
      }
      if (stored?.offer === undefined) return { recorded: false, reason: 'no-offer', registration: stored };
      const expired = Date.parse(checkedRequest.requestedAt) >= Date.parse(stored.offer.expiresAt);
      return { recorded: false, reason: expired ? 'offer-expired' : 'offer-replaced', registration: stored };
    }
  }

  async recordHandedOver(registrationId: string, at: Date): Promise<void> {
    await this.#client.send(
      new UpdateCommand({
        TableName: this.#tableName,
        Key: { registrationId },
        UpdateExpression: 'SET extensionRequestHandedOverAt = :at',
        ConditionExpression: 'attribute_exists(extensionRequest)',
        ExpressionAttributeValues: { ':at': at.toISOString() },
      }),
    );
  }
}
