import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { allow, functionBaseline, imported, statementsOf, viaDynamoDb } from './iam-statements.ts';
import { logicalIdOf, type SynthesizedApp, synthesizeDealregApp } from './synthesize.ts';

let synthesized: SynthesizedApp;

beforeAll(() => {
  synthesized = synthesizeDealregApp();
}, 120_000);

const digestBucket = 'arn:<AWS::Partition>:s3:::dealreg-test-digest-<AWS::AccountId>-<AWS::Region>';

describe('deal card function', () => {
  it('runs on Node.js 24, arm64, with the ledger, its key and digests, the registrations and the client secret in its environment', () => {
    const { statelessTemplate } = synthesized;

    statelessTemplate.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Environment: {
        Variables: Match.objectLike({
          LEDGER_TABLE: Match.anyValue(),
          LEDGER_MAC_KEY: Match.anyValue(),
          DIGEST_BUCKET: Match.anyValue(),
          REGISTRATIONS_TABLE: Match.anyValue(),
          HUBSPOT_CLIENT_SECRET_ARN: Match.anyValue(),
          POWERTOOLS_SERVICE_NAME: 'dealreg-deal-card',
        }),
      },
    });
  });

  it('may only read: the deal’s chain, one registration at a time, the digests, MAC checks and the client secret', () => {
    const { stateful, stateless, statelessTemplate } = synthesized;
    const fn = stateless.dealCard.function;

    const statements = statementsOf(statelessTemplate, fn);

    expect(statements).toEqual([
      ...functionBaseline(fn),
      allow(['dynamodb:Query'], [imported(stateful.ledgerTable, 'Arn')]),
      allow(['dynamodb:GetItem'], [imported(stateful.registrationsTable, 'Arn')]),
      allow(['kms:Decrypt'], [imported(stateful.dataKey, 'Arn')], viaDynamoDb),
      allow(['kms:VerifyMac'], [imported(stateful.ledgerMacKey, 'Arn')]),
      allow(['s3:ListBucket'], [digestBucket], { StringLike: { 's3:prefix': ['ledger-digests/*'] } }),
      allow(['s3:GetObject'], [`${digestBucket}/ledger-digests/*`]),
      allow(['secretsmanager:GetSecretValue'], [imported(stateful.hubspotClientSecret)]),
    ]);
  });

  it('answers GET /hubspot/deal-card on the intake API, without an authorizer (HubSpot signs each request)', () => {
    const { stateless, statelessTemplate } = synthesized;
    const resources = statelessTemplate.findResources('AWS::ApiGateway::Resource', {
      Properties: { PathPart: 'deal-card' },
    });
    const [resourceId] = Object.keys(resources);

    statelessTemplate.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'GET',
      AuthorizationType: 'NONE',
      ResourceId: { Ref: resourceId },
      RestApiId: { Ref: logicalIdOf(stateless.submissionIntake.api) },
      Integration: Match.objectLike({
        Type: 'AWS_PROXY',
        Uri: Match.objectLike({
          'Fn::Join': Match.arrayWith([
            Match.arrayWith([{ 'Fn::GetAtt': [logicalIdOf(stateless.dealCard.function), 'Arn'] }]),
          ]),
        }),
      }),
    });
    expect(Object.keys(resources)).toHaveLength(1);
  });

  it('outputs the URL to put in the HubSpot project variable and the app’s permitted fetch URLs', () => {
    const { statelessTemplate } = synthesized;

    statelessTemplate.hasOutput('DealCardUrl', {
      Value: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith(['/hubspot/deal-card'])] }),
    });
  });
});
