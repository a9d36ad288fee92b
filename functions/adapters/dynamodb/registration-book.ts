import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import * as z from 'zod';
import { type RecentChecks, type RecordedCheck, withCheck } from '#domain/conflicts/check-order.ts';
import type { RegistrationProgress } from '#domain/registration-progress.ts';
import {
  type CustomerRegistration,
  customerRegistrationSchema,
  hasEnded,
  type RegistrationStanding,
  registrationStandingSchema,
  standingOf,
} from '#domain/registration-standing.ts';
import type { StoredRegistration } from '#domain/stored-registration.ts';
import { CorruptItemError } from '#ports/corrupt-item-error.ts';
import type {
  CheckFindings,
  ProgressPrecondition,
  ProgressSideEffects,
  ReadOptions,
  RegistrationBook,
} from '#ports/registration-book.ts';
import { type ItemKind, parseItem } from './parse-item.ts';
import {
  customerChecksItemKey,
  getRegistrationItems,
  indexCopies,
  isProgressItem,
  mergeProgressItem,
  progressItemKey,
  registrationIdOf,
  storedProgressOf,
  verdictItemKey,
} from './registration-items.ts';
import { storedRegistrationItem } from './stored-registration-item.ts';

/** The attribute the customer-domain index is keyed by: an item without it has no row there. */
const customerDomainAttribute = 'customerDomain';

/** The customer-domain index (lib/tables/registrations-table.ts) and the time its sort key holds. */
const customerDomainIndex = { name: 'byCustomerReceipt', timeAttribute: 'receivedAt' } as const;

/** A row of the customer-domain index: the keys and the projected attributes, nothing else. */
const customerRegistrationRow: ItemKind<typeof customerRegistrationSchema> = {
  schema: customerRegistrationSchema,
  what: 'a customer-domain index row',
  key: ['registrationId'],
};

/** A customer domain's recent-checks item (`check-order.ts`). */
const recentChecksItem: ItemKind<z.ZodType<RecentChecks>> = {
  schema: z.object({
    version: z.number().int().positive(),
    checks: z.array(
      z.object({ registrationId: z.string().min(1), receivedAt: z.string().min(1), cleared: z.boolean() }),
    ),
  }),
  what: "a customer domain's recent conflict checks",
  key: ['registrationId'],
};

