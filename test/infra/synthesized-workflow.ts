import type { Template } from 'aws-cdk-lib/assertions';
import { preQbrFunctionNames } from '#local/pre-qbr-check.ts';
import {
  type RegistrationWorkflowAsl,
  registrationSegmentsStateMachineName,
  registrationStepsFunctionName,
} from '#workflows/registration-workflow.ts';

const pseudoParameters: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'us-east-1',
  'AWS::AccountId': '000000000000',
  'AWS::URLSuffix': 'amazonaws.com',
};

const localFunctionArn = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

/**
 * The DefinitionString of the stack's state machine whose definition mentions `marker`, with the
 * references CloudFormation resolves at deploy time filled in: pseudo parameters with the local
 * runner's region and account, and each function's `Fn::GetAtt [Id, Arn]` with the ARN `functionOf`
 * gives its logical id.
 */
function resolvedDefinition(
  template: Template,
  marker: string,
  functionOf: (logicalId: string) => string | undefined,
  stateMachineOf: (logicalId: string) => string | undefined = () => undefined,
): Record<string, unknown> {
  const [stateMachine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine')).filter(
    (resource) => JSON.stringify(resource.Properties?.DefinitionString ?? '').includes(marker),
  );
  const definition = stateMachine?.Properties?.DefinitionString as unknown;
  if (definition === undefined) throw new Error(`the stack deploys no state machine mentioning "${marker}"`);
  if (typeof definition === 'string') return JSON.parse(definition);
  const join = (definition as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (!join) throw new Error(`unexpected DefinitionString ${JSON.stringify(definition)}`);
  const [separator, parts] = join;
  const text = parts
    .map((part) => {
      if (typeof part === 'string') return part;
      const ref = (part as { Ref?: string }).Ref;
      if (ref !== undefined && ref in pseudoParameters) return pseudoParameters[ref];
      // A state machine's Ref is its ARN.
      const stateMachine = ref === undefined ? undefined : stateMachineOf(ref);
      if (stateMachine !== undefined)
        return `arn:aws:states:us-east-1:000000000000:stateMachine:${stateMachine}`;
      const getAtt = (part as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
      const name = getAtt?.[1] === 'Arn' ? functionOf(getAtt[0]) : undefined;
      if (name !== undefined) return localFunctionArn(name);
      throw new Error(
        `the definition refers to ${JSON.stringify(part)}, which the local runner cannot resolve`,
      );
    })
    .join(separator);
  return JSON.parse(text);
}

/**
 * The registration workflow's definitions exactly as the synthesised stack deploys them, with the
 * references CloudFormation resolves at deploy time filled in the way the local runner names
 * them: the steps function (`Fn::GetAtt [Steps…, Arn]`) becomes the function the local stack
 * registers, and the segments' state machine (`Ref`) the one it registers, in the local runner's
 * region and account.
 */
export function synthesizedRegistrationWorkflowAsl(template: Template): RegistrationWorkflowAsl {
  const steps = (logicalId: string) =>
    logicalId.includes('RegistrationWorkflowSteps') ? registrationStepsFunctionName : undefined;
  return {
    workflow: resolvedDefinition(template, 'Wait for approver decision', steps, (logicalId) =>
      logicalId.includes('RegistrationWorkflowSegmentsStateMachine')
        ? registrationSegmentsStateMachineName
        : undefined,
    ),
    segments: resolvedDefinition(template, 'Assess or register?', steps),
  };
}

/** The construct ids of the pre-QBR functions in `lib/constructs/pre-qbr-check.ts`. */
const preQbrFunctionIds: Record<string, string> = {
  PreQbrCheckDueCheck: preQbrFunctionNames.dueCheck,
  PreQbrCheckDealExport: preQbrFunctionNames.dealExport,
  PreQbrCheckBatchWorker: preQbrFunctionNames.batchWorker,
  PreQbrCheckBuildReport: preQbrFunctionNames.buildReport,
  PreQbrCheckEmailReport: preQbrFunctionNames.emailReport,
};

/**
 * The pre-QBR check's definition exactly as the synthesised stack deploys it, its five functions
 * named as `dealreg local` registers them (`preQbrFunctionNames`). The reports bucket keeps its
 * deployed name, resolved in the local runner's region and account (see `reportsBucketOf`).
 */
export function synthesizedPreQbrWorkflowAsl(template: Template): Record<string, unknown> {
  return resolvedDefinition(template, 'Export the deal ids to read', (logicalId) => {
    const id = Object.keys(preQbrFunctionIds).find((prefix) => logicalId.startsWith(prefix));
    return id === undefined ? undefined : preQbrFunctionIds[id];
  });
}

/** The bucket the definition's Distributed Map reads its items from. */
export function reportsBucketOf(definition: Record<string, unknown>): string {
  const states = definition.States as Record<string, { ItemReader?: { Parameters?: { Bucket?: unknown } } }>;
  const bucket = Object.values(states).find((state) => state.ItemReader !== undefined)?.ItemReader?.Parameters
    ?.Bucket;
  if (typeof bucket !== 'string')
    throw new Error('the definition has no Distributed Map reading a named bucket');
  return bucket;
}
