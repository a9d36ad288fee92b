import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * A resolved CloudFormation value written the way cdk-nag names resources in its finding ids:
 * `Fn::Join` concatenated, `Fn::GetAtt` as `<LogicalId.Attribute>`, `Ref` as `<LogicalId>`,
 * `Fn::Sub` variables as `<…>`, an import as its export name, anything else as JSON. cdk-nag keeps
 * its own version private, and an acknowledgement only holds if it names the finding exactly so.
 */
export function renderCfnValue(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const intrinsic = (name: string): unknown =>
    typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
  const join = intrinsic('Fn::Join') as [string, unknown[]] | undefined;
  if (join) return join[1].map(renderCfnValue).join(join[0]);
  const sub = intrinsic('Fn::Sub');
  if (sub) return renderCfnValue(sub);
  const getAtt = intrinsic('Fn::GetAtt') as [unknown, unknown] | undefined;
  if (getAtt) return `<${renderCfnValue(getAtt[0])}.${renderCfnValue(getAtt[1])}>`;
  const imported = intrinsic('Fn::ImportValue');
  if (imported) return renderCfnValue(imported);
  const ref = intrinsic('Ref');
  if (ref) return `<${renderCfnValue(ref)}>`;
  return JSON.stringify(value);
}

/**
 * Acknowledges cdk-nag's finding on one wildcard resource (a token, or an already resolved value)
 * in the policy of `construct`.
 */
export function acknowledgeWildcardResource(construct: IConstruct, resource: unknown, reason: string): void {
  const name = renderCfnValue(Stack.of(construct).resolve(resource));
  Validations.of(construct).acknowledge({ id: `AwsSolutions-IAM5[Resource::${name}]`, reason });
}

/**
 * Acknowledges that an API method or resource has no API Gateway authorizer: callers that cannot
 * carry AWS credentials, each request authenticated by the function (the reason says how).
 */
export function acknowledgeNoApiAuthorizer(construct: IConstruct, reason: string): void {
  Validations.of(construct).acknowledge({ id: 'AwsSolutions-APIG4', reason });
  Validations.of(construct).acknowledge({ id: 'AwsSolutions-COG4', reason });
}
