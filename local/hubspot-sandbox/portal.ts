import { AssociationGraph } from './associations.ts';
import { conflict, HubSpotApiError, notFound, validationError } from './errors.ts';
import { FormStore } from './form-store.ts';
import {
  DEFAULT_DEAL_PIPELINE,
  type ObjectTypeInfo,
  type PropertyDefinition,
  propertyDefinition,
  READ_ONLY_PROPERTIES,
  STANDARD_TYPES,
} from './object-types.ts';
import { SearchIndex } from './search-index.ts';
import type { PortalSnapshot } from './snapshot.ts';
import { parseTimestamp } from './values.ts';

/** `setValue`'s answer when the property already held the value. */
const unchanged = Symbol('unchanged');

/** One CRM record. Only properties with a value are stored. */
export interface CrmRecord {
  id: string;
  typeId: string;
  properties: Map<string, string>;
  createdAt: number;
  updatedAt: number;
  archived: boolean;
  archivedAt: number | undefined;
}

/** Everything the sandbox holds for one object type. */
export interface ObjectStore {
  info: ObjectTypeInfo;
  properties: Map<string, PropertyDefinition>;
  groups: Map<string, { name: string; label: string; displayOrder: number }>;
  records: Map<string, CrmRecord>;
  /** Every record id (archived too) in ascending numeric order; ids are allocated increasingly. */
  order: number[];
  /** Unique-value indexes: property → lower-cased value → record id. */
  unique: Map<string, Map<string, string>>;
  /** The custom object schema document, for custom types. */
  schema: Record<string, unknown> | undefined;
}

export interface AssociationType {
  typeId: number;
  fromTypeId: string;
  toTypeId: string;
  category: 'HUBSPOT_DEFINED' | 'USER_DEFINED';
  label: string | null;
  name: string;
  inverseTypeId: number;
}

export interface Pipeline {
  id: string;
  label: string;
  displayOrder: number;
  stages: { id: string; label: string; displayOrder: number; probability: number; isClosed: boolean }[];
  createdAt: number;
  updatedAt: number;
}

export interface Owner {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  userId: number;
  teams: { id: string; name: string; primary: boolean }[];
  /** The owner of a deactivated user (absent in snapshots saved before owners could be archived). */
  archived?: boolean | undefined;
  createdAt: number;
  updatedAt: number;
}

/** A CRM change the webhook subscriptions may report. */
export type CrmChange =
  | { kind: 'creation'; typeId: string; objectId: string; occurredAt: number }
  | { kind: 'deletion'; typeId: string; objectId: string; occurredAt: number }
  | {
      kind: 'propertyChange';
      typeId: string;
      objectId: string;
      propertyName: string;
      propertyValue: string;
      occurredAt: number;
    }
  | {
      kind: 'associationChange';
      fromTypeId: string;
      fromObjectId: string;
      toTypeId: string;
      toObjectId: string;
      associationTypeId: number;
      category: AssociationType['category'];
      removed: boolean;
      occurredAt: number;
    };

export type PropertyInput = Record<string, unknown>;

/** An association requested with a create call or a v4 PUT. */
export interface AssociationInput {
  associationCategory?: string;
  associationTypeId: number;
}

const MAX_BATCH = 100;

/** HubSpot's page of associations per object ("Associations v4": a page holds up to 500). */
export const ASSOCIATION_PAGE_SIZE = 500;

/**
 * The in-memory portal: object types, records, associations, labels, pipelines, owners, forms and
 * their submissions. Every operation validates its whole input before it changes anything, so a
 * rejected call leaves nothing half-written.
 */
export class Portal {
  readonly portalId: number;
  readonly now: () => number;
  readonly stores = new Map<string, ObjectStore>();
  /** Lower-cased name/alias/id → object type id. */
  readonly typeNames = new Map<string, string>();
  readonly associations: AssociationGraph;
  readonly pipelines = new Map<string, Pipeline>();
  readonly owners = new Map<string, Owner>();
  readonly forms: FormStore;
  /** What CRM search sees: each record as it was when last indexed (see SearchIndex). */
  readonly searchIndex: SearchIndex;
  /**
   * Associations per object in one page of a v4 association read, batch or single: HubSpot's is
   * 500; tests set a small one to see paging.
   */
  associationPageSize = ASSOCIATION_PAGE_SIZE;
  private nextId = 10_000_001;
  private nextCustomObjectId = 1_000_001;
  private readonly listeners: ((change: CrmChange) => void)[] = [];

  constructor(portalId: number, now: () => number, searchIndexLagMs = 0) {
    this.portalId = portalId;
    this.now = now;
    this.searchIndex = new SearchIndex(searchIndexLagMs);
    this.forms = new FormStore(now);
    this.associations = new AssociationGraph(
      now,
      (change) => this.emit(change),
      (typeId) => this.storeById(typeId).info.singular,
    );
    this.reset();
  }

