import type { CrmRecord, ObjectStore } from './portal.ts';

/**
 * How long a write takes to reach search, by default. HubSpot's CRM search reads an index that
 * is updated asynchronously and publishes no figure for the delay: integrators report that
 * "changes made by other API calls will take several seconds to propagate to the search
 * indexing" (Locoia, "HubSpot" connector guide, Propagation Time) and that "the Search API is
 * eventually consistent" (Sequin, "How we built our sync on HubSpot's API"). One second is at
 * the quick end of that, long enough that a client relying on read-after-write through search
 * fails every time.
 */
export const DEFAULT_SEARCH_INDEX_LAG_MS = 1_000;

interface PendingWrite {
  readonly typeId: string;
  /** The record as it was written: what search shows once the write is indexed. */
  readonly record: CrmRecord;
  readonly dueAt: number;
}

/** A copy of a record as it stands, for the index; later writes to the record do not change it. */
function copyOf(record: CrmRecord): CrmRecord {
  return { ...record, properties: new Map(record.properties) };
}

/**
 * The CRM search index: the records as they were when last indexed, and each write waiting its
 * turn. A write reaches the index `lagMs` after it was made (real time: the sandbox's own clock
 * may be a virtual one standing still), in the order writes were made, so search finds a new
 * record only after the lag, an updated one with its old values until then, and an archived one
 * until then. Reads by id and by a unique `idProperty` do not use this index: they see every write
 * at once, as HubSpot's do.
 */
export class SearchIndex {
  lagMs: number;
  readonly #clock: () => number;
  /** Writes not yet indexed, by due time (then by write order). */
  readonly #pending: PendingWrite[] = [];
  /** Object type id → record id → the record as indexed. */
  readonly #records = new Map<string, Map<string, CrmRecord>>();
  /** Object type id → property → lower-cased value → ids; built per property on first use. */
  readonly #equality = new Map<string, Map<string, Map<string, Set<string>>>>();

  constructor(lagMs: number, clock: () => number = () => performance.now()) {
    this.lagMs = lagMs;
    this.#clock = clock;
  }

  /** Writes made but not yet seen by search. */
  get pending(): number {
    return this.#pending.length;
  }

  /** A write to `record`, to be indexed once the lag has passed. */
  written(record: CrmRecord): void {
    const dueAt = this.#clock() + this.lagMs;
    const write = { typeId: record.typeId, record: copyOf(record), dueAt };
    const last = this.#pending.at(-1);
    if (last === undefined || last.dueAt <= dueAt) this.#pending.push(write);
    else {
      // The lag was shortened: this write is due before some made earlier under the longer lag.
      const at = this.#pending.findIndex((entry) => entry.dueAt > dueAt);
      this.#pending.splice(at, 0, write);
    }
    this.catchUp();
  }

  /** Indexes a record at once (seeded or generated data, which predates the clients). */
  indexNow(record: CrmRecord): void {
    this.#apply(record.typeId, copyOf(record));
  }

  /** Indexes every write whose lag has passed. */
  catchUp(): void {
    const now = this.#clock();
    let due = 0;
    while (due < this.#pending.length && (this.#pending[due]?.dueAt ?? Infinity) <= now) due++;
    for (const write of this.#pending.splice(0, due)) this.#apply(write.typeId, write.record);
  }

  /** Indexes every write made so far, however recent (the admin "index now"). */
  flush(): number {
    const writes = this.#pending.splice(0);
    for (const write of writes) this.#apply(write.typeId, write.record);
    return writes.length;
  }

  /** Forgets everything: the portal was reset. */
  reset(): void {
    this.#pending.length = 0;
    this.#records.clear();
    this.#equality.clear();
  }

  /** Indexes every live record of the stores at once (a saved portal restored). */
  rebuild(stores: Iterable<ObjectStore>): void {
    this.reset();
    for (const store of stores) for (const record of store.records.values()) this.indexNow(record);
  }

  /** The indexed records of one object type, archived ones left out. */
  records(typeId: string): Map<string, CrmRecord> {
    let records = this.#records.get(typeId);
    if (records === undefined) {
      records = new Map();
      this.#records.set(typeId, records);
    }
    return records;
  }

  /** The equality index of a property over the indexed records (lower-cased value → ids). */
  equalityIndex(store: ObjectStore, name: string): Map<string, Set<string>> {
    const typeId = store.info.objectTypeId;
    let byProperty = this.#equality.get(typeId);
    if (byProperty === undefined) {
      byProperty = new Map();
      this.#equality.set(typeId, byProperty);
    }
    let index = byProperty.get(name);
    if (index === undefined) {
      index = new Map();
      for (const record of this.records(typeId).values()) addTo(index, indexedValue(record, name), record.id);
      byProperty.set(name, index);
    }
    return index;
  }

  #apply(typeId: string, record: CrmRecord): void {
    const records = this.records(typeId);
    const before = records.get(record.id);
    const indexes = this.#equality.get(typeId);
    if (before !== undefined) {
      for (const [name, index] of indexes ?? []) {
        const value = indexedValue(before, name);
        if (value !== undefined) index.get(value.toLowerCase())?.delete(before.id);
      }
      records.delete(record.id);
    }
    if (record.archived) return;
    records.set(record.id, record);
    for (const [name, index] of indexes ?? []) addTo(index, indexedValue(record, name), record.id);
  }
}

function indexedValue(record: CrmRecord, name: string): string | undefined {
  return name === 'hs_object_id' ? record.id : record.properties.get(name);
}

function addTo(index: Map<string, Set<string>>, value: string | undefined, id: string): void {
  if (value === undefined) return;
  const key = value.toLowerCase();
  let ids = index.get(key);
  if (ids === undefined) {
    ids = new Set();
    index.set(key, ids);
  }
  ids.add(id);
}
