import { conflict, notFound, validationError } from './errors.ts';
import { HUBSPOT_DEFINED_ASSOCIATIONS } from './object-types.ts';
import type { AssociationInput, AssociationType, CrmChange } from './portal.ts';
import type { AssociationGraphSnapshot } from './snapshot.ts';

/**
 * Association types (HubSpot-defined, custom-object and user-defined labels) and the
 * associations between records, both directions kept in step.
 */
export class AssociationGraph {
  readonly types = new Map<number, AssociationType>();
  /** `fromType/fromId` → `toType/toId` → association type ids. */
  readonly links = new Map<string, Map<string, Set<number>>>();
  private nextTypeId = 9000;
  private readonly now: () => number;
  private readonly emit: (change: CrmChange) => void;
  private readonly singularOf: (typeId: string) => string;

  constructor(now: () => number, emit: (change: CrmChange) => void, singularOf: (typeId: string) => string) {
    this.now = now;
    this.emit = emit;
    this.singularOf = singularOf;
  }

  /** Back to HubSpot's defined types between the standard objects, and no associations. */
  reset(): void {
    this.types.clear();
    this.links.clear();
    this.nextTypeId = 9000;
    for (const [fromTypeId, toTypeId, typeId, label, inverseTypeId] of HUBSPOT_DEFINED_ASSOCIATIONS) {
      this.types.set(typeId, {
        typeId,
        fromTypeId,
        toTypeId,
        category: 'HUBSPOT_DEFINED',
        label,
        name: `${this.singularOf(fromTypeId)}_to_${this.singularOf(toTypeId)}${label === 'Primary' ? '_primary' : ''}`,
        inverseTypeId,
      });
    }
  }

  /** The types, labels and associations, for saving. */
  snapshot(): AssociationGraphSnapshot {
    const links: AssociationGraphSnapshot['links'] = [];
    for (const [from, targets] of this.links) {
      for (const [to, typeIds] of targets)
        if (typeIds.size > 0) links.push({ from, to, typeIds: [...typeIds] });
    }
    return {
      types: [...this.types.values()].map((type) => ({ ...type })),
      nextTypeId: this.nextTypeId,
      links,
    };
  }

  /** Replaces everything with a saved snapshot, announcing nothing. */
  restore(snapshot: AssociationGraphSnapshot): void {
    this.types.clear();
    this.links.clear();
    for (const type of snapshot.types) this.types.set(type.typeId, { ...type });
    this.nextTypeId = snapshot.nextTypeId;
    for (const { from, to, typeIds } of snapshot.links) {
      let targets = this.links.get(from);
      if (targets === undefined) {
        targets = new Map();
        this.links.set(from, targets);
      }
      targets.set(to, new Set(typeIds));
    }
  }

  /** Resolves an association type for a from/to pair; 400 when it does not exist for that pair. */
  associationType(
    input: AssociationInput,
    fromTypeId: string,
    toTypeId: string | undefined,
  ): AssociationType {
    const typeId = Number(input?.associationTypeId);
    const type = this.types.get(typeId);
    if (
      type === undefined ||
      type.fromTypeId !== fromTypeId ||
      (toTypeId !== undefined && type.toTypeId !== toTypeId)
    ) {
      throw validationError(
        `${String(input?.associationTypeId)} is not a valid association type id from ${fromTypeId}${toTypeId === undefined ? '' : ` to ${toTypeId}`}`,
      );
    }
    if (input.associationCategory !== undefined && input.associationCategory !== type.category) {
      throw validationError(
        `association type ${typeId} has category ${type.category}, not ${input.associationCategory}`,
      );
    }
    return type;
  }

  /** The unlabelled (default) association type of a pair. */
  defaultAssociationType(fromTypeId: string, toTypeId: string): AssociationType {
    const type = this.findDefaultAssociationType(fromTypeId, toTypeId);
    if (type === undefined)
      throw validationError(`No association is defined between ${fromTypeId} and ${toTypeId}`);
    return type;
  }

  private findDefaultAssociationType(fromTypeId: string, toTypeId: string): AssociationType | undefined {
    for (const type of this.types.values()) {
      if (type.fromTypeId === fromTypeId && type.toTypeId === toTypeId && type.label === null) return type;
    }
    return undefined;
  }

