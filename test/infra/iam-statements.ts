import { Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';
import type { DealregFunction } from '#lib/constructs/dealreg-function.ts';
import { renderCfnValue } from '#lib/constructs/nag-acknowledgements.ts';
import { logicalIdOf } from './synthesize.ts';

/**
 * A policy statement as tests list it: actions sorted, resources always a list, and every
 * reference written as cdk-nag writes it (`<LogicalId.Arn>`, `<AWS::Partition>`, an import as its
 * export name without the hash), so a test names the complete policy in plain strings.
 */
export interface Statement {
  readonly sid?: string | undefined;
  readonly effect: 'Allow' | 'Deny';
  readonly principal?: unknown;
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly condition?: unknown;
}

interface StatementJson {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: unknown;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
}

function isIntrinsic(value: object): boolean {
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || (keys[0]?.startsWith('Fn::') ?? false));
}

/** Export names end in a hash of the export; the tests name the export by what it exports. */
function withoutExportHashes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutExportHashes);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      key === 'Fn::ImportValue' && typeof inner === 'string'
        ? inner.replace(/[0-9A-F]{8}$/, '')
        : withoutExportHashes(inner),
    ]),
  );
}

function rendered(value: unknown): unknown {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(rendered);
  if (typeof value !== 'object' || value === null) return value;
  if (isIntrinsic(value)) return renderCfnValue(withoutExportHashes(value));
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, rendered(inner)]));
}

/** Statements of a synthesized policy document, normalised for `toEqual`. */
export function normaliseStatements(statements: readonly StatementJson[]): Statement[] {
  return statements.map((statement) => ({
    sid: statement.Sid,
    effect: statement.Effect,
    principal: rendered(statement.Principal),
    actions: [statement.Action].flat().sort(),
    resources: [statement.Resource].flat().map((resource) => renderCfnValue(withoutExportHashes(resource))),
    condition: rendered(statement.Condition),
  }));
}

/**
 * Every statement of every inline policy attached to a role (or to a function's execution role),
 * in template order.
 */
export function statementsOf(template: Template, principal: IConstruct): Statement[] {
  const role = principal instanceof LambdaFunction && principal.role ? principal.role : principal;
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: Match.arrayWith([{ Ref: logicalIdOf(role) }]) },
  });
  return Object.values(policies).flatMap((policy) =>
    normaliseStatements(policy.Properties.PolicyDocument.Statement as StatementJson[]),
  );
}

/** An Allow statement as `statementsOf` returns it. */
export function allow(
  actions: readonly string[],
  resources: readonly string[],
  condition?: unknown,
): Statement {
  return {
    effect: 'Allow',
    actions: [...actions].sort(),
    resources,
    condition,
  };
}

/** `<LogicalId>`: a `Ref` to the construct's resource. */
export function ref(construct: IConstruct): string {
  return `<${logicalIdOf(construct)}>`;
}

/** `<LogicalId.Arn>` (or another attribute) of the construct's resource. */
export function attribute(construct: IConstruct, name = 'Arn'): string {
  return `<${logicalIdOf(construct)}.${name}>`;
}

/** The name of the export another stack imports this construct's `Ref` or attribute through. */
export function imported(construct: IConstruct, attributeName?: string): string {
  const exported = attributeName === undefined ? 'Ref' : 'FnGetAtt';
  return `${Stack.of(construct).stackName}:ExportsOutput${exported}${logicalIdOf(construct)}${attributeName ?? ''}`;
}

/** `kms:ViaService` naming DynamoDB in the test region: a table key used through DynamoDB only. */
export const viaDynamoDb = { StringEquals: { 'kms:ViaService': 'dynamodb.eu-west-1.<AWS::URLSuffix>' } };

/** Item reads and writes on a stateful table, with its data key used through DynamoDB only. */
export function itemReadsAndWrites(table: IConstruct, dataKey: IConstruct): Statement[] {
  return [
    allow(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], [imported(table, 'Arn')]),
    allow(['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], [imported(dataKey, 'Arn')], viaDynamoDb),
  ];
}

/** What every `DealregFunction` role holds before any grant: its log group, its dead letters, X-Ray. */
export function functionBaseline(fn: DealregFunction): Statement[] {
  return [
    allow(['logs:CreateLogStream', 'logs:PutLogEvents'], [attribute(fn.logGroup)]),
    allow(['sqs:SendMessage'], [attribute(fn.deadLetters)]),
    allow(['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], ['*']),
  ];
}

/**
 * `ses:SendEmail` and `ses:SendRawEmail` as the test sender, through its address or its domain.
 * @param account the stack's account, when it names one
 */
export function sendEmailAs(account = '<AWS::AccountId>'): Statement {
  const identity = (name: string) => `arn:<AWS::Partition>:ses:eu-west-1:${account}:identity/${name}`;
  return allow(
    ['ses:SendEmail', 'ses:SendRawEmail'],
    [identity('deals@partners.example.com'), identity('partners.example.com')],
  );
}

/**
 * `arn:…:states:eu-west-1:<account>:execution:<state machine name>:*`: a state machine's
 * executions, as a grant on them renders (the name split out of the state machine's ARN).
 */
export function executionsOf(stateMachine: IConstruct, account = '<AWS::AccountId>'): string {
  const name = JSON.stringify({
    'Fn::Select': [6, { 'Fn::Split': [':', { Ref: logicalIdOf(stateMachine) }] }],
  });
  return `arn:<AWS::Partition>:states:eu-west-1:${account}:execution:${name}:*`;
}

/** A ledger table's ARN and each of its indexes, as the ledger's grants name them (no wildcard). */
export function ledgerTableAndIndexes(tableArn: string): string[] {
  return [
    tableArn,
    ...['byPartner', 'byCampaign', 'byEffectiveMonth', 'byInvestment', 'chains'].map(
      (index) => `${tableArn}/index/${index}`,
    ),
  ];
}