/** The registrations table as the workflow's book: reads, the customer-domain index, conditional progress writes. */
export class DynamoDbRegistrationBook implements RegistrationBook {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.#client = client;
    this.#tableName = tableName;
  }

  async get(registrationId: string, options: ReadOptions = {}): Promise<StoredRegistration | undefined> {
    const { registration, progress, verdict } = await getRegistrationItems(
      this.#client,
      this.#tableName,
      registrationId,
      options,
    );
    return registration === undefined
      ? undefined
      : parseItem(
          storedRegistrationItem,
          this.#tableName,
          mergeProgressItem(registration, progress, verdict),
        );
  }

  async byCustomerDomain(customerDomain: string, receivedFrom: string): Promise<CustomerRegistration[]> {
    // A registration has a row for its registration item and, once the workflow ran a step, one
    // for its progress item; the progress item's row says where it stands.
    const rows = new Map<string, Record<string, unknown>>();
    const fromProgressItems = new Set<string>();
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.#client.send(
        new QueryCommand({
          TableName: this.#tableName,
          IndexName: customerDomainIndex.name,
          KeyConditionExpression: '#domain = :domain AND #time >= :from',
          ExpressionAttributeNames: {
            '#domain': 'customerDomain',
            '#time': customerDomainIndex.timeAttribute,
          },
          ExpressionAttributeValues: { ':domain': customerDomain, ':from': receivedFrom },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const registrationId = registrationIdOf(item);
        if (isProgressItem(item)) fromProgressItems.add(registrationId);
        if (isProgressItem(item) || !rows.has(registrationId))
          rows.set(registrationId, { ...item, registrationId });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    // A registration item's row alone: the workflow has not started, or it has ended and its
    // progress item left the index before the registration item did (see `#writeFirst`).
    const alone = [...rows.entries()]
      .filter(
        ([registrationId, item]) =>
          !fromProgressItems.has(registrationId) && item.standing === undefined && !isBeforeIndexCopies(item),
      )
      .map(([registrationId]) => registrationId);
    for (const [registrationId, standing] of await this.#standingsOfProgressItems(alone)) {
      const row = rows.get(registrationId);
      if (hasEnded(standing)) rows.delete(registrationId);
      else if (row !== undefined) rows.set(registrationId, { ...row, standing });
    }
    const records: CustomerRegistration[] = [];
    for (const [registrationId, item] of rows) {
      records.push(
        isBeforeIndexCopies(item)
          ? await this.#fromWholeItem(registrationId)
          : parseItem(customerRegistrationRow, this.#tableName, item),
      );
    }
    return records;
  }

  async customerRegistration(registrationId: string): Promise<CustomerRegistration | undefined> {
    const whole = await this.get(registrationId, { withVerdict: false });
    // A submission intake refused has no details, and no place among the customer's registrations.
    if (whole?.details === undefined) return undefined;
    return customerRegistrationSchema.parse({
      registrationId: whole.registrationId,
      receivedAt: whole.receivedAt,
      customerDomain: whole.details.customerDomain,
      partnerDomain: whole.details.partnerDomain,
      customerCompanyKey: whole.details.customerCompanyKey,
      standing: whole.progress === undefined ? {} : standingOf(whole.progress),
    });
  }

  async recentChecks(customerDomain: string): Promise<RecentChecks> {
    const { Item } = await this.#client.send(
      new GetCommand({
        TableName: this.#tableName,
        Key: customerChecksItemKey(customerDomain),
        ConsistentRead: true,
      }),
    );
    if (Item === undefined) return { version: 0, checks: [] };
    return parseItem(recentChecksItem, this.#tableName, Item);
  }

  async recordCheck(customerDomain: string, read: RecentChecks, check: RecordedCheck): Promise<boolean> {
    const checks = withCheck(read.checks, check);
    if (checks === undefined) return true;
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: { ...customerChecksItemKey(customerDomain), version: read.version + 1, checks },
          // Written only over the checks that were read: a check recorded since makes this one
          // read them again ("Condition expressions", optimistic locking with a version number).
          ...(read.version === 0
            ? { ConditionExpression: 'attribute_not_exists(registrationId)' }
            : {
                ConditionExpression: '#version = :version',
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':version': read.version },
              }),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * A registration stored before the index carried its own copies (partner domain, company key)
   * is read whole and its row derived, so registrations taken in before an upgrade still
   * count in the conflict check; the next progress write adds the standing, the rest stays as it is.
   */
  async #fromWholeItem(registrationId: string): Promise<CustomerRegistration> {
    const row = await this.customerRegistration(registrationId);
    if (row === undefined) {
      throw new CorruptItemError(
        {
          tableName: this.#tableName,
          key: registrationId,
          what: 'a registration in the customer-domain index',
        },
        ['it has no registration details'],
      );
    }
    return row;
  }

  /**
   * The standings of the progress items of these registrations that have one (eventually
   * consistent: half a read unit each, 100 to a request). A registration whose workflow has not
   * started has none.
   */
  async #standingsOfProgressItems(
    registrationIds: readonly string[],
  ): Promise<Map<string, RegistrationStanding>> {
    const standings = new Map<string, RegistrationStanding>();
    for (let start = 0; start < registrationIds.length; start += 100) {
      let keys: Record<string, unknown>[] | undefined = registrationIds
        .slice(start, start + 100)
        .map((registrationId) => progressItemKey(registrationId));
      // Keys DynamoDB left unprocessed (throttling, the response size) are asked for again.
      for (let attempt = 0; keys !== undefined && keys.length > 0; attempt += 1) {
        if (attempt > 0)
          await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** attempt)));
        const result: BatchGetCommandOutput = await this.#client.send(
          new BatchGetCommand({
            RequestItems: {
              [this.#tableName]: {
                Keys: keys,
                ProjectionExpression: '#id, #standing',
                ExpressionAttributeNames: { '#id': 'registrationId', '#standing': 'standing' },
              },
            },
          }),
        );
        for (const item of result.Responses?.[this.#tableName] ?? []) {
          standings.set(registrationIdOf(item), registrationStandingSchema.parse(item.standing ?? {}));
        }
        keys = result.UnprocessedKeys?.[this.#tableName]?.Keys;
      }
    }
    return standings;
  }

  /**
   * Writes the progress item (one small write). Its first write copies the index attributes from
   * the registration item; a registration stored with its progress inline keeps it there. A
   * registration that has ended (`hasEnded`) leaves the customer-domain index: it never holds its
   * customer again, so the conflict check reads only the registrations that can.
   */
  async saveProgress(
    registrationId: string,
    progress: RegistrationProgress,
    options: { precondition?: ProgressPrecondition; sideEffects?: ProgressSideEffects } = {},
  ): Promise<boolean> {
    /**
     * `whole`: the progress as it is, for an item that holds it whole (a registration item with
     * its progress inline, a progress item with its verdict inline); otherwise the progress item's
     * share of it (`storedProgressOf`), on condition that the item holds no verdict inline.
     */
    const ended = hasEnded(standingOf(progress));
    const update = (first = false, whole = false): Expression => {
      const names: Record<string, string> = {
        '#id': 'registrationId',
        '#progress': 'progress',
        '#standing': 'standing',
      };
      // Setting the standing to the value it already has writes nothing to the index.
      const values: Record<string, unknown> = {
        ':progress': whole ? progress : storedProgressOf(progress),
        ':standing': standingOf(progress),
      };
      // The first write creates the item; the precondition was checked against no progress.
      const conditions = [first ? 'attribute_not_exists(#id)' : 'attribute_exists(#id)'];
      if (!first && !whole) {
        names['#verdict'] = 'verdict';
        conditions.push('attribute_not_exists(#progress.#verdict)');
      }
      const statuses = options.precondition?.statusIn;
      if (statuses !== undefined && !first) {
        const alternatives = statuses.map((status, index) => {
          if (status === 'none') return 'attribute_not_exists(#progress)';
          names['#status'] = 'status';
          values[`:s${index}`] = status;
          // The status is in the standing; progress written whole holds it too.
          return `#progress.#status = :s${index} OR #standing.#status = :s${index}`;
        });
        conditions.push(`(${alternatives.join(' OR ')})`);
      }
      const remove = first ? [] : [...(options.sideEffects?.remove ?? [])];
      if (ended && !first) remove.push(customerDomainAttribute);
      return {
        names,
        values,
        conditions,
        set: { ...(options.sideEffects?.set ?? {}) },
        remove,
        assignments: ['#progress = :progress', '#standing = :standing'],
      };
    };
    const statuses = options.precondition?.statusIn;
    // A write that expects no progress yet is most likely the first: create the item straight away.
    if (statuses?.includes('none') === true) {
      const created = await this.#writeFirst(registrationId, update, ended);
      if (created !== 'exists') return created;
    }
    const written = await this.#update(progressItemKey(registrationId), update());
    // A progress item stored with its verdict inline keeps the progress whole until it ends.
    if (written === 'verdict-inline')
      return (await this.#update(progressItemKey(registrationId), update(false, true))) === true;
    if (written !== 'missing') return written;
    if (statuses !== undefined && !statuses.includes('none')) {
      return this.#writeInline(registrationId, update);
    }
    return (await this.#writeFirst(registrationId, update, ended)) === true;
  }

  /**
   * Creates the progress item, with the copies the customer-domain index needs from the
   * registration item; a registration stored with its progress inline is written there instead.
   */
  async #writeFirst(
    registrationId: string,
    update: (first?: boolean, whole?: boolean) => Expression,
    ended: boolean,
  ): Promise<boolean | 'exists'> {
    const registration = await this.#registrationItem(registrationId);
    if (registration === undefined) return false;
    // Stored before progress had an item of its own: it stays inline until the registration ends.
    if (registration.progress !== undefined)
      return (await this.#update({ registrationId }, update(false, true))) === true;
    const first = update(true);
    for (const attribute of indexCopies) {
      if (registration[attribute] === undefined) continue;
      if (ended && attribute === customerDomainAttribute) continue;
      first.names[`#${attribute}`] = attribute;
      first.values[`:${attribute}`] = registration[attribute];
      first.assignments.push(`#${attribute} = :${attribute}`);
    }
    const created = await this.#update(progressItemKey(registrationId), first);
    if (created === true && registration[customerDomainAttribute] !== undefined)
      await this.#leaveIndex(registrationId);
    return created === false ? 'exists' : created === true;
  }

  /**
   * Takes the registration item's row out of the customer-domain index, once its progress item
   * has one (or has ended): from then on the progress item's row says where the registration
   * stands, and a registration that ends leaves the index whole. The row goes after the progress
   * item was written, so the registration is never missing from the index while it holds its
   * customer; a row left behind by a failure in between is resolved by the reader
   * (`byCustomerDomain`).
   */
  async #leaveIndex(registrationId: string): Promise<void> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { registrationId },
          UpdateExpression: 'REMOVE #domain',
          ConditionExpression: 'attribute_exists(registrationId)',
          ExpressionAttributeNames: { '#domain': customerDomainAttribute },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /** A registration without a progress item, written only if its progress is inline. */
  async #writeInline(
    registrationId: string,
    update: (first: boolean, whole: boolean) => Expression,
  ): Promise<boolean> {
    const registration = await this.#registrationItem(registrationId);
    if (registration?.progress === undefined) return false;
    return (await this.#update({ registrationId }, update(false, true))) === true;
  }

  /**
   * Writes the verdict item (one write of under 1 KB for most verdicts; it has no row in the
   * customer-domain index). The check writes it and every later step only reads it, so the
   * progress item the steps rewrite stays small.
   */
  async saveCheckFindings(registrationId: string, findings: CheckFindings): Promise<void> {
    await this.#client.send(
      new PutCommand({
        TableName: this.#tableName,
        Item: {
          ...verdictItemKey(registrationId),
          verdict: findings.verdict,
          ...(findings.verdictUnderClaim === undefined
            ? {}
            : { verdictUnderClaim: findings.verdictUnderClaim }),
          updatedAt: findings.checkedAt,
        },
      }),
    );
  }

  async claim(
    registrationId: string,
    condition: { attribute: string; equals: string },
    effects: ProgressSideEffects,
  ): Promise<boolean> {
    const claim = (): Expression => ({
      names: { '#id': 'registrationId', '#claimed': condition.attribute },
      values: { ':claimed': condition.equals },
      conditions: ['attribute_exists(#id)', '#claimed = :claimed'],
      set: { ...(effects.set ?? {}) },
      remove: effects.remove ?? [],
      assignments: [],
    });
    const claimed = await this.#update(progressItemKey(registrationId), claim());
    if (claimed !== 'missing') return claimed === true;
    // A registration stored with its progress inline keeps what the workflow claims there too.
    return (await this.#update({ registrationId }, claim())) === true;
  }

  /**
   * The registration item, for the index copies and to tell whether its progress is inline: both
   * were written long before a progress write (the copies by intake, inline progress before the
   * progress had an item of its own), so an eventually consistent read (half the read units) shows
   * them; an item not found is read again consistently, as intake may have written it just now.
   */
  async #registrationItem(registrationId: string): Promise<Record<string, unknown> | undefined> {
    const read = async (ConsistentRead: boolean) =>
      (
        await this.#client.send(
          new GetCommand({ TableName: this.#tableName, Key: { registrationId }, ConsistentRead }),
        )
      ).Item;
    return (await read(false)) ?? (await read(true));
  }

  /**
   * True: written; false: the item is there and the condition failed; `missing`: no such item;
   * `verdict-inline`: the item holds a verdict inline, which the write expected it not to.
   */
  async #update(
    key: { registrationId: string },
    expression: Expression,
  ): Promise<boolean | 'missing' | 'verdict-inline'> {
    const { names, values } = expression;
    const assignments = [...expression.assignments];
    Object.entries(expression.set).forEach(([attribute, value], index) => {
      names[`#set${index}`] = attribute;
      values[`:set${index}`] = value;
      assignments.push(`#set${index} = :set${index}`);
    });
    const removals = expression.remove.map((attribute, index) => {
      names[`#rm${index}`] = attribute;
      return `#rm${index}`;
    });
    const update = [
      ...(assignments.length > 0 ? [`SET ${assignments.join(', ')}`] : []),
      ...(removals.length > 0 ? [`REMOVE ${removals.join(', ')}`] : []),
    ].join(' ');
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: key,
          UpdateExpression: update,
          ConditionExpression: expression.conditions.join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: Object.keys(values).length > 0 ? values : undefined,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        if (error.Item === undefined) return 'missing';
        const stored = unmarshall(error.Item) as { progress?: { verdict?: unknown } };
        return expression.names['#verdict'] !== undefined && stored.progress?.verdict !== undefined
          ? 'verdict-inline'
          : false;
      }
      throw error;
    }
  }
}

/** One conditional update of an item: what it sets and removes, and when. */
interface Expression {
  names: Record<string, string>;
  values: Record<string, unknown>;
  conditions: string[];
  assignments: string[];
  set: Record<string, unknown>;
  remove: readonly string[];
}

/** An index row of a registration stored before the index carried its own copies. */
function isBeforeIndexCopies(item: Record<string, unknown>): boolean {
  return item.partnerDomain === undefined || item.customerCompanyKey === undefined;
}