  associate(fromTypeId: string, fromId: string, toTypeId: string, toId: string, typeIds: number[]): void {
    const forward = this.pairTypes(fromTypeId, fromId, toTypeId, toId);
    const backward = this.pairTypes(toTypeId, toId, fromTypeId, fromId);
    // A labelled association always comes with the pair's unlabelled one, as in HubSpot.
    const labelled = typeIds.some((typeId) => this.types.get(typeId)?.label != null);
    const unlabelled = labelled ? this.findDefaultAssociationType(fromTypeId, toTypeId) : undefined;
    for (const typeId of unlabelled === undefined ? typeIds : [unlabelled.typeId, ...typeIds]) {
      const type = this.types.get(typeId);
      if (type === undefined || forward.has(typeId)) continue;
      forward.add(typeId);
      backward.add(type.inverseTypeId);
      this.emitChange([fromTypeId, fromId, toTypeId, toId], typeId, type.category, false);
    }
  }

  disassociate(
    fromTypeId: string,
    fromId: string,
    toTypeId: string,
    toId: string,
    typeIds: number[] | undefined,
  ): void {
    const forward = this.links.get(`${fromTypeId}/${fromId}`)?.get(`${toTypeId}/${toId}`);
    if (forward === undefined) return;
    const removing = typeIds ?? [...forward];
    const backward = this.links.get(`${toTypeId}/${toId}`)?.get(`${fromTypeId}/${fromId}`);
    for (const typeId of removing) {
      if (!forward.delete(typeId)) continue;
      const type = this.types.get(typeId);
      if (type !== undefined) backward?.delete(type.inverseTypeId);
      this.emitChange(
        [fromTypeId, fromId, toTypeId, toId],
        typeId,
        type?.category ?? 'HUBSPOT_DEFINED',
        true,
      );
    }
    if (forward.size === 0) this.links.get(`${fromTypeId}/${fromId}`)?.delete(`${toTypeId}/${toId}`);
    if (backward?.size === 0) this.links.get(`${toTypeId}/${toId}`)?.delete(`${fromTypeId}/${fromId}`);
  }

  /** Announces one association type added or removed between two records. */
  private emitChange(
    [fromTypeId, fromObjectId, toTypeId, toObjectId]: readonly [string, string, string, string],
    associationTypeId: number,
    category: 'HUBSPOT_DEFINED' | 'USER_DEFINED',
    removed: boolean,
  ): void {
    this.emit({
      kind: 'associationChange',
      fromTypeId,
      fromObjectId,
      toTypeId,
      toObjectId,
      associationTypeId,
      category,
      removed,
      occurredAt: this.now(),
    });
  }

  private pairTypes(fromTypeId: string, fromId: string, toTypeId: string, toId: string): Set<number> {
    const key = `${fromTypeId}/${fromId}`;
    let targets = this.links.get(key);
    if (targets === undefined) {
      targets = new Map();
      this.links.set(key, targets);
    }
    const target = `${toTypeId}/${toId}`;
    let types = targets.get(target);
    if (types === undefined) {
      types = new Set();
      targets.set(target, types);
    }
    return types;
  }

  /** Associated record ids of one type, with their association type ids. */
  associated(fromTypeId: string, fromId: string, toTypeId: string): { toId: string; typeIds: number[] }[] {
    const result: { toId: string; typeIds: number[] }[] = [];
    for (const [target, types] of this.links.get(`${fromTypeId}/${fromId}`) ?? []) {
      const slash = target.indexOf('/');
      if (target.slice(0, slash) !== toTypeId || types.size === 0) continue;
      result.push({ toId: target.slice(slash + 1), typeIds: [...types] });
    }
    return result.sort((a, b) => Number(a.toId) - Number(b.toId));
  }

  /** Creates a user-defined label for a pair (and its inverse); 409 when the name is taken. */
  createLabel(
    fromTypeId: string,
    toTypeId: string,
    input: { label?: unknown; name?: unknown; inverseLabel?: unknown },
  ): AssociationType[] {
    if (typeof input?.label !== 'string' || input.label.trim() === '')
      throw validationError('"label" is required');
    if (typeof input.name !== 'string' || !/^[A-Za-z0-9_]+$/.test(input.name)) {
      throw validationError('"name" is required and may contain only letters, digits and underscores');
    }
    if (input.inverseLabel !== undefined && typeof input.inverseLabel !== 'string') {
      throw validationError('"inverseLabel" must be a string');
    }
    for (const type of this.types.values()) {
      const samePair = type.fromTypeId === fromTypeId && type.toTypeId === toTypeId;
      if (
        samePair &&
        type.category === 'USER_DEFINED' &&
        (type.name === input.name || type.label === input.label)
      ) {
        throw conflict(
          type.name === input.name
            ? `An association label of name ${input.name} already exists for ${fromTypeId} to ${toTypeId}, labelled "${type.label ?? ''}"`
            : `An association label "${input.label}" already exists for ${fromTypeId} to ${toTypeId}, of name ${type.name}`,
        );
      }
    }
    const forwardId = this.nextTypeId++;
    const backwardId = this.nextTypeId++;
    const forward: AssociationType = {
      typeId: forwardId,
      fromTypeId,
      toTypeId,
      category: 'USER_DEFINED',
      label: input.label,
      name: input.name,
      inverseTypeId: backwardId,
    };
    const backward: AssociationType = {
      typeId: backwardId,
      fromTypeId: toTypeId,
      toTypeId: fromTypeId,
      category: 'USER_DEFINED',
      label: typeof input.inverseLabel === 'string' ? input.inverseLabel : input.label,
      name: typeof input.inverseLabel === 'string' ? `${input.name}_inverse` : input.name,
      inverseTypeId: forwardId,
    };
    this.types.set(forwardId, forward);
    this.types.set(backwardId, backward);
    return [forward, backward];
  }

