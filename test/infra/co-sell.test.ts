import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { CoSell, CoSellConfigurationError } from '#lib/constructs/co-sell.ts';
import { hubSpotBudget } from '#lib/constructs/hubspot-budget.ts';
import { contextKeys } from '#lib/dealreg-app.ts';
import { allow, functionBaseline, imported, statementsOf } from './iam-statements.ts';
import { coSellContext, logicalIdOf, type SynthesizedApp, synthesizeDealregApp } from './synthesize.ts';

let synthesized: SynthesizedApp;

/** The Sandbox catalog's engagement invitations (AWS referrals), as the statements name them. */
const sandboxInvitations =
  'arn:<AWS::Partition>:partnercentral:us-east-1::catalog/Sandbox/engagement-invitation/*';

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

describe('co-sell catch-up, deployed', () => {
  it("gives the reconciliation what sharing after the workflow's step needs: HubSpot (its own share, no searches), the policy in its code, the token", () => {
    const coSell = coSellOf(synthesized);
    const { stateful } = synthesized;
    const properties =
      synthesized.statelessTemplate.toJSON().Resources[logicalIdOf(coSell.reconciliationFunction)].Properties;
    const share = hubSpotBudget.coSellReconciliation;

    expect(properties.Environment.Variables).toMatchObject({
      HUBSPOT_ACCESS_TOKEN_ARN: {
        'Fn::ImportValue': expect.stringMatching(
          `^Dealreg-test-Stateful:ExportsOutputRef${logicalIdOf(stateful.hubspotAccessToken)}`,
        ),
      },
      HUBSPOT_REQUESTS_PER_WINDOW: String(share.requestsPerWindow),
      // It reads customer companies by id; the portal's searches are all given out.
      HUBSPOT_SEARCHES_PER_SECOND: '0',
      DEALREG_POLICY_VERSION: expect.stringMatching(/^pv-[0-9a-f]{12}$/),
    });
    // The policy is in its code (esbuild's define), not in its 4 KB environment.
    expect(properties.Environment.Variables.DEALREG_POLICY).toBeUndefined();
    expect(properties.ReservedConcurrentExecutions).toBe(share.containers);
    expect(statementsOf(synthesized.statelessTemplate, coSell.reconciliationFunction)).toContainEqual(
      allow(['secretsmanager:GetSecretValue'], [imported(stateful.hubspotAccessToken)]),
    );
  });
});

describe('co-sell permissions', () => {
  const partnerCentral = (statements: ReturnType<typeof statementsOf>) =>
    statements.filter((statement) =>
      statement.actions.some((action) => action.startsWith('partnercentral:')),
    );

  const opportunities = [
    allow(
      ['partnercentral:GetOpportunity'],
      ['arn:<AWS::Partition>:partnercentral:us-east-1:<AWS::AccountId>:catalog/Sandbox/opportunity/*'],
    ),
    allow(['partnercentral:ListOpportunities'], ['*'], {
      StringEquals: { 'partnercentral:Catalog': 'Sandbox' },
    }),
  ];

  it("lets both functions get and list the policy's catalog's opportunities in Partner Central; the events function also reads (never answers) its referrals, the reconciliation creates and submits as the registration steps do", () => {
    const coSell = coSellOf(synthesized);

    // Its catch-up shares what the workflow's step could not.
    expect(
      partnerCentral(statementsOf(synthesized.statelessTemplate, coSell.reconciliationFunction)),
    ).toEqual(
      partnerCentral(
        statementsOf(synthesized.statelessTemplate, synthesized.stateless.registrationWorkflow.steps),
      ),
    );
    expect(
      partnerCentral(statementsOf(synthesized.statelessTemplate, coSell.reconciliationFunction)).flatMap(
        (statement) => statement.actions,
      ),
    ).toEqual(
      expect.arrayContaining([
        'partnercentral:CreateOpportunity',
        'partnercentral:StartEngagementFromOpportunityTask',
      ]),
    );
    expect(partnerCentral(statementsOf(synthesized.statelessTemplate, coSell.eventsFunction))).toEqual([
      ...opportunities,
      allow(['partnercentral:GetEngagementInvitation'], [sandboxInvitations]),
    ]);
  });

  it('lets the events function read registrations by customer and append to the ledger; only the reconciliation touches SweeperState', () => {
    const coSell = coSellOf(synthesized);
    const { stateful } = synthesized;
    const events = statementsOf(synthesized.statelessTemplate, coSell.eventsFunction);
    const reconciliation = statementsOf(synthesized.statelessTemplate, coSell.reconciliationFunction);
    const registrations = imported(stateful.registrationsTable, 'Arn');
    expect(events).toEqual(expect.arrayContaining(functionBaseline(coSell.eventsFunction)));
    // A new referral's conflict check (byCustomerDomain: the index, then a BatchGetCommand of the
    // progress items of registrations the index shows alone); a status change reads the
    // registration's items with GetCommand (getRegistrationItems), as the reconciliation does.
    expect(events).toContainEqual(
      allow(
        ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
        [registrations, `${registrations}/index/byCustomerReceipt`],
      ),
    );
    expect(reconciliation).toContainEqual(allow(['dynamodb:GetItem'], [registrations]));
    expect(events.flatMap((statement) => statement.actions)).not.toContain('dynamodb:UpdateItem');
    expect(events.flatMap((statement) => statement.actions)).not.toContain('dynamodb:DeleteItem');
    const sweeper = imported(stateful.sweeperStateTable, 'Arn');
    expect(events.some((statement) => statement.resources.includes(sweeper))).toBe(false);
    expect(reconciliation).toContainEqual(allow(['dynamodb:GetItem', 'dynamodb:PutItem'], [sweeper]));
  });
});

