import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { describe, expect, it } from 'vitest';
import { renderAsl } from '#workflows/render-asl.ts';

function invokeBoth(named: boolean) {
  return renderAsl((scope) => {
    const fn = new LambdaFunction(scope, 'CheckConflicts', {
      runtime: Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: Code.fromInline('exports.handler = async () => ({})'),
      ...(named ? { functionName: 'dealreg-check-conflicts' } : {}),
    });
    return new LambdaInvoke(scope, 'Check conflicts', { lambdaFunction: fn });
  });
}

describe('rendering CDK chainables for the local runner', () => {
  it('fills in the partition of service integrations as CloudFormation would', () => {
    const asl = invokeBoth(true) as { States: Record<string, { Resource: string }> };

    expect(asl.States['Check conflicts']?.Resource).toBe('arn:aws:states:::lambda:invoke');
  });

  it('names a function of the stack by its function name, else by its construct id', () => {
    const named = invokeBoth(true) as { States: Record<string, { Parameters: { FunctionName: string } }> };
    const unnamed = invokeBoth(false) as { States: Record<string, { Parameters: { FunctionName: string } }> };

    expect(named.States['Check conflicts']?.Parameters.FunctionName).toBe(
      'arn:aws:lambda:us-east-1:000000000000:function:dealreg-check-conflicts',
    );
    expect(unnamed.States['Check conflicts']?.Parameters.FunctionName).toBe(
      'arn:aws:lambda:us-east-1:000000000000:function:CheckConflicts',
    );
  });
});
