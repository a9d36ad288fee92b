import { App, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { CoSell, CoSellConfigurationError } from '#lib/constructs/co-sell.ts';
import { contextKeys } from '#lib/dealreg-app.ts';
import { allow, functionBaseline, imported, statementsOf } from './iam-statements.ts';
import { coSellContext, logicalIdOf, type SynthesizedApp, synthesizeDealregApp } from './synthesize.ts';

let synthesized: SynthesizedApp;

beforeAll(() => {
  // Synthesis runs the cdk-nag plugin and throws on any unacknowledged finding.
  synthesized = synthesizeDealregApp({ context: coSellContext });
}, 120_000);

function coSellOf(app: SynthesizedApp): CoSell {
  if (app.stateless.coSell === undefined) throw new Error('co-sell is not deployed');
  return app.stateless.coSell;
}

describe('co-sell events', () => {
  it("routes Partner Central's opportunity and engagement-invitation events on the default bus to the events function, with retries and a dead-letter queue", () => {
    const coSell = coSellOf(synthesized);
    synthesized.statelessTemplate.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.partnercentral-selling'],
        'detail-type': [{ prefix: 'Opportunity ' }, { prefix: 'Engagement Invitation ' }],
      },
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [logicalIdOf(coSell.eventsFunction), 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 21_600 },
          DeadLetterConfig: {
            Arn: { 'Fn::GetAtt': [logicalIdOf(coSell.eventsFunction.deadLetters), 'Arn'] },
          },
        }),
      ],
    });
    const rule = synthesized.statelessTemplate.findResources('AWS::Events::Rule', {
      Properties: { EventPattern: { source: ['aws.partnercentral-selling'] } },
    });
    // The default bus: no EventBusName.
    expect(Object.values(rule).map((resource) => resource.Properties.EventBusName)).toEqual([undefined]);
  });
});

describe('co-sell reconciliation', () => {
  it('runs every hour through EventBridge Scheduler, without retries (the next run makes up for a missed one)', () => {
    const coSell = coSellOf(synthesized);
    synthesized.statelessTemplate.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 hour)',
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [logicalIdOf(coSell.reconciliationFunction), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 900 },
        DeadLetterConfig: {
          Arn: { 'Fn::GetAtt': [logicalIdOf(coSell.reconciliationFunction.deadLetters), 'Arn'] },
        },
      }),
    });
    synthesized.statelessTemplate.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          CO_SELL_CATALOG: 'Sandbox',
          POWERTOOLS_SERVICE_NAME: 'dealreg-co-sell-reconciliation',
        }),
      },
      ReservedConcurrentExecutions: 1,
    });
  });
});

describe('co-sell permissions', () => {
  const partnerCentral = (statements: ReturnType<typeof statementsOf>) =>
    statements.filter((statement) =>
      statement.actions.some((action) => action.startsWith('partnercentral:')),
    );

  it("lets both functions get and list the policy's catalog's opportunities in Partner Central, and nothing else there", () => {
    const coSell = coSellOf(synthesized);
    for (const fn of [coSell.eventsFunction, coSell.reconciliationFunction]) {
      expect(partnerCentral(statementsOf(synthesized.statelessTemplate, fn))).toEqual([
        allow(
          ['partnercentral:GetOpportunity'],
          ['arn:<AWS::Partition>:partnercentral:us-east-1:<AWS::AccountId>:catalog/Sandbox/opportunity/*'],
        ),
        allow(['partnercentral:ListOpportunities'], ['*'], {
          StringEquals: { 'partnercentral:Catalog': 'Sandbox' },
        }),
      ]);
    }
  });

  it('lets the events function query registrations and append to the ledger; only the reconciliation touches SweeperState', () => {
    const coSell = coSellOf(synthesized);
    const { stateful } = synthesized;
    const events = statementsOf(synthesized.statelessTemplate, coSell.eventsFunction);
    const reconciliation = statementsOf(synthesized.statelessTemplate, coSell.reconciliationFunction);
    expect(events).toEqual(expect.arrayContaining(functionBaseline(coSell.eventsFunction)));
    expect(events).toContainEqual(allow(['dynamodb:Query'], [imported(stateful.registrationsTable, 'Arn')]));
    expect(events.flatMap((statement) => statement.actions)).not.toContain('dynamodb:UpdateItem');
    expect(events.flatMap((statement) => statement.actions)).not.toContain('dynamodb:DeleteItem');
    const sweeper = imported(stateful.sweeperStateTable, 'Arn');
    expect(events.some((statement) => statement.resources.includes(sweeper))).toBe(false);
    expect(reconciliation).toContainEqual(allow(['dynamodb:GetItem', 'dynamodb:PutItem'], [sweeper]));
  });
});

describe('co-sell deployment', () => {
  it('is absent when the policy leaves co-sell off', () => {
    const off = synthesizeDealregApp();
    expect(off.stateless.coSell).toBeUndefined();
    const rules = off.statelessTemplate.findResources('AWS::Events::Rule', {
      Properties: { EventPattern: { source: ['aws.partnercentral-selling'] } },
    });
    expect(rules).toEqual({});
  }, 120_000);

  it('refuses a region where Partner Central delivers no events, naming the fix', () => {
    const stack = new Stack(new App(), 'Elsewhere', { env: { region: 'eu-west-1' } });
    expect(() => new CoSell(stack, 'CoSell', {} as never)).toThrow(CoSellConfigurationError);
    expect(() => new CoSell(stack, 'CoSell2', {} as never)).toThrow(
      /region is eu-west-1.*us-east-1 only.*Deploy Dealreg in us-east-1, or set coSell.enabled to false/,
    );
  });

  it('refuses at synth of the whole app in another region', () => {
    expect(() =>
      synthesizeDealregApp({ context: { ...coSellContext, [contextKeys.region]: 'eu-west-1' } }),
    ).toThrow(CoSellConfigurationError);
  }, 120_000);
});
