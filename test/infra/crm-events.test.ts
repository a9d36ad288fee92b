import { App, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { RestApi } from 'aws-cdk-lib/aws-apigateway';
import { Key } from 'aws-cdk-lib/aws-kms';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { beforeAll, describe, expect, it } from 'vitest';
import { AttributionLedger } from '#lib/constructs/attribution-ledger.ts';
import { CrmEvents, CrmEventsConfigurationError } from '#lib/constructs/crm-events.ts';
import { contextKeys } from '#lib/dealreg-app.ts';
import {
  allow,
  functionBaseline,
  imported,
  ledgerTableAndIndexes,
  statementsOf,
  viaDynamoDb,
} from './iam-statements.ts';
import { logicalIdOf, type SynthesizedApp, synthesizeDealregApp, testContext } from './synthesize.ts';

let synthesized: SynthesizedApp;

beforeAll(() => {
  synthesized = synthesizeDealregApp();
}, 120_000);

/** `{"Fn::ImportValue": "…"}` naming the stateful stack's export of this construct. */
function importOf(construct: Parameters<typeof logicalIdOf>[0]) {
  return {
    'Fn::ImportValue': Match.stringLikeRegexp(
      `^Dealreg-test-Stateful:ExportsOutput.*${logicalIdOf(construct)}`,
    ),
  };
}

describe('CRM events function', () => {
  it('runs on Node.js 24, arm64, with the ledger table and both HubSpot credentials in its environment', () => {
    const { stateful, statelessTemplate } = synthesized;

    statelessTemplate.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Environment: {
        Variables: Match.objectLike({
          LEDGER_TABLE: importOf(stateful.ledgerTable),
          HUBSPOT_CLIENT_SECRET_ARN: importOf(stateful.hubspotClientSecret),
          HUBSPOT_ACCESS_TOKEN_ARN: importOf(stateful.hubspotAccessToken),
          HUBSPOT_REQUESTS_PER_WINDOW: '10',
          HUBSPOT_SEARCHES_PER_SECOND: '0',
          POWERTOOLS_SERVICE_NAME: 'dealreg-crm-events',
        }),
      },
    });
  });

  it('may insert ledger entries with the ledger key’s MAC and read the ledger, never update or delete, and read the two HubSpot credentials', () => {
    const { stateful, stateless, statelessTemplate } = synthesized;
    const fn = stateless.crmEvents.function;

    const statements = statementsOf(statelessTemplate, fn);

    expect(statements).toEqual([
      ...functionBaseline(fn),
      allow(
        ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
        [imported(stateful.dataKey, 'Arn')],
        viaDynamoDb,
      ),
      allow(['kms:GenerateMac'], [imported(stateful.ledgerMacKey, 'Arn')]),
      allow(
        ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan'],
        ledgerTableAndIndexes(imported(stateful.ledgerTable, 'Arn')),
      ),
      allow(
        ['secretsmanager:GetSecretValue'],
        [imported(stateful.hubspotClientSecret), imported(stateful.hubspotAccessToken)],
      ),
    ]);
  });
});

describe('CRM events route', () => {
  it('adds POST /hubspot/crm-events to the intake API beside the form submissions, proxied to the function without an authorizer', () => {
    const { stateless, statelessTemplate } = synthesized;
    const api = stateless.submissionIntake.api;

    const hubspot = statelessTemplate.findResources('AWS::ApiGateway::Resource', {
      Properties: { PathPart: 'hubspot' },
    });
    expect(Object.keys(hubspot)).toHaveLength(1);
    statelessTemplate.hasResourceProperties('AWS::ApiGateway::Resource', {
      PathPart: 'crm-events',
      ParentId: { Ref: Object.keys(hubspot)[0] },
      RestApiId: { Ref: logicalIdOf(api) },
    });
    statelessTemplate.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      AuthorizationType: 'NONE',
      Integration: {
        Type: 'AWS_PROXY',
        Uri: Match.objectLike({
          'Fn::Join': [
            '',
            Match.arrayWith([{ 'Fn::GetAtt': [logicalIdOf(stateless.crmEvents.function), 'Arn'] }]),
          ],
        }),
      },
    });
  });

  it('outputs the webhook URL to configure in the HubSpot app', () => {
    const { statelessTemplate } = synthesized;

    const outputs = statelessTemplate.findOutputs('*', {
      Description: Match.stringLikeRegexp('webhook subscriptions'),
    });

    expect(JSON.stringify(Object.values(outputs)[0]?.Value)).toContain('/hubspot/crm-events');
  });
});

describe('CRM events deployment settings', () => {
  it('passes the USD rates of the dealreg:usdRates context to the function', () => {
    const { statelessTemplate } = synthesizeDealregApp({
      context: { ...testContext, [contextKeys.usdRates]: '{"EUR": "1.08", "GBP": "1.27"}' },
    });

    statelessTemplate.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ CRM_EVENTS_USD_RATES: JSON.stringify({ EUR: '1.08', GBP: '1.27' }) }),
      },
    });
  });

  it('refuses a USD rate written as a number, naming the context key', () => {
    expect(() =>
      synthesizeDealregApp({ context: { ...testContext, [contextKeys.usdRates]: '{"EUR": 1.08}' } }),
    ).toThrow(/context "dealreg:usdRates"/);
  });
});

describe('CrmEvents construct', () => {
  function build(props: { usdRates?: Record<string, string>; defaultCurrency?: string }) {
    const stack = new Stack(new App(), 'CrmEventsTest', {
      env: { region: 'eu-west-1', account: '111111111111' },
    });
    const alarmTopic = new Topic(stack, 'Alarms');
    const ledger = new AttributionLedger(stack, 'Ledger', {
      alarmTopic,
      encryptionKey: new Key(stack, 'Key', { enableKeyRotation: true }),
    });
    return new CrmEvents(stack, 'CrmEvents', {
      ledger,
      api: new RestApi(stack, 'Api'),
      // `as`: Secret does not match ISecret under exactOptionalPropertyTypes (aws/aws-cdk#37996).
      hubspotClientSecret: new Secret(stack, 'ClientSecret') as ISecret,
      hubspotAccessToken: new Secret(stack, 'AccessToken') as ISecret,
      alarmTopic,
      ...props,
      entry: new URL('../../functions/handlers/crm-events.ts', import.meta.url).pathname,
    });
  }

  it('refuses a USD rate that is not a positive decimal, naming it', () => {
    expect(() => build({ usdRates: { EUR: '1,08' } })).toThrow(CrmEventsConfigurationError);
    expect(() => build({ usdRates: { EUR: '1,08' } })).toThrow(/EUR: "1,08"/);
  });

  it('refuses a default currency that is not an ISO 4217 code', () => {
    expect(() => build({ defaultCurrency: 'euro' })).toThrow(/defaultCurrency must be an ISO 4217 code/);
  });
});