  /** Subscribes to CRM changes (for webhook subscriptions). */
  onChange(listener: (change: CrmChange) => void): void {
    this.listeners.push(listener);
  }

  private muted = 0;

  private emit(change: CrmChange): void {
    if (this.muted > 0) return;
    for (const listener of this.listeners) listener(change);
  }

  /** Runs `action` without reporting its changes to webhook subscriptions (seeding, generating). */
  silently<T>(action: () => T): T {
    this.muted++;
    try {
      return action();
    } finally {
      this.muted--;
    }
  }

  /** Back to an empty portal with HubSpot's defaults (standard types, default pipeline). */
  reset(): void {
    this.stores.clear();
    this.typeNames.clear();
    this.pipelines.clear();
    this.owners.clear();
    this.forms.reset();
    this.nextId = 10_000_001;
    this.nextCustomObjectId = 1_000_001;
    this.addStandardTypes();
    this.associations.reset();
    this.searchIndex.reset();
    const at = this.now();
    this.pipelines.set('default', {
      ...DEFAULT_DEAL_PIPELINE,
      stages: DEFAULT_DEAL_PIPELINE.stages.map((stage, index) => ({ ...stage, displayOrder: index })),
      createdAt: at,
      updatedAt: at,
    });
  }

  /** Adds the standard object types and their HubSpot-defined properties, where missing. */
  private addStandardTypes(): void {
    const nowIso = new Date(this.now()).toISOString();
    for (const spec of STANDARD_TYPES) {
      const store =
        this.stores.get(spec.info.objectTypeId) ?? this.addStore({ ...spec.info, custom: false }, undefined);
      for (const [name, type, fieldType, options] of spec.properties) {
        if (store.properties.has(name)) continue;
        store.properties.set(
          name,
          propertyDefinition(
            {
              name,
              type,
              fieldType,
              groupName: spec.info.defaultGroup,
              options: options?.map((value) => ({ label: value, value })),
            },
            true,
            nowIso,
          ),
        );
      }
      if (spec.info.name === 'contacts') this.uniqueIndex(store, 'email');
    }
  }

  /** Everything the portal holds, for saving; indexes are left out (they are rebuilt on use). */
  snapshot(): PortalSnapshot {
    return {
      portalId: this.portalId,
      nextId: this.nextId,
      nextCustomObjectId: this.nextCustomObjectId,
      objectTypes: [...this.stores.values()].map((store) => ({
        info: structuredClone(store.info),
        properties: [...store.properties.values()].map((property) => structuredClone(property)),
        groups: [...store.groups.values()].map((group) => ({ ...group })),
        records: [...store.records.values()].map((record) => ({
          id: record.id,
          properties: Object.fromEntries(record.properties),
          createdAt: record.createdAt,
          updatedAt: record.updatedAt,
          archived: record.archived,
          ...(record.archivedAt === undefined ? {} : { archivedAt: record.archivedAt }),
        })),
        ...(store.schema === undefined ? {} : { schema: structuredClone(store.schema) }),
      })),
      associations: this.associations.snapshot(),
      pipelines: [...this.pipelines.values()].map((pipeline) => structuredClone(pipeline)),
      owners: [...this.owners.values()].map((owner) => structuredClone(owner)),
      forms: this.forms.snapshot(),
    };
  }

  /**
   * Replaces everything the portal holds with a saved snapshot, announcing nothing to webhook
   * subscriptions: the records were reported when they changed. Ids continue from the saved counters.
   */
  restore(snapshot: PortalSnapshot): void {
    if (snapshot.portalId !== this.portalId) {
      throw new Error(`the saved portal is portal ${snapshot.portalId}, not ${this.portalId}`);
    }
    this.stores.clear();
    this.typeNames.clear();
    for (const saved of snapshot.objectTypes) {
      const store = this.addStore(structuredClone(saved.info), saved.schema);
      for (const property of saved.properties) store.properties.set(property.name, structuredClone(property));
      store.groups.clear();
      for (const group of saved.groups) store.groups.set(group.name, { ...group });
      for (const record of saved.records) {
        store.records.set(record.id, {
          id: record.id,
          typeId: saved.info.objectTypeId,
          properties: new Map(Object.entries(record.properties)),
          createdAt: record.createdAt,
          updatedAt: record.updatedAt,
          archived: record.archived,
          archivedAt: record.archivedAt,
        });
      }
      store.order = [...store.records.keys()].map(Number).sort((a, b) => a - b);
    }
    this.associations.restore(snapshot.associations);
    this.pipelines.clear();
    for (const pipeline of snapshot.pipelines) this.pipelines.set(pipeline.id, structuredClone(pipeline));
    this.owners.clear();
    for (const owner of snapshot.owners) this.owners.set(owner.id, structuredClone(owner));
    this.forms.restore(snapshot.forms);
    this.nextId = snapshot.nextId;
    this.nextCustomObjectId = snapshot.nextCustomObjectId;
    // A snapshot saved by an earlier version lacks the standard properties added since.
    this.addStandardTypes();
    // What was saved was written long ago: search finds all of it at once.
    this.searchIndex.rebuild(this.stores.values());
  }

