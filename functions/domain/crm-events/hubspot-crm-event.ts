import * as z from 'zod';
import type { RequestProblem } from '#domain/form-submission.ts';

/** HubSpot sends at most 100 events per Webhooks API request. */
const maxEventsPerBatch = 100;

/** HubSpot ids arrive as numbers (objectId) or digit strings; the ledger keys them as strings. */
const hubSpotIdSchema = z
  .union([z.int().positive(), z.string().regex(/^\d{1,20}$/, 'expected a HubSpot id (digits)')])
  .transform(String);

/**
 * Milliseconds since 1970, as HubSpot writes `occurredAt`, up to the end of the year 9999: the
 * latest instant a ledger entry's ISO business time can hold.
 */
const epochMsSchema = z.int().min(0).max(253_402_300_799_999);

// Event shapes: "Webhooks API" (legacy `deal.*` subscriptions: objectId, propertyName,
// propertyValue; association changes carry associationType, fromObjectId, toObjectId,
// associationRemoved and isPrimaryAssociation, and no objectId or label) and "Create generic
// webhook subscriptions" (`object.*` subscriptions, the object named by objectTypeId, `0-3` for
// deals). Extra fields (eventId, portalId, appId, attemptNumber, changeSource…) are kept aside.
const anyEventSchema = z.looseObject({
  subscriptionType: z.string().min(1),
  occurredAt: epochMsSchema,
  objectId: hubSpotIdSchema.optional(),
  objectTypeId: z.string().optional(),
});

const objectEventSchema = z.looseObject({ objectId: hubSpotIdSchema });

const propertyChangeSchema = z.looseObject({
  objectId: hubSpotIdSchema,
  propertyName: z.string().min(1),
  /** A cleared property arrives as an empty string. */
  propertyValue: z.string().max(65_536),
});

const associationChangeSchema = z.looseObject({
  associationType: z.string().min(1),
  fromObjectId: hubSpotIdSchema,
  toObjectId: hubSpotIdSchema,
  associationRemoved: z.boolean(),
  fromObjectTypeId: z.string().optional(),
  toObjectTypeId: z.string().optional(),
  /** Not in HubSpot's events; Dealreg's own tools may name the association type or label. */
  associationTypeId: z.int().optional(),
  associationLabel: z.string().nullable().optional(),
});

/**
 * "New subscription types for Webhooks" (HubSpot developer changelog; the merge fields of the
 * "Webhooks API" payloads): `primaryObjectId` is the deal kept, `mergedObjectIds` the deals merged
 * into it, and `newObjectId` the deal the merge made when it made a new one ("Deals now support
 * merging": deals A and B merged become deal C, and A and B are no longer visible).
 */
const mergeSchema = z.looseObject({
  primaryObjectId: hubSpotIdSchema,
  mergedObjectIds: z.array(hubSpotIdSchema).min(1).max(100),
  newObjectId: hubSpotIdSchema.optional(),
});

/** HubSpot's object type ids of deals and companies. */
const DEAL_TYPE_ID = '0-3';
const COMPANY_TYPE_ID = '0-2';

/** One HubSpot CRM change, in the terms Dealreg records. Times are epoch milliseconds. */
export type CrmEvent =
  | { readonly kind: 'created'; readonly dealId: string; readonly occurredAt: number }
  | {
      readonly kind: 'property';
      readonly dealId: string;
      readonly property: string;
      readonly value: string;
      readonly occurredAt: number;
    }
  | {
      readonly kind: 'association';
      readonly dealId: string;
      readonly companyId: string;
      readonly removed: boolean;
      readonly typeId: number | undefined;
      /** The association label as HubSpot named it in the event, when it did. */
      readonly label: string | undefined;
      readonly occurredAt: number;
    }
  /**
   * Deals merged in HubSpot: `dealId` is the deal that remains (the new one, else the primary one),
   * `mergedDealIds` the deals that are gone into it.
   */
  | {
      readonly kind: 'merge';
      readonly dealId: string;
      readonly mergedDealIds: readonly string[];
      readonly occurredAt: number;
    }
  /** A subscription Dealreg does not record (deletions, other objects, other associations). */
  | {
      readonly kind: 'other';
      readonly dealId: string;
      readonly subscriptionType: string;
      readonly occurredAt: number;
    };

/** An event of the batch Dealreg cannot read, named by its place in the batch. */
export interface UnusableCrmEvent {
  readonly path: string;
  readonly reason: string;
}

type CrmEventBatchParse =
  | {
      readonly success: true;
      /** How many events the batch holds, readable or not. */
      readonly received: number;
      readonly events: CrmEvent[];
      /** One problem per line: an event may have several. */
      readonly unusable: UnusableCrmEvent[];
    }
  | { readonly success: false; readonly problems: RequestProblem[] };

function problems(error: z.ZodError, prefix: string): RequestProblem[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter((part) => part !== '').join('.') || '(body)',
    message: issue.message,
  }));
}

