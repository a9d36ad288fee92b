import * as z from 'zod';
import type { RequestProblem } from '#domain/form-submission.ts';

/** HubSpot sends at most 100 events per Webhooks API request. */
const maxEventsPerBatch = 100;

/** HubSpot ids arrive as numbers (objectId) or digit strings; the ledger keys them as strings. */
const hubSpotIdSchema = z
  .union([z.int().positive(), z.string().regex(/^\d{1,20}$/, 'expected a HubSpot id (digits)')])
  .transform(String);

/** Milliseconds since 1970, as HubSpot writes `occurredAt`. */
const epochMsSchema = z.int().min(0).max(8_640_000_000_000_000);

const common = {
  subscriptionType: z.string().min(1),
  objectId: hubSpotIdSchema,
  occurredAt: epochMsSchema,
};

const creationSchema = z.looseObject({ ...common, subscriptionType: z.literal('deal.creation') });

const propertyChangeSchema = z.looseObject({
  ...common,
  subscriptionType: z.literal('deal.propertyChange'),
  propertyName: z.string().min(1),
  /** A cleared property arrives as an empty string. */
  propertyValue: z.string().max(65_536),
});

const associationChangeSchema = z.looseObject({
  ...common,
  subscriptionType: z.literal('deal.associationChange'),
  associationType: z.string().min(1),
  fromObjectId: hubSpotIdSchema,
  toObjectId: hubSpotIdSchema,
  associationRemoved: z.boolean(),
  associationTypeId: z.int().optional(),
  associationLabel: z.string().nullable().optional(),
});

const anyEventSchema = z.looseObject(common);

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
  /** A subscription Dealreg does not record (deletions, other objects, other associations). */
  | {
      readonly kind: 'other';
      readonly dealId: string;
      readonly subscriptionType: string;
      readonly occurredAt: number;
    };

type CrmEventBatchParse =
  | { readonly success: true; readonly events: CrmEvent[] }
  | { readonly success: false; readonly problems: RequestProblem[] };

function problems(error: z.ZodError, prefix: string): RequestProblem[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter((part) => part !== '').join('.') || '(body)',
    message: issue.message,
  }));
}

function parseEvent(raw: unknown, path: string): { event: CrmEvent } | { problems: RequestProblem[] } {
  const base = anyEventSchema.safeParse(raw);
  if (!base.success) return { problems: problems(base.error, path) };
  const { subscriptionType } = base.data;
  if (subscriptionType === 'deal.creation') {
    const parsed = creationSchema.safeParse(raw);
    if (!parsed.success) return { problems: problems(parsed.error, path) };
    return { event: { kind: 'created', dealId: parsed.data.objectId, occurredAt: parsed.data.occurredAt } };
  }
  if (subscriptionType === 'deal.propertyChange') {
    const parsed = propertyChangeSchema.safeParse(raw);
    if (!parsed.success) return { problems: problems(parsed.error, path) };
    const { objectId, propertyName, propertyValue, occurredAt } = parsed.data;
    return {
      event: { kind: 'property', dealId: objectId, property: propertyName, value: propertyValue, occurredAt },
    };
  }
  if (subscriptionType === 'deal.associationChange') {
    const parsed = associationChangeSchema.safeParse(raw);
    if (!parsed.success) return { problems: problems(parsed.error, path) };
    const data = parsed.data;
    if (data.associationType !== 'DEAL_TO_COMPANY') {
      return {
        event: { kind: 'other', dealId: data.objectId, subscriptionType, occurredAt: data.occurredAt },
      };
    }
    return {
      event: {
        kind: 'association',
        dealId: data.fromObjectId,
        companyId: data.toObjectId,
        removed: data.associationRemoved,
        typeId: data.associationTypeId,
        label: data.associationLabel ?? undefined,
        occurredAt: data.occurredAt,
      },
    };
  }
  return {
    event: { kind: 'other', dealId: base.data.objectId, subscriptionType, occurredAt: base.data.occurredAt },
  };
}

/**
 * Parses a HubSpot Webhooks API request body: a JSON array of 1 to 100 events. Every problem is
 * named by its path (`[3].occurredAt`); subscriptions Dealreg does not record parse as `other`.
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
  const found: RequestProblem[] = [];
  for (const [index, raw] of body.entries()) {
    const result = parseEvent(raw, `[${index}]`);
    if ('event' in result) events.push(result.event);
    else found.push(...result.problems);
  }
  return found.length > 0 ? { success: false, problems: found } : { success: true, events };
}