  private addStore(info: ObjectTypeInfo, schema: Record<string, unknown> | undefined): ObjectStore {
    const store: ObjectStore = {
      info,
      properties: new Map(),
      groups: new Map([
        [info.defaultGroup, { name: info.defaultGroup, label: info.defaultGroup, displayOrder: 0 }],
      ]),
      records: new Map(),
      order: [],
      unique: new Map(),
      schema,
    };
    this.stores.set(info.objectTypeId, store);
    for (const alias of [info.objectTypeId, ...info.aliases])
      this.typeNames.set(alias.toLowerCase(), info.objectTypeId);
    return store;
  }

  private uniqueIndex(store: ObjectStore, property: string): Map<string, string> {
    let index = store.unique.get(property);
    if (index === undefined) {
      index = new Map();
      for (const record of store.records.values()) {
        const value = record.properties.get(property);
        if (value !== undefined && !record.archived) index.set(value.toLowerCase(), record.id);
      }
      store.unique.set(property, index);
    }
    return index;
  }

  /** Resolves `deals`, `deal`, `0-3`, `2-123`, `p123_thing` or a custom object name. */
  store(objectType: string): ObjectStore {
    const typeId = this.typeNames.get(decodeURIComponent(objectType).toLowerCase());
    const store = typeId === undefined ? undefined : this.stores.get(typeId);
    if (store === undefined) {
      throw new HubSpotApiError(400, `Unable to infer object type from: ${objectType}`, 'VALIDATION_ERROR');
    }
    return store;
  }

  storeById(typeId: string): ObjectStore {
    const store = this.stores.get(typeId);
    if (store === undefined) throw new Error(`no object type ${typeId}`);
    return store;
  }

  // ---------------------------------------------------------------- records

  allocateId(): string {
    return String(this.nextId++);
  }

  /**
   * Validates and normalises property values for a write. Returns the values to store (`null`
   * clears) or throws one 400 listing every invalid property, like HubSpot.
   */
  normalise(store: ObjectStore, input: unknown, existing: CrmRecord | undefined): Map<string, string | null> {
    if (input === null || typeof input !== 'object' || Array.isArray(input)) {
      throw validationError('Invalid input JSON: "properties" must be an object of property values');
    }
    const result = new Map<string, string | null>();
    const problems: { isValid: false; message: string; error: string; name: string }[] = [];
    for (const [name, raw] of Object.entries(input as PropertyInput)) {
      const property = store.properties.get(name);
      if (property === undefined) {
        problems.push({
          isValid: false,
          message: `Property "${name}" does not exist`,
          error: 'PROPERTY_DOESNT_EXIST',
          name,
        });
        continue;
      }
      if (READ_ONLY_PROPERTIES.has(name)) {
        problems.push({
          isValid: false,
          message: `"${name}" is a read only property; its value cannot be set.`,
          error: 'READ_ONLY_VALUE',
          name,
        });
        continue;
      }
      if (raw === null || raw === undefined || raw === '') {
        result.set(name, null);
        continue;
      }
      if (typeof raw === 'object') {
        problems.push({
          isValid: false,
          message: `${JSON.stringify(raw)} is not a valid value for ${name}`,
          error: 'INVALID_VALUE',
          name,
        });
        continue;
      }
      const text = String(raw);
      const problem = this.checkValue(store, property, text, (value) => result.set(name, value));
      if (problem !== undefined) problems.push({ isValid: false, name, ...problem });
    }
    if (store.info.name === 'deals') this.checkDealStage(result, existing, problems);
    if (problems.length > 0) {
      throw validationError(`Property values were not valid: ${JSON.stringify(problems)}`, {
        errors: problems.map((problem) => ({
          message: problem.message,
          code: problem.error,
          context: { propertyName: [problem.name] },
        })),
      });
    }
    return result;
  }

