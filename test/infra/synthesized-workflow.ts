import type { Template } from 'aws-cdk-lib/assertions';
import { registrationStepsFunctionName } from '#workflows/registration-workflow.ts';

/**
 * The registration workflow's definition exactly as the synthesised stack deploys it, with the
 * references CloudFormation resolves at deploy time filled in the way the local runner names
 * them: the steps function (`Fn::GetAtt [Steps…, Arn]`) becomes the function the local stack
 * registers, in the local runner's region and account.
 */
export function synthesizedRegistrationWorkflowAsl(template: Template): Record<string, unknown> {
  const [stateMachine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine')).filter(
    (resource) =>
      JSON.stringify(resource.Properties?.DefinitionString ?? '').includes('Normalise registration'),
  );
  const definition = stateMachine?.Properties?.DefinitionString as unknown;
  if (definition === undefined) throw new Error('the stack deploys no registration workflow');
  const pseudoParameters: Record<string, string> = {
    'AWS::Partition': 'aws',
    'AWS::Region': 'us-east-1',
    'AWS::AccountId': '000000000000',
    'AWS::URLSuffix': 'amazonaws.com',
  };
  const localArn = `arn:aws:lambda:us-east-1:000000000000:function:${registrationStepsFunctionName}`;
  if (typeof definition === 'string') return JSON.parse(definition);
  const join = (definition as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (!join) throw new Error(`unexpected DefinitionString ${JSON.stringify(definition)}`);
  const [separator, parts] = join;
  const text = parts
    .map((part) => {
      if (typeof part === 'string') return part;
      const ref = (part as { Ref?: string }).Ref;
      if (ref !== undefined && ref in pseudoParameters) return pseudoParameters[ref];
      const getAtt = (part as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
      if (getAtt?.[0]?.includes('RegistrationWorkflowSteps') && getAtt[1] === 'Arn') return localArn;
      throw new Error(
        `the definition refers to ${JSON.stringify(part)}, which the local runner cannot resolve`,
      );
    })
    .join(separator);
  return JSON.parse(text);
}
