import { validationError } from './errors.ts';
import type { CrmRecord, ObjectStore, Portal } from './portal.ts';
import { comparable, compareKeys, containsToken } from './values.ts';

/** HubSpot's search caps. */
export const SEARCH_LIMITS = {
  maxFilterGroups: 5,
  maxFiltersPerGroup: 6,
  maxFilters: 18,
  maxPageSize: 200,
  defaultPageSize: 10,
  maxResults: 10_000,
} as const;

const OPERATORS = new Set([
  'EQ',
  'NEQ',
  'LT',
  'LTE',
  'GT',
  'GTE',
  'BETWEEN',
  'IN',
  'NOT_IN',
  'HAS_PROPERTY',
  'NOT_HAS_PROPERTY',
  'CONTAINS_TOKEN',
  'NOT_CONTAINS_TOKEN',
]);

interface Filter {
  propertyName: string;
  operator: string;
  value?: string;
  highValue?: string;
  values?: string[];
}

interface Sort {
  propertyName: string;
  direction: 'ASCENDING' | 'DESCENDING';
}

export interface SearchResult {
  total: number;
  records: CrmRecord[];
  next?: string | undefined;
}

function asString(value: unknown, field: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw validationError(`${field} must be a string`);
}

function parseFilters(body: Record<string, unknown>): Filter[][] {
  const groups = body.filterGroups ?? [];
  if (!Array.isArray(groups)) throw validationError('filterGroups must be an array');
  if (groups.length > SEARCH_LIMITS.maxFilterGroups) {
    throw validationError(
      `Too many filter groups: ${groups.length}. The maximum is ${SEARCH_LIMITS.maxFilterGroups}.`,
    );
  }
  let count = 0;
  const parsed = groups.map((group: unknown, groupIndex) => {
    const filters = (group as { filters?: unknown })?.filters;
    if (!Array.isArray(filters))
      throw validationError(`filterGroups[${groupIndex}].filters must be an array`);
    if (filters.length > SEARCH_LIMITS.maxFiltersPerGroup) {
      throw validationError(
        `Too many filters in filterGroups[${groupIndex}]: the maximum is ${SEARCH_LIMITS.maxFiltersPerGroup}.`,
      );
    }
    count += filters.length;
    return filters.map((raw: unknown, filterIndex): Filter => {
      const where = `filterGroups[${groupIndex}].filters[${filterIndex}]`;
      const filter = (raw ?? {}) as Record<string, unknown>;
      const operator = asString(filter.operator ?? 'EQ', `${where}.operator`);
      if (!OPERATORS.has(operator))
        throw validationError(`${where}.operator ${operator} is not a supported operator`);
      const propertyName = asString(filter.propertyName, `${where}.propertyName`);
      const result: Filter = { propertyName, operator };
      if (operator === 'IN' || operator === 'NOT_IN') {
        if (!Array.isArray(filter.values) || filter.values.length === 0) {
          throw validationError(`${where}: ${operator} needs a non-empty "values" array`);
        }
        result.values = filter.values.map((value, index) => asString(value, `${where}.values[${index}]`));
      } else if (operator !== 'HAS_PROPERTY' && operator !== 'NOT_HAS_PROPERTY') {
        if (filter.value === undefined || filter.value === null)
          throw validationError(`${where}: ${operator} needs a "value"`);
        result.value = asString(filter.value, `${where}.value`);
        if (operator === 'BETWEEN') {
          if (filter.highValue === undefined || filter.highValue === null) {
            throw validationError(`${where}: BETWEEN needs a "highValue"`);
          }
          result.highValue = asString(filter.highValue, `${where}.highValue`);
        }
      }
      return result;
    });
  });
  if (count > SEARCH_LIMITS.maxFilters) {
    throw validationError(`Too many filters: ${count}. The maximum is ${SEARCH_LIMITS.maxFilters}.`);
  }
  return parsed;
}

function parseSorts(body: Record<string, unknown>): Sort[] {
  const sorts = body.sorts ?? [];
  if (!Array.isArray(sorts)) throw validationError('sorts must be an array');
  return sorts.map((raw: unknown, index): Sort => {
    if (typeof raw === 'string') {
      return raw.startsWith('-')
        ? { propertyName: raw.slice(1), direction: 'DESCENDING' }
        : { propertyName: raw, direction: 'ASCENDING' };
    }
    const sort = (raw ?? {}) as Record<string, unknown>;
    const direction = sort.direction ?? 'ASCENDING';
    if (direction !== 'ASCENDING' && direction !== 'DESCENDING') {
      throw validationError(`sorts[${index}].direction must be ASCENDING or DESCENDING`);
    }
    return { propertyName: asString(sort.propertyName, `sorts[${index}].propertyName`), direction };
  });
}