  private checkValue(
    store: ObjectStore,
    property: PropertyDefinition,
    text: string,
    accept: (value: string) => void,
  ): { message: string; error: string } | undefined {
    switch (property.type) {
      case 'number': {
        const n = Number(text);
        if (text.trim() === '' || Number.isNaN(n)) {
          return { message: `${text} was not a valid number.`, error: 'INVALID_FLOAT' };
        }
        accept(String(n));
        return undefined;
      }
      case 'datetime':
      case 'date': {
        const ms = parseTimestamp(text);
        if (ms === undefined)
          return { message: `${text} was not a valid long or ISO 8601 date.`, error: 'INVALID_DATE' };
        const iso = new Date(ms).toISOString();
        accept(property.type === 'date' ? iso.slice(0, 10) : iso);
        return undefined;
      }
      case 'bool': {
        const lowered = text.toLowerCase();
        if (lowered !== 'true' && lowered !== 'false') {
          return { message: `${text} was not a valid boolean.`, error: 'INVALID_BOOLEAN' };
        }
        accept(lowered);
        return undefined;
      }
      case 'enumeration': {
        if (property.name === 'hubspot_owner_id') {
          if (!this.owners.has(text))
            return { message: `${text} is not a valid owner id`, error: 'INVALID_OWNER_ID' };
        } else if (
          property.options.length > 0 &&
          !(store.info.name === 'deals' && property.name === 'pipeline')
        ) {
          const allowed = new Set(property.options.map((option) => option.value));
          const bad = text.split(';').filter((part) => !allowed.has(part));
          if (bad.length > 0) {
            return {
              message: `${bad.join(';')} was not one of the allowed options: ${[...allowed].join(', ')}`,
              error: 'INVALID_OPTION',
            };
          }
        }
        accept(text);
        return undefined;
      }
      default:
        accept(text);
        return undefined;
    }
  }

  private checkDealStage(
    values: Map<string, string | null>,
    existing: CrmRecord | undefined,
    problems: { isValid: false; message: string; error: string; name: string }[],
  ): void {
    const pipelineId = values.get('pipeline') ?? existing?.properties.get('pipeline') ?? 'default';
    const pipeline = this.pipelines.get(pipelineId);
    if (pipeline === undefined) {
      problems.push({
        isValid: false,
        name: 'pipeline',
        message: `${pipelineId} is not a valid pipeline`,
        error: 'INVALID_OPTION',
      });
      return;
    }
    const stage = values.get('dealstage');
    if (typeof stage === 'string' && !pipeline.stages.some((candidate) => candidate.id === stage)) {
      problems.push({
        isValid: false,
        name: 'dealstage',
        message: `${stage} is not a valid stage of pipeline ${pipelineId}: ${pipeline.stages.map((s) => s.id).join(', ')}`,
        error: 'INVALID_OPTION',
      });
    }
  }

  /**
   * Refuses a unique property value already taken by another live record. HubSpot answers 409
   * CONFLICT only for a contact's email; on every other object a taken unique value is a
   * property validation failure, 400 VALIDATION_ERROR (checked against a portal, DESIGN §7
   * "Portal facts"; "CRM API | Properties": hasUniqueValue).
   */
  private checkUnique(
    store: ObjectStore,
    values: Map<string, string | null>,
    selfId: string | undefined,
    pending: Map<string, Set<string>>,
  ): void {
    for (const [name, value] of values) {
      if (value === null) continue;
      const property = store.properties.get(name);
      const contactEmail = store.info.name === 'contacts' && name === 'email';
      const isUnique = property?.hasUniqueValue === true || contactEmail;
      if (!isUnique) continue;
      const key = value.toLowerCase();
      const holder = this.uniqueIndex(store, name).get(key);
      if (holder !== undefined && holder !== selfId) {
        if (contactEmail) throw conflict(`Contact already exists. Existing ID: ${holder}`);
        const problem = {
          isValid: false,
          message: `${value} already has that value on another ${store.info.singular}.`,
          error: 'INVALID_UNIQUE_VALUE',
          name,
        };
        throw validationError(`Property values were not valid: ${JSON.stringify([problem])}`, {
          errors: [{ message: problem.message, code: problem.error, context: { propertyName: [name] } }],
        });
      }
      const seen = pending.get(name) ?? new Set<string>();
      if (seen.has(key))
        throw conflict(`Duplicate value "${value}" for unique property ${name} in one request`);
      seen.add(key);
      pending.set(name, seen);
    }
  }

  private applyValues(
    store: ObjectStore,
    record: CrmRecord,
    values: Map<string, string | null>,
    emit: boolean,
  ): void {
    for (const [name, value] of values) {
      const before = this.setValue(store, record, name, value);
      if (before !== unchanged && emit) this.emitPropertyChange(store, record, name, value);
    }
    if (store.info.name === 'deals') this.computeDealFlags(store, record, emit);
    record.properties.set(store.info.modifiedProperty, new Date(record.updatedAt).toISOString());
  }

