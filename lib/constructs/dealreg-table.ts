import { RemovalPolicy } from 'aws-cdk-lib';
import {
  type Attribute,
  AttributeType,
  Billing,
  type GlobalSecondaryIndexPropsV2,
  ProjectionType,
  StreamViewType,
  TableEncryptionV2,
  TableV2,
} from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { IndexProjection, KeyDefinition, TableDefinition } from '#lib/tables/index.ts';

export interface DealregTableProps {
  /** Keys, indexes, stream and TTL, exactly as the local stack creates the table. */
  readonly definition: TableDefinition;
  /** Customer-managed key that encrypts the table (and its stream and backups). */
  readonly encryptionKey: IKey;
  /**
   * What happens to the table when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

const attributeTypes = { S: AttributeType.STRING, N: AttributeType.NUMBER } as const;
const streamViews = {
  NEW_IMAGE: StreamViewType.NEW_IMAGE,
  NEW_AND_OLD_IMAGES: StreamViewType.NEW_AND_OLD_IMAGES,
} as const;

function attribute(key: KeyDefinition): Attribute {
  return { name: key.name, type: attributeTypes[key.type] };
}

function projection(
  projected: IndexProjection = { type: 'ALL' },
): Pick<GlobalSecondaryIndexPropsV2, 'projectionType' | 'nonKeyAttributes'> {
  return projected.type === 'ALL'
    ? { projectionType: ProjectionType.ALL }
    : { projectionType: ProjectionType.INCLUDE, nonKeyAttributes: [...projected.attributes] };
}

/**
 * A Dealreg table built from its plain-data definition (`lib/tables`): on-demand, encrypted
 * with the customer-managed key, point-in-time recovery and deletion protection on.
 */
export class DealregTable extends TableV2 {
  /** The definition the table was built from. */
  public readonly definition: TableDefinition;

  constructor(scope: Construct, id: string, props: DealregTableProps) {
    const { definition } = props;
    super(scope, id, {
      partitionKey: attribute(definition.partitionKey),
      ...(definition.sortKey ? { sortKey: attribute(definition.sortKey) } : {}),
      globalSecondaryIndexes: (definition.globalSecondaryIndexes ?? []).map((index) => ({
        indexName: index.indexName,
        partitionKey: attribute(index.partitionKey),
        ...(index.sortKey ? { sortKey: attribute(index.sortKey) } : {}),
        ...projection(index.projection),
      })),
      billing: Billing.onDemand(),
      encryption: TableEncryptionV2.customerManagedKey(props.encryptionKey),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      ...(definition.timeToLiveAttribute ? { timeToLiveAttribute: definition.timeToLiveAttribute } : {}),
      ...(definition.stream ? { dynamoStream: streamViews[definition.stream] } : {}),
    });
    this.definition = definition;
  }
}
