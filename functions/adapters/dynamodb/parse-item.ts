import type * as z from 'zod';
import { CorruptItemError } from '#ports/corrupt-item-error.ts';

/** What the items of a table are: their schema, how an error names one, and the key that finds it. */
export interface ItemKind<Schema extends z.ZodType> {
  readonly schema: Schema;
  /** With its article, as in `item … is not a stored registration`. */
  readonly what: string;
  /** The attributes of the table's key, partition key first. */
  readonly key: readonly string[];
}

/**
 * An item read back from DynamoDB, parsed with the schema of what Dealreg writes there.
 *
 * @throws CorruptItemError naming the table, the item's key and every problem when the item is
 * not of that kind
 */
export function parseItem<Schema extends z.ZodType>(
  kind: ItemKind<Schema>,
  tableName: string,
  item: Record<string, unknown>,
): z.output<Schema> {
  const parsed = kind.schema.safeParse(item);
  if (parsed.success) return parsed.data;
  throw new CorruptItemError(
    { tableName, key: kind.key.map((attribute) => String(item[attribute])).join('/'), what: kind.what },
    parsed.error.issues.map((issue) => `${issue.path.join('.') || '(item)'}: ${issue.message}`),
    { cause: parsed.error },
  );
}
