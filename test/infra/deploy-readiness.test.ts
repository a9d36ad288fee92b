import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type HubSpotShare,
  hubSpotBudget,
  hubSpotPortalLimits,
  registrationStepsShare,
} from '#lib/constructs/hubspot-budget.ts';
import { contextKeys } from '#lib/dealreg-app.ts';
import { coSellContext, type SynthesizedApp, synthesizeDealregApp, testContext } from './synthesize.ts';
import { tasksWithNonObjectParameters } from './validate-asl.ts';

/**
 * Limits AWS enforces at deployment or at run time, checked on the synthesized stacks with each
 * policy the project ships (the larger the policy, the closer a limit).
 */

/** "The total size of all environment variables doesn't exceed 4 KB" (AWS Lambda quotas). */
const lambdaEnvironmentBytes = 4 * 1024;

/**
 * A reference CloudFormation resolves at deploy time (an imported table name, a secret or state
 * machine ARN) counted at 256 bytes: more than any name or ARN these stacks produce (a DynamoDB
 * table name is at most 255 characters; the stacks' ARNs are under 200).
 */
const resolvedReferenceBytes = 256;

function environmentBytes(variables: Record<string, unknown>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(variables)) {
    bytes += Buffer.byteLength(name);
    bytes += typeof value === 'string' ? Buffer.byteLength(value) : referenceBytes(value);
  }
  return bytes;
}

/** A `Fn::Join` counts its literal parts and each reference inside it; any other intrinsic is one reference. */
function referenceBytes(value: unknown): number {
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join === undefined) return resolvedReferenceBytes;
  const [separator, parts] = join;
  return parts.reduce<number>(
    (sum, part) => sum + (typeof part === 'string' ? Buffer.byteLength(part) : referenceBytes(part)),
    Buffer.byteLength(separator) * Math.max(parts.length - 1, 0),
  );
}

/** "Amazon API Gateway quotas": a REST API integration answers within 29 seconds. */
const apiIntegrationSeconds = 29;

