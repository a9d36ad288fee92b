import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { RegistrationProgress } from '#domain/registration-progress.ts';
import {
  type CustomerRegistration,
  customerRegistrationSchema,
  standingOf,
} from '#domain/registration-standing.ts';
import type { StoredRegistration } from '#domain/stored-registration.ts';
import { CorruptItemError } from '#ports/corrupt-item-error.ts';
import type {
  ProgressPrecondition,
  ProgressSideEffects,
  RegistrationBook,
} from '#ports/registration-book.ts';
import { type ItemKind, parseItem } from './parse-item.ts';
import { storedRegistrationItem } from './stored-registration-item.ts';

/** The customer-domain index (lib/tables/registrations-table.ts) and the time its sort key holds. */
const customerDomainIndex = { name: 'byCustomerReceipt', timeAttribute: 'receivedAt' } as const;

/** A row of the customer-domain index: the keys and the projected attributes, nothing else. */
const customerRegistrationRow: ItemKind<typeof customerRegistrationSchema> = {
  schema: customerRegistrationSchema,
  what: 'a customer-domain index row',
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

  async get(registrationId: string): Promise<StoredRegistration | undefined> {
    const result = await this.#client.send(
      new GetCommand({ TableName: this.#tableName, Key: { registrationId }, ConsistentRead: true }),
    );
    return result.Item === undefined
      ? undefined
      : parseItem(storedRegistrationItem, this.#tableName, result.Item);
  }

  async byCustomerDomain(customerDomain: string, receivedFrom: string): Promise<CustomerRegistration[]> {
    const records: CustomerRegistration[] = [];
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
        records.push(
          isBeforeIndexCopies(item)
            ? await this.#fromWholeItem(String(item.registrationId))
            : parseItem(customerRegistrationRow, this.#tableName, item),
        );
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return records;
  }

  /**
   * A registration stored before the index carried its own copies (partner domain, company key)
   * is read whole and its row derived, so registrations taken in before an upgrade still
   * count in the conflict check; the next progress write adds the standing, the rest stays as it is.
   */
  async #fromWholeItem(registrationId: string): Promise<CustomerRegistration> {
    const whole = await this.get(registrationId);
    if (whole?.details === undefined) {
      throw new CorruptItemError(
        {
          tableName: this.#tableName,
          key: registrationId,
          what: 'a registration in the customer-domain index',
        },
        ['it has no registration details'],
      );
    }
    return customerRegistrationSchema.parse({
      registrationId: whole.registrationId,
      receivedAt: whole.receivedAt,
      customerDomain: whole.details.customerDomain,
      partnerDomain: whole.details.partnerDomain,
      customerCompanyKey: whole.details.customerCompanyKey,
      standing: whole.progress === undefined ? {} : standingOf(whole.progress),
    });
  }

  async saveProgress(
    registrationId: string,
    progress: RegistrationProgress,
    options: { precondition?: ProgressPrecondition; sideEffects?: ProgressSideEffects } = {},
  ): Promise<boolean> {
    const names: Record<string, string> = {
      '#id': 'registrationId',
      '#progress': 'progress',
      '#standing': 'standing',
    };
    // Setting the standing to the value it already has writes nothing to the index.
    const values: Record<string, unknown> = { ':progress': progress, ':standing': standingOf(progress) };
    const conditions = ['attribute_exists(#id)'];
    const statuses = options.precondition?.statusIn;
    if (statuses !== undefined) {
      const alternatives = statuses.map((status, index) => {
        if (status === 'none') return 'attribute_not_exists(#progress)';
        names['#status'] = 'status';
        values[`:s${index}`] = status;
        return `#progress.#status = :s${index}`;
      });
      conditions.push(`(${alternatives.join(' OR ')})`);
    }
    return this.#update(
      registrationId,
      { ...(options.sideEffects?.set ?? {}) },
      options.sideEffects?.remove ?? [],
      { names, values, conditions, progress: true },
    );
  }

  async claim(
    registrationId: string,
    condition: { attribute: string; equals: string },
    effects: ProgressSideEffects,
  ): Promise<boolean> {
    return this.#update(registrationId, { ...(effects.set ?? {}) }, effects.remove ?? [], {
      names: { '#id': 'registrationId', '#claimed': condition.attribute },
      values: { ':claimed': condition.equals },
      conditions: ['attribute_exists(#id)', '#claimed = :claimed'],
      progress: false,
    });
  }

  async #update(
    registrationId: string,
    set: Record<string, unknown>,
    remove: readonly string[],
    expression: {
      names: Record<string, string>;
      values: Record<string, unknown>;
      conditions: string[];
      progress: boolean;
    },
  ): Promise<boolean> {
    const { names, values } = expression;
    const assignments = expression.progress ? ['#progress = :progress', '#standing = :standing'] : [];
    Object.entries(set).forEach(([attribute, value], index) => {
      names[`#set${index}`] = attribute;
      values[`:set${index}`] = value;
      assignments.push(`#set${index} = :set${index}`);
    });
    const removals = remove.map((attribute, index) => {
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
          Key: { registrationId },
          UpdateExpression: update,
          ConditionExpression: expression.conditions.join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: Object.keys(values).length > 0 ? values : undefined,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

/** An index row of a registration stored before the index carried its own copies. */
function isBeforeIndexCopies(item: Record<string, unknown>): boolean {
  return item.partnerDomain === undefined || item.customerCompanyKey === undefined;
}