  private computeDealFlags(store: ObjectStore, record: CrmRecord, emit: boolean): void {
    const pipeline = this.pipelines.get(record.properties.get('pipeline') ?? 'default');
    const stage = pipeline?.stages.find((candidate) => candidate.id === record.properties.get('dealstage'));
    const computed = new Map<string, string | null>([
      ['hs_is_closed', stage === undefined ? 'false' : String(stage.isClosed)],
      ['hs_is_closed_won', stage === undefined ? 'false' : String(stage.isClosed && stage.probability === 1)],
      ['hs_deal_stage_probability', stage === undefined ? null : String(stage.probability)],
    ]);
    for (const [name, value] of computed) {
      const before = this.setValue(store, record, name, value);
      // A flag appearing for the first time is part of the creation, not a change.
      if (before !== unchanged && before !== undefined && emit)
        this.emitPropertyChange(store, record, name, value);
    }
  }

  /**
   * Sets one property (null removes it), keeping the unique-value indexes right. Returns the value it
   * had, or `unchanged` when it already held this value.
   */
  private setValue(
    store: ObjectStore,
    record: CrmRecord,
    name: string,
    value: string | null,
  ): string | undefined | typeof unchanged {
    const before = record.properties.get(name);
    if (before === (value ?? undefined)) return unchanged;
    this.unindex(store, record, name, before);
    if (value === null) record.properties.delete(name);
    else record.properties.set(name, value);
    this.index(store, record, name, value ?? undefined);
    return before;
  }

  private emitPropertyChange(
    store: ObjectStore,
    record: CrmRecord,
    name: string,
    value: string | null,
  ): void {
    this.emit({
      kind: 'propertyChange',
      typeId: store.info.objectTypeId,
      objectId: record.id,
      propertyName: name,
      propertyValue: value ?? '',
      occurredAt: record.updatedAt,
    });
  }

  private index(store: ObjectStore, record: CrmRecord, name: string, value: string | undefined): void {
    if (value === undefined || record.archived) return;
    store.unique.get(name)?.set(value.toLowerCase(), record.id);
  }

  private unindex(store: ObjectStore, record: CrmRecord, name: string, value: string | undefined): void {
    if (value === undefined) return;
    const key = value.toLowerCase();
    const unique = store.unique.get(name);
    if (unique?.get(key) === record.id) unique.delete(key);
  }

  private checkRequired(store: ObjectStore, values: Map<string, string | null>): void {
    const missing = store.info.requiredProperties.filter((name) => values.get(name) == null);
    if (missing.length > 0) {
      throw validationError(`Missing required properties: ${missing.join(', ')}`, {
        errors: missing.map((name) => ({
          message: `Property "${name}" is required`,
          code: 'REQUIRED_PROPERTY',
          context: { propertyName: [name] },
        })),
      });
    }
  }

  /** Validates a batch of creates; returns the prepared values, or throws before anything is stored. */
  prepareCreates(
    store: ObjectStore,
    inputs: { properties: unknown; associations?: unknown; id?: string | undefined }[],
  ): {
    values: Map<string, string | null>;
    associations: { toTypeId: string; toId: string; types: number[] }[];
    id?: string | undefined;
  }[] {
    const pending = new Map<string, Set<string>>();
    return inputs.map((input) => {
      const values = this.normalise(store, input.properties ?? {}, undefined);
      this.checkRequired(store, values);
      this.checkUnique(store, values, undefined, pending);
      if (input.id !== undefined && store.records.has(input.id))
        throw conflict(`Object ${input.id} already exists`);
      return {
        values,
        associations: this.prepareCreateAssociations(store, input.associations),
        id: input.id,
      };
    });
  }

  private prepareCreateAssociations(
    store: ObjectStore,
    input: unknown,
  ): { toTypeId: string; toId: string; types: number[] }[] {
    if (input === undefined || input === null) return [];
    if (!Array.isArray(input)) throw validationError('"associations" must be an array');
    return input.map((entry: unknown, index) => {
      const candidate = entry as { to?: { id?: unknown }; types?: unknown };
      const toId = candidate?.to?.id;
      if (toId === undefined || !Array.isArray(candidate.types) || candidate.types.length === 0) {
        throw validationError(`associations[${index}] needs "to.id" and a non-empty "types" list`);
      }
      const types = (candidate.types as AssociationInput[]).map((type) =>
        this.associations.associationType(type, store.info.objectTypeId, undefined),
      );
      const toTypeId = types[0]?.toTypeId ?? '';
      const toStore = this.storeById(toTypeId);
      const target = toStore.records.get(String(toId));
      if (target === undefined || target.archived) {
        throw validationError(
          `associations[${index}]: ${toStore.info.singular} ${String(toId)} does not exist`,
        );
      }
      return { toTypeId, toId: String(toId), types: types.map((type) => type.typeId) };
    });
  }

