import { App, Stack } from 'aws-cdk-lib';
import { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SubmissionIntake, SubmissionIntakeConfigurationError } from '#lib/constructs/submission-intake.ts';
import { contextKeys, DeploymentConfigurationError, readDeploymentSettings } from '#lib/dealreg-app.ts';

const valid = {
  [contextKeys.stage]: 'prod',
  [contextKeys.region]: 'eu-west-1',
  [contextKeys.mailFrom]: 'deals@example.com',
};

function settingsFrom(context: Record<string, unknown>) {
  return readDeploymentSettings(new App({ context }));
}

function errorFrom(context: Record<string, unknown>): DeploymentConfigurationError {
  try {
    settingsFrom(context);
  } catch (error) {
    if (error instanceof DeploymentConfigurationError) return error;
    throw error;
  }
  throw new Error('the settings were accepted');
}

let savedRegion: string | undefined;

beforeEach(() => {
  savedRegion = process.env.CDK_DEFAULT_REGION;
  delete process.env.CDK_DEFAULT_REGION;
});

afterEach(() => {
  if (savedRegion === undefined) delete process.env.CDK_DEFAULT_REGION;
  else process.env.CDK_DEFAULT_REGION = savedRegion;
});

describe('deployment settings', () => {
  it('reads stage, region, sender, alarm and support addresses and the form field mapping from the context', () => {
    const settings = settingsFrom({
      ...valid,
      [contextKeys.alarmEmail]: 'alerts@example.com',
      [contextKeys.supportEmail]: 'help@example.com',
      [contextKeys.formFieldMapping]: '{"customerDomain":"company_website"}',
    });

    expect(settings).toEqual({
      stage: 'prod',
      region: 'eu-west-1',
      mailFrom: 'deals@example.com',
      alarmEmail: 'alerts@example.com',
      supportEmail: 'help@example.com',
      formFieldMapping: { customerDomain: 'company_website' },
    });
  });

  it('takes the region of the AWS profile when the context names none', () => {
    process.env.CDK_DEFAULT_REGION = 'ap-southeast-2';

    const settings = settingsFrom({ ...valid, [contextKeys.region]: undefined });

    expect(settings.region).toBe('ap-southeast-2');
  });

  it('names every missing setting', () => {
    const error = errorFrom({});

    expect(error.message).toContain('context "dealreg:stage" is required');
    expect(error.message).toContain('context "dealreg:region" is required');
    expect(error.message).toContain('context "dealreg:mailFrom"');
  });

  it.each([
    [contextKeys.stage, 'Prod Stage', 'lower-case letters'],
    [contextKeys.region, 'Ireland', 'AWS region'],
    [contextKeys.mailFrom, 'Dealreg <deals@example.com>', 'sender address'],
    [contextKeys.alarmEmail, 'revops', 'email address'],
    [contextKeys.formFieldMapping, '{not json', 'JSON object'],
    [contextKeys.formFieldMapping, '{"customerWebsite":"website"}', 'customerWebsite'],
    [contextKeys.formFieldMapping, '{"customerDomain":"email"}', 'already mapped to submitterEmail'],
  ])('refuses %s = %j, saying why', (key, value, why) => {
    const error = errorFrom({ ...valid, [key]: value });

    expect(error.message).toContain(`context "${key}"`);
    expect(error.message).toContain(why);
  });

  it('treats an empty optional setting as absent', () => {
    const settings = settingsFrom({ ...valid, [contextKeys.alarmEmail]: '' });

    expect(settings.alarmEmail).toBeUndefined();
  });
});

describe('submission intake configuration', () => {
  it('refuses a sender that is not a plain email address before building anything', () => {
    const stack = new Stack(new App(), 'IntakeConfiguration', { env: { region: 'eu-west-1' } });
    const arn = (service: string, resource: string) =>
      `arn:aws:${service}:eu-west-1:123456789012:${resource}`;

    const build = () =>
      new SubmissionIntake(stack, 'Intake', {
        registrationsTable: TableV2.fromTableName(stack, 'Table', 'Registrations'),
        registrationWorkflow: StateMachine.fromStateMachineArn(
          stack,
          'Workflow',
          arn('states', 'stateMachine:wf'),
        ),
        hubspotClientSecret: Secret.fromSecretCompleteArn(
          stack,
          'Secret',
          arn('secretsmanager', 'secret:s-AbCdEf'),
        ),
        alarmTopic: Topic.fromTopicArn(stack, 'Topic', arn('sns', 'alarms')),
        mailFrom: 'Dealreg <deals@example.com>',
      });

    const error = (() => {
      try {
        build();
      } catch (caught) {
        return caught;
      }
    })();

    expect(error).toBeInstanceOf(SubmissionIntakeConfigurationError);
    expect((error as Error).message).toMatch(/mailFrom must be a plain email address/);
    expect(stack.node.tryFindChild('Intake')?.node.children ?? []).toEqual([]);
  });
});