/** The logical id of the function a Lambda proxy integration URI invokes. */
function integratedFunction(uri: unknown): string | undefined {
  const parts = (uri as { 'Fn::Join'?: [string, unknown[]] } | undefined)?.['Fn::Join']?.[1] ?? [];
  for (const part of parts) {
    const getAtt = (part as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
    if (getAtt?.[1] === 'Arn') return getAtt[0];
  }
  return undefined;
}

/** The logical ids of the functions the API's methods invoke. */
function apiFunctions(template: Template): Set<string> {
  const integrated = new Set<string>();
  for (const method of Object.values(template.findResources('AWS::ApiGateway::Method'))) {
    const target = integratedFunction((method.Properties?.Integration as { Uri?: unknown } | undefined)?.Uri);
    if (target !== undefined) integrated.add(target);
  }
  return integrated;
}

/** Every state machine's definition, references replaced by a placeholder (they sit inside JSON strings). */
function stateMachineDefinitions(template: Template): Record<string, unknown> {
  const definitions: Record<string, unknown> = {};
  for (const [id, resource] of Object.entries(template.findResources('AWS::StepFunctions::StateMachine'))) {
    const definition = resource.Properties?.DefinitionString as unknown;
    const join = (definition as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
    const text =
      typeof definition === 'string'
        ? definition
        : (join?.[1] ?? []).map((part) => (typeof part === 'string' ? part : 'placeholder')).join(join?.[0]);
    definitions[id] = JSON.parse(text);
  }
  return definitions;
}

/** What a deployment holds with co-sell off, and on (its reconciliation schedule, its referral page and events). */
const coSellOff = { schedules: 3, apiFunctions: 5, hubSpotCallersOutsideApi: 4 };
const coSellOn = { schedules: 4, apiFunctions: 6, hubSpotCallersOutsideApi: 6 };

describe.each([
  ['the default policy', 'policy/default-policy.json', testContext[contextKeys.region], coSellOff],
  ['the example policy', 'policy/example-policy.json', testContext[contextKeys.region], coSellOff],
  // Co-sell on (its functions and its reconciliation schedule too), in the one region Partner
  // Central delivers its events to.
  ['co-sell on', coSellContext[contextKeys.policyFile], coSellContext[contextKeys.region], coSellOn],
  // The largest policy the project ships (`dealreg local`'s default), co-sell on.
  ['the demo policy', 'policy/demo-policy.json', coSellContext[contextKeys.region], coSellOn],
])('deployed with %s', (_name, policyFile, region, expected) => {
  let app: SynthesizedApp;
  beforeAll(() => {
    app = synthesizeDealregApp({
      context: { ...testContext, [contextKeys.region]: region, [contextKeys.policyFile]: policyFile },
    });
  });

  it('keeps every function environment within 4 KB, references counted at their resolved length', () => {
    const oversized: string[] = [];
    for (const [id, resource] of Object.entries(
      app.statelessTemplate.findResources('AWS::Lambda::Function'),
    )) {
      const variables = (resource.Properties?.Environment?.Variables ?? {}) as Record<string, unknown>;
      const bytes = environmentBytes(variables);
      if (bytes > lambdaEnvironmentBytes) oversized.push(`${id}: ${bytes} bytes`);
    }

    expect(oversized).toEqual([]);
  });

  it('hands every Task of every state machine an object as its input', () => {
    const definitions = stateMachineDefinitions(app.statelessTemplate);

    // The registration workflow, its Express segments, the pre-QBR check.
    expect(Object.keys(definitions)).toHaveLength(3);
    for (const [id, definition] of Object.entries(definitions)) {
      expect(tasksWithNonObjectParameters(definition), id).toEqual([]);
    }
  });

  it('gives every function behind the API a timeout within API Gateway’s 29-second integration limit', () => {
    const functions = app.statelessTemplate.findResources('AWS::Lambda::Function');
    const tooSlow: string[] = [];
    for (const [id, method] of Object.entries(
      app.statelessTemplate.findResources('AWS::ApiGateway::Method'),
    )) {
      const integration = method.Properties?.Integration as
        | { Uri?: unknown; TimeoutInMillis?: number }
        | undefined;
      const target = integratedFunction(integration?.Uri);
      if (target === undefined) continue;
      // "Amazon API Gateway quotas": integration timeout 50 ms – 29 seconds for REST APIs.
      const timeout = (functions[target]?.Properties?.Timeout as number | undefined) ?? 3;
      if (timeout > apiIntegrationSeconds)
        tooSlow.push(`${id} → ${target}: ${timeout} s > ${apiIntegrationSeconds} s`);
      if ((integration?.TimeoutInMillis ?? 0) > apiIntegrationSeconds * 1000) {
        tooSlow.push(
          `${id}: TimeoutInMillis ${integration?.TimeoutInMillis} > ${apiIntegrationSeconds * 1000}`,
        );
      }
    }

    // The intake, the CRM events, the deal card, the approval pages and the extension pages; with
    // co-sell, the AWS referral page.
    expect(apiFunctions(app.statelessTemplate).size).toBe(expected.apiFunctions);
    expect(tooSlow).toEqual([]);
  });

  it('describes every IAM role in the characters IAM accepts', () => {
    // "CreateRole" (IAM API Reference): Description, at most 1000 characters matching
    // [\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*; CloudFormation fails the deployment otherwise.
    const accepted = /^[\t\n\r\u0020-\u007E\u00A1-\u00FF]{0,1000}$/;
    const refused = [app.statefulTemplate, app.statelessTemplate].flatMap((template) =>
      Object.entries(template.findResources('AWS::IAM::Role'))
        .filter(([, role]) => {
          const description = role.Properties?.Description as unknown;
          return typeof description === 'string' && !accepted.test(description);
        })
        .map(([id, role]) => `${id}: ${String(role.Properties?.Description)}`),
    );

    expect(refused).toEqual([]);
  });

  it('sends every alarm somewhere', () => {
    const silent = [app.statefulTemplate, app.statelessTemplate].flatMap((template) =>
      Object.entries(template.findResources('AWS::CloudWatch::Alarm'))
        .filter(([, alarm]) => ((alarm.Properties?.AlarmActions as unknown[] | undefined) ?? []).length === 0)
        .map(([id]) => `${id}: no alarm action`),
    );

    expect(silent).toEqual([]);
  });

  it('lets CloudWatch publish every alarm to its topic, whose policy replaces SNS’s default one', () => {
    // "Why didn't I receive an SNS notification for my CloudWatch alarm trigger?" (AWS Knowledge
    // Center): a topic access policy that does not allow cloudwatch.amazonaws.com sns:Publish fails
    // every alarm action ("… is not authorized to perform: SNS:Publish"). An AWS::SNS::TopicPolicy
    // (enforceSSL makes one) is the topic's whole access policy, SNS's default statement gone.
    const template = app.statelessTemplate;
    const policies = Object.values(template.findResources('AWS::SNS::TopicPolicy'));
    const topics = new Set<string>();
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
      for (const action of [
        ...((alarm.Properties?.AlarmActions as unknown[] | undefined) ?? []),
        ...((alarm.Properties?.OKActions as unknown[] | undefined) ?? []),
      ]) {
        const topic = (action as { Ref?: string }).Ref;
        if (topic !== undefined) topics.add(topic);
      }
    }
    type Statement = {
      Effect: string;
      Principal?: { Service?: string | string[] };
      Action: string | string[];
      Condition?: Record<string, Record<string, unknown>>;
    };
    const list = (value: string | string[] | undefined) =>
      value === undefined ? [] : Array.isArray(value) ? value : [value];
    const refused: string[] = [];
    for (const topic of topics) {
      const policy = policies.find((candidate) =>
        ((candidate.Properties?.Topics as unknown[] | undefined) ?? []).some(
          (ref) => (ref as { Ref?: string }).Ref === topic,
        ),
      );
      if (policy === undefined) continue; // SNS's default policy lets the account's CloudWatch publish.
      const statements = policy.Properties?.PolicyDocument?.Statement as Statement[];
      const allowed = statements.some(
        (statement) =>
          statement.Effect === 'Allow' &&
          list(statement.Principal?.Service).includes('cloudwatch.amazonaws.com') &&
          list(statement.Action).some((action) => action.toLowerCase() === 'sns:publish') &&
          // Only this account's alarms (confused deputy).
          statement.Condition?.StringEquals?.['aws:SourceAccount'] !== undefined,
      );
      if (!allowed)
        refused.push(`${topic}: its policy does not let this account's CloudWatch alarms publish`);
    }

    expect(topics.size).toBeGreaterThan(0);
    expect(refused).toEqual([]);
  });

  it('grants no role a describe call no deployed code makes: secrets are read, tables never described', () => {
    // Functions read secrets through Powertools' SecretsProvider (handlers/wiring/secrets.ts), which
    // calls GetSecretValue only; only the CLI's `dealreg doctor` describes secrets, with the
    // operator's credentials. No function, and no CLI command run under the ledger verifier
    // role, calls DescribeTable.
    const described = /^(secretsmanager:DescribeSecret|dynamodb:DescribeTable)$/;
    const granted: string[] = [];
    for (const template of [app.statefulTemplate, app.statelessTemplate]) {
      for (const [id, policy] of Object.entries(template.findResources('AWS::IAM::Policy'))) {
        const statements = (policy.Properties?.PolicyDocument?.Statement ?? []) as {
          Effect: string;
          Action: string | string[];
        }[];
        for (const statement of statements) {
          const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
          for (const action of actions) {
            if (statement.Effect === 'Allow' && described.test(action)) granted.push(`${id}: ${action}`);
          }
        }
      }
    }

    expect(granted).toEqual([]);
  });

  it('runs every schedule through EventBridge Scheduler with its own role and a dead-letter queue', () => {
    const problems: string[] = [];
    for (const template of [app.statefulTemplate, app.statelessTemplate]) {
      for (const [id, schedule] of Object.entries(template.findResources('AWS::Scheduler::Schedule'))) {
        const target = schedule.Properties?.Target as {
          RoleArn?: unknown;
          DeadLetterConfig?: { Arn?: unknown };
        };
        if (target.RoleArn === undefined) problems.push(`${id}: no role`);
        if (target.DeadLetterConfig?.Arn === undefined) problems.push(`${id}: no dead-letter queue`);
      }
      for (const [id, rule] of Object.entries(template.findResources('AWS::Events::Rule'))) {
        if (rule.Properties?.ScheduleExpression !== undefined) {
          problems.push(`${id}: an EventBridge rule on a schedule (use EventBridge Scheduler)`);
        }
      }
    }

    expect(Object.keys(app.statelessTemplate.findResources('AWS::Scheduler::Schedule'))).toHaveLength(
      expected.schedules,
    );
    expect(problems).toEqual([]);
  });

  it('shares one HubSpot budget between every function that calls HubSpot: containers × share within the portal’s limits', () => {
    const shares: string[] = [];
    let requests = 0;
    let searches = 0;
    for (const [id, resource] of Object.entries(
      app.statelessTemplate.findResources('AWS::Lambda::Function'),
    )) {
      const variables = (resource.Properties?.Environment?.Variables ?? {}) as Record<string, unknown>;
      if (variables.HUBSPOT_ACCESS_TOKEN_ARN === undefined) continue;
      const containers = resource.Properties?.ReservedConcurrentExecutions as number | undefined;
      const perWindow = Number(variables.HUBSPOT_REQUESTS_PER_WINDOW);
      const perSecond = Number(variables.HUBSPOT_SEARCHES_PER_SECOND);
      if (containers === undefined || !(perWindow > 0) || !Number.isInteger(perSecond) || perSecond < 0) {
        shares.push(
          `${id}: calls HubSpot without a capped share (containers ${containers}, ${perWindow}/10 s, ${perSecond} searches/s)`,
        );
        continue;
      }
      requests += containers * perWindow;
      searches += containers * perSecond;
    }

    expect(shares).toEqual([]);
    // "API usage guidelines and limits": 190 requests per 10 s, 5 searches per second.
    expect(requests).toBeLessThanOrEqual(hubSpotPortalLimits.requestsPerWindow);
    expect(searches).toBeLessThanOrEqual(hubSpotPortalLimits.searchesPerSecond);
    console.info(
      `HubSpot budget in use: ${requests} of ${hubSpotPortalLimits.requestsPerWindow} requests per 10 s, ${searches} of ${hubSpotPortalLimits.searchesPerSecond} searches per second`,
    );
  });

  it('gives every function that calls HubSpot outside the API time to wait for its budget and complete one call', () => {
    const integrated = apiFunctions(app.statelessTemplate);
    // A container waits at most one rolling window for a free slot of its share, then one attempt
    // may take the gateway's attempt timeout (request-gateway.ts, 30 s) before it is retried.
    const needed = hubSpotPortalLimits.windowSeconds + 30;
    const short: string[] = [];
    let checked = 0;
    for (const [id, resource] of Object.entries(
      app.statelessTemplate.findResources('AWS::Lambda::Function'),
    )) {
      const variables = (resource.Properties?.Environment?.Variables ?? {}) as Record<string, unknown>;
      if (variables.HUBSPOT_ACCESS_TOKEN_ARN === undefined || integrated.has(id)) continue;
      checked += 1;
      const timeout = (resource.Properties?.Timeout as number | undefined) ?? 3;
      if (timeout < needed) short.push(`${id}: ${timeout} s < ${needed} s`);
    }

    // The registration steps, the backfill, the batch workers and the report builder; with
    // co-sell, the co-sell events function (a new AWS referral's conflict check) and the
    // reconciliation (its catch-up reads customer companies).
    expect(checked).toBe(expected.hubSpotCallersOutsideApi);
    expect(short).toEqual([]);
  });
});

describe('the HubSpot budget table', () => {
  function spent(shares: readonly HubSpotShare[]) {
    return {
      requests: shares.reduce((sum, share) => sum + share.containers * share.requestsPerWindow, 0),
      searches: shares.reduce((sum, share) => sum + share.containers * share.searchesPerSecond, 0),
    };
  }
  const always = [
    hubSpotBudget.crmEvents,
    hubSpotBudget.submissionBackfill,
    hubSpotBudget.preQbrBatches,
    hubSpotBudget.preQbrReport,
  ];

  it('stays within the portal’s limits with co-sell off, and on with the AWS referral review’s two functions', () => {
    const off = spent([registrationStepsShare(false), ...always]);
    const on = spent([
      registrationStepsShare(true),
      ...always,
      hubSpotBudget.awsReferralEvents,
      hubSpotBudget.awsReferralPages,
      hubSpotBudget.coSellReconciliation,
    ]);

    // "API usage guidelines and limits": 190 requests per 10 s, 5 searches per second.
    for (const use of [off, on]) {
      expect(use.requests).toBeLessThanOrEqual(hubSpotPortalLimits.requestsPerWindow);
      expect(use.searches).toBeLessThanOrEqual(hubSpotPortalLimits.searchesPerSecond);
    }
    // Both referral functions run the conflict check, which searches for the customer's companies.
    expect(hubSpotBudget.awsReferralEvents.searchesPerSecond).toBeGreaterThan(0);
    expect(hubSpotBudget.awsReferralPages.searchesPerSecond).toBeGreaterThan(0);
    console.info(
      `HubSpot budget table: co-sell off ${off.requests} requests per 10 s, ${off.searches} searches per second; on ${on.requests}, ${on.searches}`,
    );
  });
});