  /** Stores prepared creates. */
  commitCreates(
    store: ObjectStore,
    prepared: ReturnType<Portal['prepareCreates']>,
    createdAt?: (index: number) => number | undefined,
  ): CrmRecord[] {
    return prepared.map((item, index) => {
      const at = createdAt?.(index) ?? this.now();
      const id = item.id ?? this.allocateId();
      if (item.id !== undefined && Number(item.id) >= this.nextId) this.nextId = Number(item.id) + 1;
      const record: CrmRecord = {
        id,
        typeId: store.info.objectTypeId,
        properties: new Map(),
        createdAt: at,
        updatedAt: at,
        archived: false,
        archivedAt: undefined,
      };
      store.records.set(id, record);
      const numeric = Number(id);
      const last = store.order.at(-1);
      if (last === undefined || numeric > last) store.order.push(numeric);
      else store.order.splice(lowerBound(store.order, numeric), 0, numeric);
      if (store.info.name === 'deals' && !item.values.has('pipeline') && item.values.has('dealstage')) {
        item.values.set('pipeline', 'default');
      }
      const createdProperty = store.info.createdProperty;
      if (!item.values.has(createdProperty)) item.values.set(createdProperty, new Date(at).toISOString());
      item.values.set('hs_object_id', id);
      this.applyValues(store, record, item.values, false);
      this.emit({ kind: 'creation', typeId: store.info.objectTypeId, objectId: id, occurredAt: at });
      for (const [name, value] of item.values) {
        if (value !== null && name !== 'hs_object_id') {
          this.emit({
            kind: 'propertyChange',
            typeId: store.info.objectTypeId,
            objectId: id,
            propertyName: name,
            propertyValue: value,
            occurredAt: at,
          });
        }
      }
      for (const association of item.associations) {
        this.associations.associate(
          store.info.objectTypeId,
          id,
          association.toTypeId,
          association.toId,
          association.types,
        );
      }
      this.indexForSearch(record);
      return record;
    });
  }

  /**
   * Hands a written record to the search index: at once for seeded or generated data (written
   * silently, before any client looks), after the index's lag for a client's write.
   */
  private indexForSearch(record: CrmRecord): void {
    if (this.muted > 0) this.searchIndex.indexNow(record);
    else this.searchIndex.written(record);
  }

  /** Finds a live record by id or by a unique `idProperty`; 404 when absent. */
  find(store: ObjectStore, id: string, idProperty?: string, archived = false): CrmRecord {
    let record: CrmRecord | undefined;
    if (idProperty !== undefined && idProperty !== '' && idProperty !== 'hs_object_id') {
      const property = store.properties.get(idProperty);
      if (property === undefined) throw validationError(`Property "${idProperty}" does not exist`);
      const isUnique = property.hasUniqueValue || (store.info.name === 'contacts' && idProperty === 'email');
      if (!isUnique)
        throw validationError(`${idProperty} is not a unique property and cannot be used as idProperty`);
      const recordId = this.uniqueIndex(store, idProperty).get(id.toLowerCase());
      record = recordId === undefined ? undefined : store.records.get(recordId);
    } else {
      record = store.records.get(id);
    }
    if (record === undefined || record.archived !== archived) {
      throw notFound(`Object not found. objectId are usually numeric. (${store.info.singular} ${id})`);
    }
    return record;
  }

  /** Validates updates against existing records; throws before anything changes. */
  prepareUpdates(
    store: ObjectStore,
    inputs: { id: string; properties: unknown; idProperty?: string | undefined }[],
  ): { record: CrmRecord; values: Map<string, string | null> }[] {
    const pending = new Map<string, Set<string>>();
    return inputs.map((input) => {
      const record = this.find(store, input.id, input.idProperty);
      const values = this.normalise(store, input.properties ?? {}, record);
      this.checkUnique(store, values, record.id, pending);
      return { record, values };
    });
  }

  commitUpdates(store: ObjectStore, prepared: ReturnType<Portal['prepareUpdates']>): CrmRecord[] {
    return prepared.map(({ record, values }) => {
      record.updatedAt = this.now();
      if (
        store.info.name === 'deals' &&
        values.has('dealstage') &&
        !record.properties.has('pipeline') &&
        !values.has('pipeline')
      ) {
        values.set('pipeline', 'default');
      }
      this.applyValues(store, record, values, true);
      this.indexForSearch(record);
      return record;
    });
  }

  archive(store: ObjectStore, id: string): void {
    const record = store.records.get(id);
    if (record === undefined || record.archived) return; // HubSpot answers 204 for an already archived id
    for (const [name, value] of record.properties) this.unindex(store, record, name, value);
    record.archived = true;
    record.archivedAt = this.now();
    this.indexForSearch(record);
    const key = `${store.info.objectTypeId}/${id}`;
    for (const [target, types] of this.associations.links.get(key) ?? []) {
      const [toTypeId = '', toId = ''] = target.split('/');
      this.associations.disassociate(store.info.objectTypeId, id, toTypeId, toId, [...types]);
    }
    this.emit({
      kind: 'deletion',
      typeId: store.info.objectTypeId,
      objectId: id,
      occurredAt: record.archivedAt,
    });
  }