/** `deal.propertyChange` and `object.propertyChange` of a deal are the same event. */
function eventNameOf(subscriptionType: string, objectTypeId: string | undefined): string | undefined {
  const [object, change] = subscriptionType.split('.', 2);
  if (change === undefined) return undefined;
  if (object === 'deal') return change;
  if (object === 'object' && (change === 'associationChange' || objectTypeId === DEAL_TYPE_ID)) return change;
  return undefined;
}

/** Which end of an association change is the deal and which the company, if it links the two. */
function dealAndCompany(
  data: z.infer<typeof associationChangeSchema>,
): { dealId: string; companyId: string } | undefined {
  const from = data.fromObjectTypeId;
  const to = data.toObjectTypeId;
  const type = data.associationType.toUpperCase();
  if (
    (from === DEAL_TYPE_ID && to === COMPANY_TYPE_ID) ||
    (from === undefined && type === 'DEAL_TO_COMPANY')
  ) {
    return { dealId: data.fromObjectId, companyId: data.toObjectId };
  }
  if (
    (from === COMPANY_TYPE_ID && to === DEAL_TYPE_ID) ||
    (from === undefined && type === 'COMPANY_TO_DEAL')
  ) {
    return { dealId: data.toObjectId, companyId: data.fromObjectId };
  }
  return undefined;
}

function parseEvent(raw: unknown, path: string): { event: CrmEvent } | { problems: RequestProblem[] } {
  const base = anyEventSchema.safeParse(raw);
  if (!base.success) return { problems: problems(base.error, path) };
  const { subscriptionType, occurredAt, objectTypeId } = base.data;
  const other = (dealId: string): { event: CrmEvent } => ({
    event: { kind: 'other', dealId, subscriptionType, occurredAt },
  });
  const change = eventNameOf(subscriptionType, objectTypeId);
  if (change === 'creation') {
    const parsed = objectEventSchema.safeParse(raw);
    if (!parsed.success) return { problems: problems(parsed.error, path) };
    return { event: { kind: 'created', dealId: parsed.data.objectId, occurredAt } };
  }
  if (change === 'propertyChange') {
    const parsed = propertyChangeSchema.safeParse(raw);
    if (!parsed.success) return { problems: problems(parsed.error, path) };
    const { objectId, propertyName, propertyValue } = parsed.data;
    return {
      event: { kind: 'property', dealId: objectId, property: propertyName, value: propertyValue, occurredAt },
    };
  }
  if (change === 'associationChange') {
    const parsed = associationChangeSchema.safeParse(raw);
    if (!parsed.success) return { problems: problems(parsed.error, path) };
    const data = parsed.data;
    const ends = dealAndCompany(data);
    if (ends === undefined) return other(data.fromObjectId);
    return {
      event: {
        kind: 'association',
        ...ends,
        removed: data.associationRemoved,
        typeId: data.associationTypeId,
        label: data.associationLabel ?? undefined,
        occurredAt,
      },
    };
  }
  if (change === 'merge') {
    const parsed = mergeSchema.safeParse(raw);
    if (!parsed.success) return { problems: problems(parsed.error, path) };
    const { primaryObjectId, mergedObjectIds, newObjectId } = parsed.data;
    const dealId = newObjectId ?? primaryObjectId;
    const mergedDealIds = [...new Set([primaryObjectId, ...mergedObjectIds])]
      .filter((id) => id !== dealId)
      .sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));
    if (mergedDealIds.length === 0) return other(dealId);
    return { event: { kind: 'merge', dealId, mergedDealIds, occurredAt } };
  }
  return other(base.data.objectId ?? '0');
}

/**
 * Parses a HubSpot Webhooks API request body: a JSON array of 1 to 100 events. Only a body that
 * is not such an array is refused: an event Dealreg cannot read is returned as unusable, named by
 * its path (`[3].occurredAt`), so it never costs the other events of its batch (HubSpot would
 * redeliver the whole batch, and never get past it). Subscriptions Dealreg does not record parse
 * as `other`.
 */
export function parseCrmEventBatch(body: unknown): CrmEventBatchParse {
  if (!Array.isArray(body)) {
    return {
      success: false,
      problems: [{ path: '(body)', message: 'expected a JSON array of HubSpot events' }],
    };
  }
  if (body.length === 0) {
    return { success: false, problems: [{ path: '(body)', message: 'expected at least one event' }] };
  }
  if (body.length > maxEventsPerBatch) {
    return {
      success: false,
      problems: [
        { path: '(body)', message: `expected at most ${maxEventsPerBatch} events, got ${body.length}` },
      ],
    };
  }
  const events: CrmEvent[] = [];
  const unusable: UnusableCrmEvent[] = [];
  for (const [index, raw] of body.entries()) {
    const result = parseEvent(raw, `[${index}]`);
    if ('event' in result) events.push(result.event);
    else {
      for (const problem of result.problems) unusable.push({ path: problem.path, reason: problem.message });
    }
  }
  return { success: true, received: body.length, events, unusable };
}