/** A record's value of a property, including the id and the built-in timestamps. */
function propertyValue(record: CrmRecord, name: string): string | undefined {
  if (name === 'hs_object_id') return record.id;
  return record.properties.get(name);
}

/**
 * Runs a CRM search like `POST /crm/v3/objects/{type}/search`: filter groups OR-ed, filters in a
 * group AND-ed; EQ/IN on a property use an equality index; `associations.{type}` filters on
 * associated record ids; sorted, paged by offset with HubSpot's 200-per-page and 10,000 caps.
 * It reads the portal's search index, not the records: each record as it was when last indexed,
 * a write reaching it only after the index's lag (see SearchIndex). Associations are read as
 * they are now.
 */
export function search(portal: Portal, store: ObjectStore, body: Record<string, unknown>): SearchResult {
  const groups = parseFilters(body);
  const sorts = parseSorts(body);
  const limit = body.limit === undefined ? SEARCH_LIMITS.defaultPageSize : Number(body.limit);
  if (!Number.isInteger(limit) || limit < 0 || limit > SEARCH_LIMITS.maxPageSize) {
    throw validationError(
      `limit must be an integer between 0 and ${SEARCH_LIMITS.maxPageSize}; got ${String(body.limit)}`,
    );
  }
  const offset =
    body.after === undefined || body.after === null || body.after === '' ? 0 : Number(body.after);
  if (!Number.isInteger(offset) || offset < 0)
    throw validationError(`after must be a paging cursor; got ${String(body.after)}`);
  if (offset >= SEARCH_LIMITS.maxResults) {
    throw validationError(
      `Paging beyond ${SEARCH_LIMITS.maxResults} results is not supported (after=${offset}). Narrow the search with filters.`,
    );
  }
  for (const group of groups) {
    for (const filter of group) checkProperty(portal, store, filter.propertyName);
  }
  for (const sort of sorts) checkProperty(portal, store, sort.propertyName);
  const query = typeof body.query === 'string' && body.query.trim() !== '' ? body.query.trim() : undefined;
  portal.searchIndex.catchUp();

  const matches: CrmRecord[] = [];
  const seen = new Set<string>();
  const candidateGroups = groups.length === 0 ? [[]] : groups;
  for (const group of candidateGroups) {
    for (const record of candidates(portal, store, group)) {
      if (seen.has(record.id) || record.archived) continue;
      if (!group.every((filter) => matchesFilter(portal, store, record, filter))) continue;
      if (query !== undefined && !matchesQuery(store, record, query)) continue;
      seen.add(record.id);
      matches.push(record);
    }
  }
  sortRecords(store, matches, sorts);
  const end = Math.min(offset + limit, matches.length, SEARCH_LIMITS.maxResults);
  const page = matches.slice(offset, end);
  return {
    total: matches.length,
    records: page,
    next: end < matches.length && limit > 0 ? String(end) : undefined,
  };
}

function checkProperty(portal: Portal, store: ObjectStore, name: string): void {
  if (name.startsWith('associations.')) {
    portal.store(name.slice('associations.'.length));
    return;
  }
  if (!store.properties.has(name)) {
    throw validationError(
      `There was a problem with the request: property ${name} does not exist on ${store.info.name}`,
    );
  }
}

/** The records worth testing for a group: from an index when the group has an EQ or IN filter. */
function candidates(portal: Portal, store: ObjectStore, group: Filter[]): Iterable<CrmRecord> {
  const indexed = portal.searchIndex.records(store.info.objectTypeId);
  for (const filter of group) {
    if (
      filter.propertyName.startsWith('associations.') &&
      (filter.operator === 'EQ' || filter.operator === 'IN')
    ) {
      const other = portal.store(filter.propertyName.slice('associations.'.length));
      const ids = filter.operator === 'EQ' ? [filter.value ?? ''] : (filter.values ?? []);
      const found = new Set<string>();
      for (const id of ids) {
        for (const { toId } of portal.associations.associated(
          other.info.objectTypeId,
          id,
          store.info.objectTypeId,
        ))
          found.add(toId);
      }
      return recordsOf(indexed, found);
    }
    const property = store.properties.get(filter.propertyName);
    const textual =
      property === undefined ||
      property.type === 'string' ||
      property.type === 'enumeration' ||
      property.type === 'bool';
    if (
      (filter.operator === 'EQ' || filter.operator === 'IN') &&
      (textual || filter.propertyName === 'hs_object_id')
    ) {
      const index = portal.searchIndex.equalityIndex(store, filter.propertyName);
      const values = filter.operator === 'EQ' ? [filter.value ?? ''] : (filter.values ?? []);
      const found = new Set<string>();
      for (const value of values) for (const id of index.get(value.toLowerCase()) ?? []) found.add(id);
      return recordsOf(indexed, found);
    }
  }
  return indexed.values();
}

