import { App, CfnElement, Stack, Token } from 'aws-cdk-lib';
import { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { type IChainable, QueryLanguage, StateGraph } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { InvalidDefinitionError } from './definition-error.ts';

export interface RenderAslOptions {
  /** The definition's Comment. */
  readonly comment?: string;
  /** Execution timeout in seconds (top-level TimeoutSeconds). */
  readonly timeoutSeconds?: number;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '000000000000' */
  readonly account?: string;
}

const pseudoParameters = (region: string, account: string): Record<string, string> => ({
  'AWS::Partition': 'aws',
  'AWS::Region': region,
  'AWS::AccountId': account,
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'Local',
});

/** The name a Lambda function of the stack answers to locally: its literal name, else its construct id. */
function localFunctionName(stack: Stack, logicalId: string): string | undefined {
  const element = stack.node
    .findAll()
    .find((child) => child instanceof CfnElement && stack.resolve(child.logicalId) === logicalId);
  if (!(element instanceof CfnFunction)) return undefined;
  if (element.functionName !== undefined && !Token.isUnresolved(element.functionName))
    return element.functionName;
  return element.node.scope?.node.id;
}

/**
 * Evaluates what CloudFormation would at deploy time: pseudo parameters, `Fn::Join`, and
 * `Fn::GetAtt` of a stack's Lambda function `Arn` (named by `localFunctionName`).
 */
function evaluate(value: unknown, stack: Stack, region: string, account: string): unknown {
  if (Array.isArray(value)) return value.map((item) => evaluate(item, stack, region, account));
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value);
  const [only] = entries;
  if (entries.length === 1 && only !== undefined) {
    const [intrinsic, argument] = only;
    if (intrinsic === 'Ref' && typeof argument === 'string') {
      const pseudo = pseudoParameters(region, account)[argument];
      if (pseudo !== undefined) return pseudo;
    }
    if (intrinsic === 'Fn::Join' && Array.isArray(argument)) {
      const [separator, parts] = argument;
      if (typeof separator === 'string' && Array.isArray(parts)) {
        return parts.map((part) => String(evaluate(part, stack, region, account))).join(separator);
      }
    }
    if (intrinsic === 'Fn::GetAtt' && Array.isArray(argument) && argument[1] === 'Arn') {
      const name = localFunctionName(stack, String(argument[0]));
      if (name !== undefined) return `arn:aws:lambda:${region}:${account}:function:${name}`;
    }
    if (intrinsic.startsWith('Fn::') || intrinsic === 'Ref') {
      throw new InvalidDefinitionError(
        `the definition refers to ${JSON.stringify(value)}, which the local runner cannot resolve`,
      );
    }
  }
  return Object.fromEntries(entries.map(([key, inner]) => [key, evaluate(inner, stack, region, account)]));
}

/**
 * Renders a state machine built from CDK chainables to the ASL document Step Functions
 * receives once CloudFormation has resolved it (partition, region and account filled in; a
 * Lambda function of the stack named by `functionName` or its construct id), for the local runner.
 */
export function renderAsl(
  build: (scope: Construct) => IChainable,
  options: RenderAslOptions = {},
): Record<string, unknown> {
  const region = options.region ?? 'us-east-1';
  const account = options.account ?? '000000000000';
  const stack = new Stack(new App(), 'LocalStateMachine', { env: { region, account } });
  const chain = build(stack);
  const graph = new StateGraph(chain.startState, options.comment ?? 'State machine');
  const resolved = stack.resolve(graph.toGraphJson()) as Record<string, unknown>;
  const asl = JSON.parse(JSON.stringify(evaluate(resolved, stack, region, account))) as Record<
    string,
    unknown
  >;
  return {
    Comment: options.comment,
    QueryLanguage: QueryLanguage.JSON_PATH,
    TimeoutSeconds: options.timeoutSeconds,
    ...asl,
  };
}