  /** Live records in id order after the cursor (`after` is the id to start at). */
  list(
    store: ObjectStore,
    limit: number,
    after: string | undefined,
    archived: boolean,
  ): { records: CrmRecord[]; next?: string } {
    let position = 0;
    if (after !== undefined && after !== '') {
      const start = Number(after);
      if (!Number.isFinite(start))
        throw validationError(`after must be a paging cursor returned by the previous page: ${after}`);
      position = lowerBound(store.order, start);
    }
    const records: CrmRecord[] = [];
    for (; position < store.order.length && records.length < limit; position++) {
      const record = store.records.get(String(store.order[position]));
      if (record !== undefined && record.archived === archived) records.push(record);
    }
    for (; position < store.order.length; position++) {
      const record = store.records.get(String(store.order[position]));
      if (record !== undefined && record.archived === archived) return { records, next: record.id };
    }
    return { records };
  }

  // ---------------------------------------------------------------- schemas and properties

  /** Creates a custom object schema; 409 when the name is taken, 400 on an invalid definition. */
  createSchema(input: Record<string, unknown>): ObjectStore {
    const name = input.name;
    if (typeof name !== 'string' || !/^[a-z][a-z0-9_]*$/i.test(name)) {
      throw validationError('"name" is required: letters, digits and underscores, starting with a letter');
    }
    const labels = input.labels as { singular?: unknown; plural?: unknown } | undefined;
    if (typeof labels?.singular !== 'string' || typeof labels.plural !== 'string') {
      throw validationError('"labels.singular" and "labels.plural" are required');
    }
    const properties = input.properties;
    if (!Array.isArray(properties) || properties.length === 0)
      throw validationError('"properties" must be a non-empty array');
    const fullyQualifiedName = `p${this.portalId}_${name}`;
    const taken = this.typeNames.get(name.toLowerCase());
    if (taken !== undefined && this.stores.get(taken)?.info.custom === false) {
      throw validationError(`${name} is the name of a standard object type and cannot name a custom object`);
    }
    for (const store of this.stores.values()) {
      if (store.info.custom && store.info.name.toLowerCase() === name.toLowerCase()) {
        throw conflict(
          `Object type with name ${name} already exists (objectTypeId ${store.info.objectTypeId})`,
        );
      }
    }
    const groupName = `${name.toLowerCase()}_information`;
    const nowIso = new Date(this.now()).toISOString();
    const definitions = properties.map((property: unknown) =>
      this.parsePropertyInput(property, groupName, nowIso),
    );
    const names = new Set<string>();
    for (const definition of definitions) {
      if (names.has(definition.name)) throw validationError(`Property ${definition.name} is defined twice`);
      names.add(definition.name);
    }
    const required = Array.isArray(input.requiredProperties) ? input.requiredProperties.map(String) : [];
    for (const requiredName of required) {
      if (!names.has(requiredName))
        throw validationError(`required property ${requiredName} is not among the schema's properties`);
    }
    const primary =
      typeof input.primaryDisplayProperty === 'string' ? input.primaryDisplayProperty : undefined;
    if (primary !== undefined && !names.has(primary))
      throw validationError(`primaryDisplayProperty ${primary} is not among the schema's properties`);
    const associatedObjects = Array.isArray(input.associatedObjects)
      ? input.associatedObjects.map(String)
      : [];
    const targets = associatedObjects.map((target) =>
      this.store(
        target === 'CONTACT'
          ? 'contacts'
          : target === 'COMPANY'
            ? 'companies'
            : target === 'DEAL'
              ? 'deals'
              : target,
      ),
    );
    const numericId = this.nextCustomObjectId++;
    const objectTypeId = `2-${numericId}`;
    const store = this.addStore(
      {
        objectTypeId,
        name,
        singular: name.toLowerCase(),
        aliases: [name, fullyQualifiedName],
        defaultProperties: [
          'hs_createdate',
          'hs_lastmodifieddate',
          'hs_object_id',
          ...(primary === undefined ? [] : [primary]),
        ],
        createdProperty: 'hs_createdate',
        modifiedProperty: 'hs_lastmodifieddate',
        defaultGroup: groupName,
        custom: true,
        requiredProperties: required,
      },
      undefined,
    );
    for (const [systemName, type] of [
      ['hs_createdate', 'datetime'],
      ['hs_lastmodifieddate', 'datetime'],
      ['hs_object_id', 'number'],
      ['hubspot_owner_id', 'enumeration'],
    ] as const) {
      store.properties.set(
        systemName,
        propertyDefinition(
          {
            name: systemName,
            type,
            fieldType: type === 'number' ? 'number' : type === 'datetime' ? 'date' : 'select',
            groupName,
          },
          true,
          nowIso,
        ),
      );
    }
    for (const definition of definitions) store.properties.set(definition.name, definition);
    const at = this.now();
    const associations = targets.map((target) =>
      this.associations.defineCustomAssociation(objectTypeId, target.info.objectTypeId, undefined),
    );
    store.schema = {
      id: String(numericId),
      objectTypeId,
      fullyQualifiedName,
      name,
      labels: { singular: labels.singular, plural: labels.plural },
      primaryDisplayProperty: primary,
      secondaryDisplayProperties: Array.isArray(input.secondaryDisplayProperties)
        ? input.secondaryDisplayProperties
        : [],
      searchableProperties: Array.isArray(input.searchableProperties) ? input.searchableProperties : [],
      requiredProperties: required,
      description: typeof input.description === 'string' ? input.description : undefined,
      metaType: 'PORTAL_SPECIFIC',
      portalId: this.portalId,
      archived: false,
      createdAt: new Date(at).toISOString(),
      updatedAt: new Date(at).toISOString(),
      associationIds: associations.map((association) => association.typeId),
    };
    return store;
  }

