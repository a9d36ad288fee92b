/**
 * The CRM requests the HubSpot port adapters share: search and batch reads with their paging,
 * association reads and writes, and the keyed create that never writes an object twice. Every
 * request goes through the connection's gateway (rate limits, retries, named errors).
 */
import type { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/objects/models/Filter.js';
import type { PublicAssociationsForObject } from '@hubspot/api-client/lib/codegen/crm/objects/models/PublicAssociationsForObject.js';
import type { Pipeline as CrmPipeline } from '@hubspot/api-client/lib/codegen/crm/pipelines/models/Pipeline.js';
import type { Pipeline } from '#ports/hubspot.ts';
import type { HubSpotConnection } from './connection.ts';
import { HubSpotConflictError, HubSpotNotFoundError, HubSpotRequestError } from './errors.ts';

/** Batch endpoints take at most this many inputs. */
const batchSize = 100;
/** Search answers at most this many results per page … */
const searchPageSize = 200;
/** … and at most this many per query, however it is paged. */
export const searchResultCap = 10_000;

type Properties = Record<string, string | null | undefined>;

/** An object as the CRM answers it: its id and the properties asked for. */
export interface CrmObject {
  readonly id: string;
  readonly properties: Properties;
}

type FilterOperator =
  | 'EQ'
  | 'NEQ'
  | 'IN'
  | 'GT'
  | 'GTE'
  | 'LT'
  | 'LTE'
  | 'BETWEEN'
  | 'HAS_PROPERTY'
  | 'NOT_HAS_PROPERTY'
  | 'CONTAINS_TOKEN';

export interface SearchFilter {
  readonly propertyName: string;
  readonly operator: FilterOperator;
  readonly value?: string;
  readonly highValue?: string;
  readonly values?: string[];
}

export interface SearchRequest {
  /**
   * The filters, all of which a result matches; or groups of them, a result matching every filter
   * of at least one group (HubSpot "CRM search": filterGroups are ORed, up to 5 of them).
   */
  readonly filters: SearchFilter[] | { readonly anyOf: SearchFilter[][] };
  readonly properties: string[];
  readonly sort?: string;
  readonly after?: string | undefined;
}

/** A property's value, or null when the CRM has none (unset, null or empty). */
export function propertyText(properties: Properties, name: string): string | null {
  const value = properties[name];
  return value === undefined || value === null || value === '' ? null : value;
}

/**
 * Remembers what `load` answers for the life of the adapter, and forgets a failure so the next
 * call asks the CRM again.
 */
export function rememberedUntilFailure<T>(load: () => Promise<T>): () => Promise<T> {
  let remembered: Promise<T> | undefined;
  return () => {
    remembered ??= load().catch((error: unknown) => {
      remembered = undefined;
      throw error;
    });
    return remembered;
  };
}

/**
 * A value read from the CRM and kept for a bounded time: the kept value while younger than its
 * bound, else a new read; `fresh` reads again now.
 */
export type Remembered<T> = (options?: { readonly fresh?: boolean }) => Promise<T>;

/**
 * Remembers what `load` answers for at most `maxAgeMs` (counted from when the read started, on
 * `now`), and forgets a failure so the next call asks the CRM again. A read under way is shared
 * by every call that arrives meanwhile, fresh or not.
 */
export function rememberedFor<T>(
  load: () => Promise<T>,
  maxAgeMs: number,
  now: () => number = Date.now,
): Remembered<T> {
  let remembered: { readonly value: Promise<T>; readonly at: number; settled: boolean } | undefined;
  return (options = {}) => {
    const at = now();
    const current = remembered;
    if (
      current !== undefined &&
      (!current.settled || (options.fresh !== true && at - current.at < maxAgeMs))
    ) {
      return current.value;
    }
    const entry: { value: Promise<T>; at: number; settled: boolean } = {
      value: Promise.resolve(undefined as T),
      at,
      settled: false,
    };
    entry.value = load().then(
      (value) => {
        entry.settled = true;
        return value;
      },
      (error: unknown) => {
        if (remembered === entry) remembered = undefined;
        throw error;
      },
    );
    remembered = entry;
    return entry.value;
  };
}

/** One page of a search: its results, the total the query matches, and the next page's cursor. */
export async function searchPage(
  { client, gateway }: HubSpotConnection,
  objectType: string,
  what: string,
  request: SearchRequest,
): Promise<{ results: CrmObject[]; total: number; after?: string | undefined }> {
  const answer = await gateway.call(
    what,
    () =>
      client.crm.objects.searchApi.doSearch(objectType, {
        filterGroups: ('anyOf' in request.filters ? request.filters.anyOf : [request.filters]).map(
          (filters) => ({
            filters: filters.map((filter) => ({
              ...filter,
              operator: filter.operator as FilterOperatorEnum,
            })),
          }),
        ),
        properties: request.properties,
        limit: searchPageSize,
        ...(request.sort === undefined ? {} : { sorts: [request.sort] }),
        ...(request.after === undefined ? {} : { after: request.after }),
      }),
    { kind: 'search' },
  );
  const after = answer.paging?.next?.after;
  return { results: answer.results, total: answer.total, after };
}

/** Every result of a search, page after page, up to the CRM's cap on results per query. */
export async function searchAll(
  connection: HubSpotConnection,
  objectType: string,
  what: string,
  request: Pick<SearchRequest, 'filters' | 'properties'>,
): Promise<CrmObject[]> {
  const results: CrmObject[] = [];
  let after: string | undefined;
  do {
    const page = await searchPage(connection, objectType, what, {
      ...request,
      after,
    });
    results.push(...page.results);
    after = results.length >= searchResultCap ? undefined : page.after;
  } while (after !== undefined);
  return results;
}

/** The distinct ids in batches of at most {@link batchSize}, what one batch request takes. */
export function inBatches(ids: readonly string[]): string[][] {
  const unique = [...new Set(ids)];
  const batches: string[][] = [];
  for (let start = 0; start < unique.length; start += batchSize)
    batches.push(unique.slice(start, start + batchSize));
  return batches;
}

/** Reads objects by id, in batches of {@link batchSize}; ids not found are left out. */
export async function batchRead(
  { client, gateway }: HubSpotConnection,
  objectType: string,
  what: string,
  ids: readonly string[],
  properties: readonly string[],
): Promise<CrmObject[]> {
  const answers = await Promise.all(
    inBatches(ids).map((chunk) =>
      gateway.call(what, () =>
        client.crm.objects.batchApi.read(objectType, {
          inputs: chunk.map((id) => ({ id })),
          properties: [...properties],
          propertiesWithHistory: [],
        }),
      ),
    ),
  );
  return answers.flatMap((answer) => answer.results);
}

/** The ids of every `toType` object associated with the object, page after page. */
export async function associatedIds(
  { client, gateway }: HubSpotConnection,
  fromType: string,
  fromId: string,
  toType: string,
): Promise<string[]> {
  const ids: string[] = [];
  let after: string | undefined;
  do {
    const cursor = after;
    const page = await gateway.call(`read ${toType} of ${fromType} ${fromId}`, () =>
      client.crm.associations.v4.basicApi.getPage(fromType, fromId, toType, cursor, 500),
    );
    for (const result of page.results) ids.push(String(result.toObjectId));
    after = page.paging?.next?.after;
  } while (after !== undefined);
  return ids;
}

/** Associates two objects with the CRM's default (unlabelled) association. */
export async function associateDefault(
  { client, gateway }: HubSpotConnection,
  fromType: string,
  fromId: string,
  toType: string,
  toId: string,
): Promise<void> {
  await gateway.call(`associate ${fromType} ${fromId} with ${toType} ${toId}`, () =>
    client.crm.associations.v4.basicApi.createDefault(fromType, fromId, toType, toId),
  );
}

/** The object whose unique property `property` is `value`, or null. */
export async function findByUniqueProperty(
  { client, gateway }: HubSpotConnection,
  objectType: string,
  property: string,
  value: string,
): Promise<CrmObject | null> {
  try {
    return await gateway.call(`find ${objectType} by ${property}`, () =>
      client.crm.objects.basicApi.getById(
        objectType,
        value,
        [property],
        undefined,
        undefined,
        false,
        property,
      ),
    );
  } catch (error) {
    if (error instanceof HubSpotNotFoundError) return null;
    throw error;
  }
}

/**
 * Creates an object whose properties include a unique value. A 5xx may hide a create that
 * happened, so it is retried; the retry then meets the unique value and the object the first
 * attempt made is looked up instead of a second one being written. HubSpot refuses a taken
 * unique value with 400 VALIDATION_ERROR on every object but contacts (409 there), so either
 * refusal is answered by looking the value up; only when nothing holds it is the error thrown.
 */
export async function createUnique(
  { client, gateway }: HubSpotConnection,
  objectType: string,
  what: string,
  properties: Record<string, string>,
  findExisting: () => Promise<CrmObject | null>,
  associations: PublicAssociationsForObject[] = [],
): Promise<{ id: string; created: boolean }> {
  try {
    const made = await gateway.call(what, () =>
      client.crm.objects.basicApi.create(objectType, { properties, associations }),
    );
    return { id: made.id, created: true };
  } catch (error) {
    const taken =
      error instanceof HubSpotConflictError || (error instanceof HubSpotRequestError && error.status === 400);
    if (!taken) throw error;
    const existing = await findExisting();
    if (existing === null) throw error;
    return { id: existing.id, created: false };
  }
}

/** A pipeline as HubSpot's pipelines API answers it, stages in display order. */
export function toPipeline(pipeline: CrmPipeline): Pipeline {
  return {
    id: pipeline.id,
    label: pipeline.label,
    stages: [...pipeline.stages]
      .sort((a, b) => a.displayOrder - b.displayOrder)
      .map((stage) => {
        const probability = Number(stage.metadata?.probability);
        return {
          id: stage.id,
          label: stage.label,
          displayOrder: stage.displayOrder,
          isClosed: String(stage.metadata?.isClosed) === 'true',
          probability:
            stage.metadata?.probability === undefined || Number.isNaN(probability) ? null : probability,
        };
      }),
  };
}