describe('AWS referral review, deployed with co-sell', () => {
  function referralPageOf(app: SynthesizedApp) {
    const fn = app.stateless.approvals.awsReferralsFunction;
    if (fn === undefined) throw new Error('the AWS referral page is not deployed');
    return fn;
  }

  function propertiesOf(app: SynthesizedApp, fn: Parameters<typeof logicalIdOf>[0]) {
    return app.statelessTemplate.toJSON().Resources[logicalIdOf(fn)].Properties;
  }

  it('serves GET and POST of /aws-referrals/{invitationId} on the intake API from the referral page function, authorised by the signed link', () => {
    const page = referralPageOf(synthesized);
    const template = synthesized.statelessTemplate;
    const resources = template.findResources('AWS::ApiGateway::Resource');
    const idOf = (pathPart: string) =>
      Object.entries(resources).find(([, resource]) => resource.Properties.PathPart === pathPart)?.[0];

    expect(resources[idOf('aws-referrals') ?? '']?.Properties.ParentId).toEqual({
      'Fn::GetAtt': [logicalIdOf(synthesized.stateless.submissionIntake.api), 'RootResourceId'],
    });
    expect(resources[idOf('{invitationId}') ?? '']?.Properties.ParentId).toEqual({
      Ref: idOf('aws-referrals'),
    });
    const methods = Object.values(
      template.findResources('AWS::ApiGateway::Method', {
        Properties: { ResourceId: { Ref: idOf('{invitationId}') } },
      }),
    );
    expect(methods.map((method) => method.Properties.HttpMethod).sort()).toEqual(['GET', 'POST']);
    for (const method of methods) {
      expect(method.Properties).toMatchObject({
        AuthorizationType: 'NONE',
        Integration: {
          Type: 'AWS_PROXY',
          Uri: { 'Fn::Join': ['', expect.arrayContaining([{ 'Fn::GetAtt': [logicalIdOf(page), 'Arn'] }])] },
        },
      });
    }
  });

  it('gives the referral page its settings, the policy in its code, one container with its HubSpot share, and an answer within the API limit', () => {
    const page = referralPageOf(synthesized);
    const { stateful } = synthesized;
    const properties = propertiesOf(synthesized, page);
    const importOf = (construct: Parameters<typeof logicalIdOf>[0]) => ({
      'Fn::ImportValue': expect.stringMatching(
        `^Dealreg-test-Stateful:ExportsOutputRef${logicalIdOf(construct)}`,
      ),
    });

    expect(properties.Environment.Variables).toEqual({
      REGISTRATIONS_TABLE: importOf(stateful.registrationsTable),
      HUBSPOT_ACCESS_TOKEN_ARN: importOf(stateful.hubspotAccessToken),
      HUBSPOT_PORTAL_ID: '12345678',
      HUBSPOT_REQUESTS_PER_WINDOW: String(hubSpotBudget.awsReferralPages.requestsPerWindow),
      HUBSPOT_SEARCHES_PER_SECOND: String(hubSpotBudget.awsReferralPages.searchesPerSecond),
      APPROVAL_SIGNING_KEY_SECRET_ARN: importOf(stateful.approvalSigningKey),
      DEALREG_POLICY_VERSION: expect.stringMatching(/^pv-[0-9a-f]{12}$/),
      POWERTOOLS_SERVICE_NAME: 'dealreg-aws-referrals',
      POWERTOOLS_LOG_LEVEL: 'INFO',
    });
    expect(properties.ReservedConcurrentExecutions).toBe(hubSpotBudget.awsReferralPages.containers);
    expect(properties.Timeout).toBe(25);
  });

  it("lets the referral page read registrations by customer, the signing key and HubSpot token, and read, accept and reject the catalog's referrals — nothing else", () => {
    const page = referralPageOf(synthesized);
    const { stateful } = synthesized;
    const registrations = imported(stateful.registrationsTable, 'Arn');

    expect(statementsOf(synthesized.statelessTemplate, page)).toEqual([
      ...functionBaseline(page),
      allow(
        ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
        [registrations, `${registrations}/index/byCustomerReceipt`],
      ),
      allow(['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], [imported(stateful.dataKey, 'Arn')], {
        StringEquals: { 'kms:ViaService': 'dynamodb.us-east-1.<AWS::URLSuffix>' },
      }),
      allow(
        ['secretsmanager:GetSecretValue'],
        [imported(stateful.approvalSigningKey), imported(stateful.hubspotAccessToken)],
      ),
      allow(
        [
          'partnercentral:AcceptEngagementInvitation',
          'partnercentral:GetEngagementInvitation',
          'partnercentral:RejectEngagementInvitation',
        ],
        [sandboxInvitations],
      ),
    ]);
  });

  it('gives the events function what a new referral’s review needs: the signed link’s API, key and sender, HubSpot, the policy in its code', () => {
    const coSell = coSellOf(synthesized);
    const { stateful } = synthesized;
    const properties = propertiesOf(synthesized, coSell.eventsFunction);
    const importOf = (construct: Parameters<typeof logicalIdOf>[0]) => ({
      'Fn::ImportValue': expect.stringMatching(
        `^Dealreg-test-Stateful:ExportsOutputRef${logicalIdOf(construct)}`,
      ),
    });

    expect(properties.Environment.Variables).toMatchObject({
      APPROVALS_TABLE: importOf(stateful.approvalsTable),
      MAIL_FROM: 'deals@partners.example.com',
      APPROVALS_API_URL: synthesized.stateless.resolve(synthesized.stateless.approvals.apiBaseUrl),
      APPROVAL_SIGNING_KEY_SECRET_ARN: importOf(stateful.approvalSigningKey),
      HUBSPOT_ACCESS_TOKEN_ARN: importOf(stateful.hubspotAccessToken),
      HUBSPOT_PORTAL_ID: '12345678',
      HUBSPOT_REQUESTS_PER_WINDOW: String(hubSpotBudget.awsReferralEvents.requestsPerWindow),
      HUBSPOT_SEARCHES_PER_SECOND: String(hubSpotBudget.awsReferralEvents.searchesPerSecond),
      DEALREG_POLICY_VERSION: expect.stringMatching(/^pv-[0-9a-f]{12}$/),
    });
    expect(properties.ReservedConcurrentExecutions).toBe(hubSpotBudget.awsReferralEvents.containers);
    // One HubSpot window of waiting and one 30-second attempt fit.
    expect(properties.Timeout).toBe(60);
  });

  it('lets the events function record the review email once in the approvals table, read both secrets and send as the approvals’ sender', () => {
    const coSell = coSellOf(synthesized);
    const { stateful } = synthesized;
    const events = statementsOf(synthesized.statelessTemplate, coSell.eventsFunction);
    const identity = (name: string) => `arn:<AWS::Partition>:ses:us-east-1:<AWS::AccountId>:identity/${name}`;

    expect(events).toContainEqual(
      allow(['dynamodb:GetItem', 'dynamodb:PutItem'], [imported(stateful.approvalsTable, 'Arn')]),
    );
    expect(events).toContainEqual(
      allow(
        ['secretsmanager:GetSecretValue'],
        [imported(stateful.hubspotAccessToken), imported(stateful.approvalSigningKey)],
      ),
    );
    expect(events).toContainEqual(
      allow(
        ['ses:SendEmail', 'ses:SendRawEmail'],
        [identity('deals@partners.example.com'), identity('partners.example.com')],
      ),
    );
    expect(events.flatMap((statement) => statement.actions)).not.toContain(
      'partnercentral:AcceptEngagementInvitation',
    );
  });

  it('takes the referral review’s HubSpot share from the registration steps', () => {
    const steps = propertiesOf(synthesized, synthesized.stateless.registrationWorkflow.steps);

    expect(steps.ReservedConcurrentExecutions).toBe(
      hubSpotBudget.registrationStepsBesideAwsReferrals.containers,
    );
    expect(steps.Environment.Variables).toMatchObject({
      HUBSPOT_REQUESTS_PER_WINDOW: String(
        hubSpotBudget.registrationStepsBesideAwsReferrals.requestsPerWindow,
      ),
      HUBSPOT_SEARCHES_PER_SECOND: '1',
    });
  });

  it('passes the cdk-nag AWS Solutions checks, each Partner Central wildcard acknowledged with its reason', () => {
    const report = new AwsSolutionsChecks().validateScope(synthesized.app);

    expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
    const invitationFindings = synthesized.app.node.findAll().flatMap((construct) =>
      construct.node.metadata
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
        .filter(([id]) => id.includes('engagement-invitation'))
        .map(([, reason]) => `${construct.node.path}: ${reason}`),
    );
    expect(invitationFindings).toEqual([
      expect.stringMatching(
        /^Dealreg-test-Stateless\/Approvals\/AwsReferralPagesRole: .*accepted or rejected/,
      ),
      expect.stringMatching(/^Dealreg-test-Stateless\/CoSell\/EventsRole: .*nothing is answered/),
    ]);
  });
});

