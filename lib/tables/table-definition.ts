/**
 * A DynamoDB table described once, as plain data. The CDK constructs build `TableV2`
 * resources from it and the local stack and test harness create the same tables in
 * DynamoDB Local from it, so the two can never disagree on keys or indexes.
 */
export interface KeyDefinition {
  readonly name: string;
  readonly type: 'S' | 'N';
}

/**
 * What an index copies from each item besides the keys: every attribute, or only the named
 * ones. A write to the table costs an index write only when a key or projected attribute
 * changes, so a narrow projection keeps frequently updated attributes out of the index.
 */
export type IndexProjection =
  | { readonly type: 'ALL' }
  | { readonly type: 'INCLUDE'; readonly attributes: readonly string[] };

export interface IndexDefinition {
  readonly indexName: string;
  readonly partitionKey: KeyDefinition;
  readonly sortKey?: KeyDefinition;
  /** @default every attribute (`{ type: 'ALL' }`) */
  readonly projection?: IndexProjection;
}

export interface TableDefinition {
  /** Logical name; deployed tables get a CloudFormation-generated physical name. */
  readonly logicalName: string;
  readonly partitionKey: KeyDefinition;
  readonly sortKey?: KeyDefinition;
  readonly globalSecondaryIndexes?: readonly IndexDefinition[];
  /** Attribute holding an epoch-seconds expiry, if items expire. */
  readonly timeToLiveAttribute?: string;
  /** Stream view, for tables whose changes are watched. */
  readonly stream?: 'NEW_IMAGE' | 'NEW_AND_OLD_IMAGES';
}
