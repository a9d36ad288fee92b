import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SubmissionIntake, SubmissionIntakeConfigurationError } from '#lib/constructs/submission-intake.ts';
import { contextKeys, DeploymentConfigurationError, readDeploymentSettings } from '#lib/dealreg-app.ts';

const formGuid = '0c8b5b4e-3f35-4c5e-9a3e-2f1a7d6b9c01';
const otherFormGuid = '7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6';

const valid = {
  [contextKeys.stage]: 'prod',
  [contextKeys.region]: 'eu-west-1',
  [contextKeys.mailFrom]: 'deals@example.com',
  [contextKeys.hubspotPortalId]: '1234567',
  [contextKeys.formGuids]: formGuid,
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
      [contextKeys.formGuids]: ` ${formGuid} ,${otherFormGuid}`,
      [contextKeys.backfillSchedule]: 'rate(1 hour)',
    });

    const { policy, policyText, ...rest } = settings;
    expect(policy.policyVersion).toMatch(/^pv-[0-9a-f]{12}$/);
    expect(policyText).toContain('"sla"');
    expect(rest).toEqual({
      stage: 'prod',
      region: 'eu-west-1',
      mailFrom: 'deals@example.com',
      alarmEmail: 'alerts@example.com',
      supportEmail: 'help@example.com',
      formFieldMapping: { customerDomain: 'company_website' },
      hubspotPortalId: 1234567,
      formGuids: [formGuid, otherFormGuid],
      backfillSchedule: 'rate(1 hour)',
    });
  });

  it('stops the CDK app, as `cdk synth` runs it, with the settings to fix and no stack trace', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'dealreg-synth-'));
    // The CDK CLI hands the app its context in CDK_CONTEXT_JSON and the output directory in CDK_OUTDIR.
    const run = spawnSync(process.execPath, [fileURLToPath(new URL('../../bin/app.ts', import.meta.url))], {
      encoding: 'utf8',
      env: {
        ...process.env,
        CDK_OUTDIR: outdir,
        CDK_CONTEXT_JSON: JSON.stringify({
          ...valid,
          [contextKeys.stage]: 'Prod',
          [contextKeys.mailFrom]: 'deals',
        }),
      },
    });

    expect(run.status).toBe(1);
    expect(run.stderr).toContain('context "dealreg:stage" must be at most 20 lower-case letters');
    expect(run.stderr).toContain('context "dealreg:mailFrom" must be the SES-verified sender address');
    expect(run.stderr).not.toMatch(/\n\s+at |ZodError|\[cause\]/);
    expect(readdirSync(outdir)).toEqual([]);
  });

  it('deploys the default policy unless a policy file is named, and refuses an invalid one naming the problem', () => {
    const directory = mkdtempSync(join(tmpdir(), 'dealreg-policy-'));
    const invalid = join(directory, 'policy.json');
    writeFileSync(invalid, JSON.stringify({ sla: { reminderHours: -1 } }));

    expect(settingsFrom(valid).policy.policy.sla.finalHours).toBe(72);
    expect(() => settingsFrom({ ...valid, [contextKeys.policyFile]: invalid })).toThrow(/sla\.reminderHours/);
    expect(() =>
      settingsFrom({ ...valid, [contextKeys.policyFile]: join(directory, 'missing.json') }),
    ).toThrow(/dealreg:policyFile.*cannot be read/);
  });

  it('refuses a policy file that sets a key twice, naming the key and its lines', () => {
    const directory = mkdtempSync(join(tmpdir(), 'dealreg-policy-'));
    const repeated = join(directory, 'policy.json');
    writeFileSync(repeated, '{\n  "coSell": { "enabled": false },\n  "coSell": { "enabled": true }\n}\n');
    expect(() => settingsFrom({ ...valid, [contextKeys.policyFile]: repeated })).toThrow(
      /policy.json is not valid[\s\S]*coSell is set twice in one object \(lines 2 and 3\)/,
    );
  });

  it('refuses a policy file that is not UTF-8, as policy validate does, instead of deploying garbled names', () => {
    const directory = mkdtempSync(join(tmpdir(), 'dealreg-policy-'));
    const latin1 = join(directory, 'policy.json');
    // "München" saved as Latin-1: the ü is the single byte 0xFC.
    writeFileSync(
      latin1,
      Buffer.from([...Buffer.from('{"programName": "M'), 0xfc, ...Buffer.from('nchen"}')]),
    );
    expect(() => settingsFrom({ ...valid, [contextKeys.policyFile]: latin1 })).toThrow(
      /policy.json is not valid[\s\S]*not UTF-8 text \(byte 0xFC on line 1, column 19\)/,
    );
  });

  it('refuses a policy with co-sell on outside us-east-1 with the settings, before any function is built', () => {
    const coSellPolicy = fileURLToPath(new URL('./fixtures/co-sell-policy.json', import.meta.url));

    expect(() => settingsFrom({ ...valid, [contextKeys.policyFile]: coSellPolicy })).toThrow(
      /co-sell is on .* region is eu-west-1.*Deploy Dealreg in us-east-1, or set coSell.enabled to false/,
    );
    expect(
      settingsFrom({ ...valid, [contextKeys.region]: 'us-east-1', [contextKeys.policyFile]: coSellPolicy })
        .region,
    ).toBe('us-east-1');
  });

  it("deploys the policy's form field mapping, and refuses a context mapping that says otherwise", () => {
    const examplePolicy = fileURLToPath(new URL('../../policy/example-policy.json', import.meta.url));

    // policy/example-policy.json: partnerDomain → partner_website, cloudMarketplace → marketplace.
    expect(settingsFrom({ ...valid, [contextKeys.policyFile]: examplePolicy }).formFieldMapping).toEqual({
      partnerDomain: 'partner_website',
      cloudMarketplace: 'marketplace',
    });
    expect(settingsFrom(valid).formFieldMapping).toBeUndefined();
    expect(
      settingsFrom({
        ...valid,
        [contextKeys.policyFile]: examplePolicy,
        [contextKeys.formFieldMapping]:
          '{"partnerDomain":"partner_website","cloudMarketplace":"marketplace"}',
      }).formFieldMapping,
    ).toEqual({ partnerDomain: 'partner_website', cloudMarketplace: 'marketplace' });
    expect(
      errorFrom({
        ...valid,
        [contextKeys.policyFile]: examplePolicy,
        [contextKeys.formFieldMapping]: '{"partnerDomain":"partner_site"}',
      }).message,
    ).toMatch(
      /context "dealreg:formFieldMapping" maps partnerDomain to "partner_site", but the policy's formFieldMapping maps it to "partner_website"/,
    );
  });

  it('says a USD rate written as a number must be a decimal string, naming the currency', () => {
    expect(errorFrom({ ...valid, [contextKeys.usdRates]: '{"EUR": 1.08}' }).message).toContain(
      'context "dealreg:usdRates" must map each currency to a decimal string such as "1.08" (in quotes), got 1.08 for EUR',
    );
  });

  it('reads the portal id as a number and the forms as a list when cdk.json holds them so', () => {
    const settings = settingsFrom({
      ...valid,
      [contextKeys.hubspotPortalId]: 1234567,
      [contextKeys.formGuids]: [formGuid, otherFormGuid],
    });

    expect(settings.hubspotPortalId).toBe(1234567);
    expect(settings.formGuids).toEqual([formGuid, otherFormGuid]);
    expect(settings.backfillSchedule).toBeUndefined();
  });

  it('reads the pre-QBR large-portfolio threshold as a number, from text or from cdk.json', () => {
    expect(settingsFrom({ ...valid, [contextKeys.largePortfolioDeals]: '5000' }).largePortfolioDeals).toBe(
      5000,
    );
    expect(settingsFrom({ ...valid, [contextKeys.largePortfolioDeals]: 5000 }).largePortfolioDeals).toBe(
      5000,
    );
    expect(settingsFrom(valid).largePortfolioDeals).toBeUndefined();
  });

  it('accepts the placeholders cdk.json ships with, so `cdk synth` works out of the box', () => {
    const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
      context: Record<string, unknown>;
    };

    const settings = settingsFrom({ ...cdkJson.context, [contextKeys.region]: 'eu-west-1' });

    expect(settings.hubspotPortalId).toBeGreaterThan(0);
    expect(settings.formGuids.length).toBeGreaterThan(0);
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
    expect(error.message).toContain(
      'context "dealreg:hubspotPortalId" is required: the HubSpot portal (hub) id',
    );
    expect(error.message).toContain(
      'context "dealreg:formGuids" is required: the GUIDs of the deal-registration forms',
    );
    expect(error.message).not.toContain('dealreg:backfillSchedule');
  });

  it.each([
    [contextKeys.stage, 'Prod Stage', 'lower-case letters'],
    [contextKeys.region, 'Ireland', 'AWS region'],
    [contextKeys.stage, 'production-eu-west-one', 'at most 20 lower-case letters'],
    [contextKeys.mailFrom, 'Dealreg <deals@example.com>', 'sender address'],
    [contextKeys.alarmEmail, 'revops', 'email address'],
    [contextKeys.formFieldMapping, '{not json', 'JSON object'],
    [contextKeys.formFieldMapping, '{"customerWebsite":"website"}', 'customerWebsite'],
    [contextKeys.formFieldMapping, '{"customerDomain":"email"}', 'already mapped to submitterEmail'],
    [
      contextKeys.hubspotPortalId,
      'hub-1234567',
      'must be the HubSpot portal (hub) id, a positive whole number',
    ],
    [contextKeys.hubspotPortalId, '0', 'positive whole number'],
    [contextKeys.hubspotPortalId, -7, 'positive whole number'],
    [contextKeys.hubspotPortalId, 12.5, 'positive whole number'],
    [contextKeys.formGuids, ' , ', 'must name at least one form'],
    [contextKeys.formGuids, `${formGuid},contact-us`, 'holds "contact-us", which is not a HubSpot form GUID'],
    [contextKeys.formGuids, `${formGuid},${formGuid.toUpperCase()}`, 'twice'],
    [contextKeys.formGuids, 42, 'must be the GUIDs of the deal-registration forms'],
    [contextKeys.backfillSchedule, 'every 15 minutes', 'EventBridge Scheduler expression'],
    [contextKeys.backfillSchedule, 'rate(1 minutes)', 'EventBridge Scheduler expression'],
    [contextKeys.backfillSchedule, 'cron(0 * * * *)', 'EventBridge Scheduler expression'],
    [contextKeys.backfillSchedule, 'cron(0/30 * * * * *)', 'a ? in day-of-month or in day-of-week'],
    [contextKeys.backfillSchedule, 'cron(0 9 1 * MON *)', 'a ? in day-of-month or in day-of-week'],
    [contextKeys.backfillSchedule, 'cron(0 9 ? * ? *)', 'a ? in day-of-month or in day-of-week'],
    [contextKeys.largePortfolioDeals, 'many', 'whole number of deals'],
    [contextKeys.largePortfolioDeals, '0', 'above zero'],
    [contextKeys.largePortfolioDeals, 2.5, 'whole number of deals'],
  ])('refuses %s = %j, saying why', (key, value, why) => {
    const error = errorFrom({ ...valid, [key]: value });

    expect(error.message).toContain(`context "${key}"`);
    expect(error.message).toContain(why);
  });

  it('refuses a stage too long for the bucket names in its region, naming the longest it takes there', () => {
    // "General purpose bucket naming rules" (Amazon S3): 3 to 63 characters. The reports bucket
    // is `dealreg-{stage}-reports-{account}-{region}`: 33 characters besides the stage and region.
    const longest = 'a1234567890123456789'; // 20 characters, which the stage pattern allows
    const error = errorFrom({
      ...valid,
      [contextKeys.stage]: longest,
      [contextKeys.region]: 'ap-southeast-1',
    });

    expect(error.message).toContain('context "dealreg:stage"');
    expect(error.message).toContain('at most 19 characters in ap-southeast-1');
    // 19 characters fit there, and 20 in a shorter region.
    expect(
      settingsFrom({
        ...valid,
        [contextKeys.stage]: longest.slice(0, 19),
        [contextKeys.region]: 'ap-southeast-1',
      }).stage,
    ).toHaveLength(19);
    expect(settingsFrom({ ...valid, [contextKeys.stage]: longest }).stage).toBe(longest);
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
        sweeperStateTable: TableV2.fromTableName(stack, 'SweeperState', 'SweeperState'),
        backfillFunction: LambdaFunction.fromFunctionName(stack, 'Backfill', 'backfill'),
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