  /** The user-defined label `typeId` of the pair, or a 404 as HubSpot answers for an unknown label. */
  private userDefinedLabel(fromTypeId: string, toTypeId: string, typeId: unknown): AssociationType {
    const type = this.types.get(Number(typeId));
    if (
      type === undefined ||
      type.fromTypeId !== fromTypeId ||
      type.toTypeId !== toTypeId ||
      type.category !== 'USER_DEFINED' ||
      type.label === null
    ) {
      throw notFound(`No user-defined association label ${String(typeId)} from ${fromTypeId} to ${toTypeId}`);
    }
    return type;
  }

  /** Removes a user-defined label (both directions) from the pair and from every association carrying it. */
  removeLabel(fromTypeId: string, toTypeId: string, typeId: number): void {
    const type = this.userDefinedLabel(fromTypeId, toTypeId, typeId);
    for (const [from, targets] of this.links) {
      for (const [to, typeIds] of targets) {
        if (!typeIds.has(typeId)) continue;
        const [, fromId = ''] = from.split('/');
        const [, toId = ''] = to.split('/');
        this.disassociate(fromTypeId, fromId, toTypeId, toId, [typeId]);
      }
    }
    this.types.delete(type.inverseTypeId);
    this.types.delete(typeId);
  }

  /** Renames a user-defined label (and its inverse label). */
  renameLabel(
    fromTypeId: string,
    toTypeId: string,
    input: { associationTypeId?: unknown; label?: unknown; inverseLabel?: unknown },
  ): void {
    const type = this.userDefinedLabel(fromTypeId, toTypeId, input?.associationTypeId);
    if (typeof input.label !== 'string' || input.label.trim() === '')
      throw validationError('"label" is required');
    const inverse = this.types.get(type.inverseTypeId);
    const paired = inverse !== undefined && inverse.label !== type.label;
    type.label = input.label;
    if (inverse !== undefined)
      inverse.label =
        typeof input.inverseLabel === 'string' ? input.inverseLabel : paired ? inverse.label : input.label;
  }

  labels(fromTypeId: string, toTypeId: string): AssociationType[] {
    return [...this.types.values()]
      .filter((type) => type.fromTypeId === fromTypeId && type.toTypeId === toTypeId)
      .sort((a, b) => a.typeId - b.typeId);
  }

  /** Adds an association definition between a custom object and another type (both directions). */
  defineCustomAssociation(fromTypeId: string, toTypeId: string, name: string | undefined): AssociationType {
    const fromName = this.singularOf(fromTypeId);
    const toName = this.singularOf(toTypeId);
    for (const type of this.types.values()) {
      if (type.fromTypeId === fromTypeId && type.toTypeId === toTypeId && type.label === null) {
        throw conflict(
          `An association between ${fromTypeId} and ${toTypeId} is already defined (id ${type.typeId})`,
        );
      }
    }
    const forwardId = this.nextTypeId++;
    const backwardId = this.nextTypeId++;
    const forwardName = name ?? `${fromName}_to_${toName}`;
    const forward: AssociationType = {
      typeId: forwardId,
      fromTypeId,
      toTypeId,
      category: 'USER_DEFINED',
      label: null,
      name: forwardName,
      inverseTypeId: backwardId,
    };
    this.types.set(forwardId, forward);
    this.types.set(backwardId, {
      typeId: backwardId,
      fromTypeId: toTypeId,
      toTypeId: fromTypeId,
      category: 'USER_DEFINED',
      label: null,
      name: `${toName}_to_${fromName}`,
      inverseTypeId: forwardId,
    });
    return forward;
  }
}