describe('co-sell deployment', () => {
  it('lets the registration steps create, read and submit opportunities of the policy’s catalog only', () => {
    const steps = synthesized.stateless.registrationWorkflow.steps;
    const partnerCentral = statementsOf(synthesized.statelessTemplate, steps).filter((statement) =>
      statement.actions.some((action) => action.startsWith('partnercentral:')),
    );

    expect(partnerCentral).toEqual([
      allow(
        [
          'partnercentral:GetOpportunity',
          // "Associating, disassociating and assigning opportunities": a Partner Solution is
          // associated before each submission.
          'partnercentral:AssociateOpportunity',
          'partnercentral:StartEngagementFromOpportunityTask',
        ],
        [
          'arn:<AWS::Partition>:partnercentral:us-east-1:<AWS::AccountId>:catalog/Sandbox/opportunity/*',
          'arn:<AWS::Partition>:partnercentral:us-east-1::catalog/Sandbox/engagement-from-opportunity-task/*',
        ],
      ),
      allow(['partnercentral:CreateOpportunity', 'partnercentral:ListOpportunities'], ['*'], {
        StringEquals: { 'partnercentral:Catalog': 'Sandbox' },
      }),
    ]);
  });

  it('is absent when the policy leaves co-sell off: no events, no referral page, the registration steps keep their share', () => {
    const off = synthesizeDealregApp();
    expect(off.stateless.coSell).toBeUndefined();
    const rules = off.statelessTemplate.findResources('AWS::Events::Rule', {
      Properties: { EventPattern: { source: ['aws.partnercentral-selling'] } },
    });
    expect(rules).toEqual({});
    expect(off.stateless.approvals.awsReferralsFunction).toBeUndefined();
    expect(
      off.statelessTemplate.findResources('AWS::ApiGateway::Resource', {
        Properties: { PathPart: 'aws-referrals' },
      }),
    ).toEqual({});
    const functions = Object.values(off.statelessTemplate.findResources('AWS::Lambda::Function'));
    expect(
      functions.map((fn) => fn.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME),
    ).not.toContain('dealreg-aws-referrals');
    const statements = JSON.stringify(off.statelessTemplate.findResources('AWS::IAM::Policy'));
    expect(statements).not.toContain('EngagementInvitation');
    // Nothing calls Partner Central with co-sell off (share-with-aws.ts returns first), so no role
    // may: the registration steps included.
    expect(statements).not.toContain('partnercentral:');
    const steps =
      off.statelessTemplate.toJSON().Resources[logicalIdOf(off.stateless.registrationWorkflow.steps)];
    expect(steps.Properties.ReservedConcurrentExecutions).toBe(hubSpotBudget.registrationSteps.containers);
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