  /** Parses a property create request (HubSpot's required fields: name, label, type, fieldType, groupName). */
  parsePropertyInput(input: unknown, defaultGroup: string | undefined, nowIso: string): PropertyDefinition {
    const candidate = (input ?? {}) as Record<string, unknown>;
    const missing = [
      'name',
      'label',
      'type',
      'fieldType',
      ...(defaultGroup === undefined ? ['groupName'] : []),
    ].filter((field) => typeof candidate[field] !== 'string' || candidate[field] === '');
    if (missing.length > 0) throw validationError(`Property definition is missing: ${missing.join(', ')}`);
    const type = candidate.type as PropertyDefinition['type'];
    if (!['string', 'number', 'date', 'datetime', 'enumeration', 'bool', 'phone_number'].includes(type)) {
      throw validationError(
        `Property type ${String(type)} is not one of string, number, date, datetime, enumeration, bool, phone_number`,
      );
    }
    const name = String(candidate.name);
    if (!/^[a-z][a-z0-9_]*$/.test(name))
      throw validationError(`Property name ${name} must be lower case letters, digits and underscores`);
    const options = Array.isArray(candidate.options)
      ? (candidate.options as { label: string; value: string }[])
      : [];
    if (type === 'enumeration' && options.length === 0 && candidate.fieldType !== 'select') {
      throw validationError(`Enumeration property ${name} needs options`);
    }
    return propertyDefinition(
      {
        name,
        type,
        fieldType: String(candidate.fieldType),
        label: String(candidate.label),
        groupName:
          typeof candidate.groupName === 'string' && candidate.groupName !== ''
            ? candidate.groupName
            : (defaultGroup ?? ''),
        description: typeof candidate.description === 'string' ? candidate.description : undefined,
        options,
        hasUniqueValue: candidate.hasUniqueValue === true,
        hidden: candidate.hidden === true,
        displayOrder: typeof candidate.displayOrder === 'number' ? candidate.displayOrder : undefined,
      },
      false,
      nowIso,
    );
  }

  /** Validates property definitions for a type; throws 409 for a taken name, 400 otherwise. */
  prepareProperties(store: ObjectStore, inputs: unknown[]): PropertyDefinition[] {
    const nowIso = new Date(this.now()).toISOString();
    const seen = new Set<string>();
    return inputs.map((input) => {
      const definition = this.parsePropertyInput(input, undefined, nowIso);
      if (store.properties.has(definition.name) || seen.has(definition.name)) {
        throw conflict(`Property named '${definition.name}' already exists.`);
      }
      if (!store.groups.has(definition.groupName)) {
        throw validationError(`Property group ${definition.groupName} does not exist for ${store.info.name}`);
      }
      seen.add(definition.name);
      return definition;
    });
  }

  addProperties(store: ObjectStore, definitions: PropertyDefinition[]): void {
    for (const definition of definitions) store.properties.set(definition.name, definition);
  }

  validateBatchSize(inputs: unknown): unknown[] {
    if (!Array.isArray(inputs)) throw validationError('"inputs" must be an array');
    if (inputs.length > MAX_BATCH) {
      throw validationError(`Too many inputs: ${inputs.length}. The maximum batch size is ${MAX_BATCH}.`);
    }
    return inputs;
  }
}

/** First index in an ascending array whose value is ≥ target. */
export function lowerBound(sorted: number[], target: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if ((sorted[mid] ?? 0) < target) low = mid + 1;
    else high = mid;
  }
  return low;
}