function* recordsOf(indexed: Map<string, CrmRecord>, ids: Set<string>): Iterable<CrmRecord> {
  for (const id of ids) {
    const record = indexed.get(id);
    if (record !== undefined) yield record;
  }
}

function matchesFilter(portal: Portal, store: ObjectStore, record: CrmRecord, filter: Filter): boolean {
  if (filter.propertyName.startsWith('associations.')) {
    const other = portal.store(filter.propertyName.slice('associations.'.length));
    const associatedIds = new Set(
      portal.associations
        .associated(store.info.objectTypeId, record.id, other.info.objectTypeId)
        .map((a) => a.toId),
    );
    switch (filter.operator) {
      case 'EQ':
        return associatedIds.has(filter.value ?? '');
      case 'NEQ':
        return !associatedIds.has(filter.value ?? '');
      case 'IN':
        return (filter.values ?? []).some((id) => associatedIds.has(id));
      case 'NOT_IN':
        return !(filter.values ?? []).some((id) => associatedIds.has(id));
      case 'HAS_PROPERTY':
        return associatedIds.size > 0;
      case 'NOT_HAS_PROPERTY':
        return associatedIds.size === 0;
      default:
        throw validationError(`${filter.operator} is not supported on ${filter.propertyName}`);
    }
  }
  const property =
    filter.propertyName === 'hs_object_id' ? undefined : store.properties.get(filter.propertyName);
  const raw = propertyValue(record, filter.propertyName);
  const has = raw !== undefined && raw !== '';
  const key = (value: string): number | string =>
    filter.propertyName === 'hs_object_id' ? Number(value) : comparable(property, value);
  switch (filter.operator) {
    case 'HAS_PROPERTY':
      return has;
    case 'NOT_HAS_PROPERTY':
      return !has;
    case 'EQ':
      return has && compareKeys(key(raw), key(filter.value ?? '')) === 0;
    case 'NEQ':
      return !has || compareKeys(key(raw), key(filter.value ?? '')) !== 0;
    case 'IN':
      return has && (filter.values ?? []).some((value) => compareKeys(key(raw), key(value)) === 0);
    case 'NOT_IN':
      return !has || !(filter.values ?? []).some((value) => compareKeys(key(raw), key(value)) === 0);
    case 'GT':
      return has && compareKeys(key(raw), key(filter.value ?? '')) > 0;
    case 'GTE':
      return has && compareKeys(key(raw), key(filter.value ?? '')) >= 0;
    case 'LT':
      return has && compareKeys(key(raw), key(filter.value ?? '')) < 0;
    case 'LTE':
      return has && compareKeys(key(raw), key(filter.value ?? '')) <= 0;
    case 'BETWEEN':
      return (
        has &&
        compareKeys(key(raw), key(filter.value ?? '')) >= 0 &&
        compareKeys(key(raw), key(filter.highValue ?? '')) <= 0
      );
    case 'CONTAINS_TOKEN':
      return has && containsToken(raw, filter.value ?? '');
    case 'NOT_CONTAINS_TOKEN':
      return !has || !containsToken(raw, filter.value ?? '');
    default:
      return false;
  }
}

/** The free-text `query`: a token prefix match on the type's default text properties. */
function matchesQuery(store: ObjectStore, record: CrmRecord, query: string): boolean {
  const fields = store.info.defaultProperties.filter((name) => store.properties.get(name)?.type === 'string');
  const pattern = query.endsWith('*') ? query : `${query}*`;
  return fields.some((name) => {
    const value = record.properties.get(name);
    return value !== undefined && containsToken(value, pattern);
  });
}

function sortRecords(store: ObjectStore, records: CrmRecord[], sorts: Sort[]): void {
  // Keys are computed once per record, not once per comparison.
  const keyed = records.map((record) => ({
    record,
    id: Number(record.id),
    keys: sorts.map((sort) => {
      const value = propertyValue(record, sort.propertyName);
      if (value === undefined) return undefined;
      return sort.propertyName === 'hs_object_id'
        ? Number(value)
        : comparable(store.properties.get(sort.propertyName), value);
    }),
  }));
  keyed.sort((a, b) => {
    for (const [index, sort] of sorts.entries()) {
      const left = a.keys[index];
      const right = b.keys[index];
      if (left === undefined && right === undefined) continue;
      if (left === undefined) return 1; // records without a value come last either way
      if (right === undefined) return -1;
      const order = compareKeys(left, right);
      if (order !== 0) return sort.direction === 'ASCENDING' ? order : -order;
    }
    return a.id - b.id;
  });
  keyed.forEach((entry, index) => {
    records[index] = entry.record;
  });
}
