import { beforeAll, describe, expect, it } from 'vitest';
import { renderRegistrationWorkflowAsl } from '#workflows/registration-workflow.ts';
import { type SynthesizedApp, synthesizeDealregApp } from './synthesize.ts';
import { validateAsl } from './validate-asl.ts';

/** A deployed-looking ARN for every reference the definition makes to another resource. */
const placeholderArn = 'arn:aws:lambda:eu-west-1:123456789012:function:placeholder';

/** The state machine's definition as deployed, with references replaced by placeholder ARNs. */
function deployedDefinition(definitionString: unknown): Record<string, unknown> {
  if (typeof definitionString === 'string') return JSON.parse(definitionString);
  const join = (definitionString as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (!join) throw new Error(`unexpected DefinitionString ${JSON.stringify(definitionString)}`);
  const [separator, parts] = join;
  return JSON.parse(parts.map((part) => (typeof part === 'string' ? part : placeholderArn)).join(separator));
}

let synthesized: SynthesizedApp;

beforeAll(() => {
  synthesized = synthesizeDealregApp();
});

describe('registration workflow definition', () => {
  it('deploys an ASL document that asl-validator accepts', () => {
    const { statelessTemplate } = synthesized;
    const [stateMachine] = Object.values(statelessTemplate.findResources('AWS::StepFunctions::StateMachine'));

    const definition = deployedDefinition(stateMachine?.Properties.DefinitionString);
    const result = validateAsl(definition);

    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it('renders, without a deployment, the same document the stack deploys', () => {
    const { statelessTemplate } = synthesized;
    const [stateMachine] = Object.values(statelessTemplate.findResources('AWS::StepFunctions::StateMachine'));

    const rendered = renderRegistrationWorkflowAsl();

    expect(rendered).toEqual(deployedDefinition(stateMachine?.Properties.DefinitionString));
    expect(validateAsl(rendered).isValid).toBe(true);
  });

  it('records a received registration and succeeds, in JSONPath', () => {
    const asl = renderRegistrationWorkflowAsl();

    expect(asl.StartAt).toBe('Registration received');
    expect(asl.States).toMatchObject({
      'Registration received': { Type: 'Pass', Next: 'Registration recorded' },
      'Registration recorded': { Type: 'Succeed' },
    });
    expect(asl.QueryLanguage).toBe('JSONPath');
  });

  it('is caught by the validator when a state points nowhere', () => {
    const asl = renderRegistrationWorkflowAsl() as { States: Record<string, Record<string, unknown>> };
    const broken = {
      ...asl,
      States: { ...asl.States, 'Registration received': { Type: 'Pass', Next: 'No such state' } },
    };

    expect(validateAsl(broken).isValid).toBe(false);
  });
});
