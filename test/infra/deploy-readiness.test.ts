import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { contextKeys } from '#lib/dealreg-app.ts';
import { type SynthesizedApp, synthesizeDealregApp, testContext } from './synthesize.ts';
import { tasksWithNonObjectParameters } from './validate-asl.ts';

/**
 * Limits AWS enforces at deployment or at run time, checked on the synthesized stacks with each
 * policy the project ships (the larger the policy, the closer a limit).
 */

/** "The total size of all environment variables doesn't exceed 4 KB" (AWS Lambda quotas). */
const lambdaEnvironmentBytes = 4 * 1024;

/**
 * A reference CloudFormation resolves at deploy time (an imported table name, a secret or state
 * machine ARN) counted at 256 bytes: more than any name or ARN these stacks produce (a DynamoDB
 * table name is at most 255 characters; the stacks' ARNs are under 200).
 */
const resolvedReferenceBytes = 256;

function environmentBytes(variables: Record<string, unknown>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(variables)) {
    bytes += Buffer.byteLength(name);
    bytes += typeof value === 'string' ? Buffer.byteLength(value) : referenceBytes(value);
  }
  return bytes;
}

/** A `Fn::Join` counts its literal parts and each reference inside it; any other intrinsic is one reference. */
function referenceBytes(value: unknown): number {
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join === undefined) return resolvedReferenceBytes;
  const [separator, parts] = join;
  return parts.reduce<number>(
    (sum, part) => sum + (typeof part === 'string' ? Buffer.byteLength(part) : referenceBytes(part)),
    Buffer.byteLength(separator) * Math.max(parts.length - 1, 0),
  );
}

/** Every state machine's definition, references replaced by a placeholder (they sit inside JSON strings). */
function stateMachineDefinitions(template: Template): Record<string, unknown> {
  const definitions: Record<string, unknown> = {};
  for (const [id, resource] of Object.entries(template.findResources('AWS::StepFunctions::StateMachine'))) {
    const definition = resource.Properties?.DefinitionString as unknown;
    const join = (definition as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
    const text =
      typeof definition === 'string'
        ? definition
        : (join?.[1] ?? []).map((part) => (typeof part === 'string' ? part : 'placeholder')).join(join?.[0]);
    definitions[id] = JSON.parse(text);
  }
  return definitions;
}

describe.each([
  ['the default policy', 'policy/default-policy.json'],
  ['the example policy', 'policy/example-policy.json'],
])('deployed with %s', (_name, policyFile) => {
  let app: SynthesizedApp;
  beforeAll(() => {
    app = synthesizeDealregApp({ context: { ...testContext, [contextKeys.policyFile]: policyFile } });
  });

  it('keeps every function environment within 4 KB, references counted at their resolved length', () => {
    const oversized: string[] = [];
    for (const [id, resource] of Object.entries(
      app.statelessTemplate.findResources('AWS::Lambda::Function'),
    )) {
      const variables = (resource.Properties?.Environment?.Variables ?? {}) as Record<string, unknown>;
      const bytes = environmentBytes(variables);
      if (bytes > lambdaEnvironmentBytes) oversized.push(`${id}: ${bytes} bytes`);
    }

    expect(oversized).toEqual([]);
  });

  it('hands every Task of every state machine an object as its input', () => {
    const definitions = stateMachineDefinitions(app.statelessTemplate);

    expect(Object.keys(definitions)).toHaveLength(2);
    for (const [id, definition] of Object.entries(definitions)) {
      expect(tasksWithNonObjectParameters(definition), id).toEqual([]);
    }
  });
});
