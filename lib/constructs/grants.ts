import { Stack } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IConstruct } from 'constructs';

/** Item-level actions a function may perform on one table. */
export interface TableAccess {
  readonly table: ITableV2;
  /** DynamoDB actions, such as `dynamodb:GetItem`; never a wildcard. */
  readonly actions: readonly string[];
  /**
   * Indexes the actions also apply to (a query on an index is authorised against the index).
   * @default - the table only
   */
  readonly indexes?: readonly string[];
}

/**
 * What the registration book's reads by customer need on the registrations table
 * (`functions/adapters/dynamodb/registration-book.ts`): a registration's items by key (GetItem),
 * the customer-domain index (Query), and the progress items of the registrations the index shows
 * alone, 100 to a request (BatchGetItem, an action of its own in IAM). Grant it on the table and
 * the `byCustomerReceipt` index.
 */
export const registrationsByCustomer: readonly string[] = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
];

/**
 * The tables' customer-managed keys (each named once), usable only by DynamoDB on the caller's
 * behalf; `undefined` when no table has one.
 */
export function tableKeysThroughDynamoDb(
  scope: IConstruct,
  tables: readonly ITableV2[],
): PolicyStatement | undefined {
  const keyArns = [...new Set(tables.flatMap((table) => table.encryptionKey?.keyArn ?? []))];
  if (keyArns.length === 0) return undefined;
  const stack = Stack.of(scope);
  return new PolicyStatement({
    actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
    resources: keyArns,
    conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${stack.region}.${stack.urlSuffix}` } },
  });
}

/**
 * Grants each table access (one statement per table, naming the table and the listed indexes),
 * then the tables' keys through DynamoDB in one statement.
 */
export function grantTableAccess(grantee: IGrantable & IConstruct, accesses: readonly TableAccess[]): void {
  const principal = grantee.grantPrincipal;
  for (const { table, actions, indexes = [] } of accesses) {
    principal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [...actions],
        resources: [table.tableArn, ...indexes.map((index) => `${table.tableArn}/index/${index}`)],
      }),
    );
  }
  const keys = tableKeysThroughDynamoDb(
    grantee,
    accesses.map((access) => access.table),
  );
  if (keys !== undefined) principal.addToPrincipalPolicy(keys);
}

/**
 * Lets `grantee` read the secrets' values (`secretsmanager:GetSecretValue` only), and their
 * customer-managed keys, if any, through Secrets Manager only.
 */
export function grantSecretValues(grantee: IGrantable & IConstruct, secrets: readonly ISecret[]): void {
  const principal = grantee.grantPrincipal;
  principal.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['secretsmanager:GetSecretValue'],
      resources: secrets.map((secret) => secret.secretArn),
    }),
  );
  const keyArns = [...new Set(secrets.flatMap((secret) => secret.encryptionKey?.keyArn ?? []))];
  if (keyArns.length === 0) return;
  const stack = Stack.of(grantee);
  principal.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['kms:Decrypt'],
      resources: keyArns,
      conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.${stack.urlSuffix}` } },
    }),
  );
}
