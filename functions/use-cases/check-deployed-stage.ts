import { dealregStackNames, statefulOutputKeys, statelessOutputKeys } from '#domain/deployment.ts';
import {
  alarmSubscriptionCheck,
  apiGatewayRoleCheck,
  type DoctorCheck,
  hubSpotTokenCheck,
  lastRunCheck,
  secretCheck,
  senderDomains,
  senderIdentityCheck,
  sesProductionAccessCheck,
  skippedCheck,
  stackCheck,
  uncheckable,
} from '#domain/doctor/checks.ts';
import type { SecretFacts, StackFacts } from '#domain/doctor/facts.ts';
import type { DeployedStage, HubSpotTokenInspector } from '#ports/deployed-stage.ts';

export interface CheckDeployedStageDependencies {
  readonly aws: DeployedStage;
  readonly hubspot: HubSpotTokenInspector;
  readonly now: () => Date;
}

export interface CheckDeployedStageRequest {
  readonly stage: string;
  /** The region the credentials point at, for messages. */
  readonly region: string;
}

/**
 * How far back the last backfill and digest runs are looked for: the digest runs daily, and a
 * backfill scheduled on working days only does not run over a weekend.
 */
export const runLookBackHours = 72;

/** Runs `gather`; a refusal or an unreachable service becomes a failed check naming the permission needed. */
async function attempt(
  id: string,
  title: string,
  needs: string,
  gather: () => Promise<DoctorCheck>,
): Promise<DoctorCheck> {
  try {
    return await gather();
  } catch (error) {
    return uncheckable(id, title, error instanceof Error ? error.message : String(error), needs);
  }
}

function output(stack: StackFacts | undefined, key: string): string | undefined {
  const value = stack?.found ? stack.outputs[key]?.trim() : undefined;
  return value === '' ? undefined : value;
}

/**
 * `dealreg doctor`: checks, for a deployed stage, everything a deployment leaves to the operator —
 * the stacks, the HubSpot secrets and token, SES, the API Gateway CloudWatch role, the alarm
 * subscription — and that the scheduled backfill and ledger digest last ran without error. Steps:
 * 1. describe both stacks; their outputs name everything else;
 * 2. gather the rest in parallel, each check on its own (one failure does not hide the others);
 * 3. ask HubSpot about the stored access token.
 */
export async function checkDeployedStage(
  deps: CheckDeployedStageDependencies,
  request: CheckDeployedStageRequest,
): Promise<DoctorCheck[]> {
  const { aws } = deps;
  const { stage, region } = request;
  const names = dealregStackNames(stage);
  const now = deps.now();

  // 1. The stacks.
  const describe = (name: string) =>
    aws.stack(name).then(
      (facts) => ({ facts }),
      (error: unknown) => ({ error: error instanceof Error ? error.message : String(error) }),
    );
  const [stateful, stateless] = await Promise.all([describe(names.stateful), describe(names.stateless)]);
  const stackResult = (
    id: string,
    title: string,
    described: { facts: StackFacts } | { error: string },
    requiredOutputs: readonly string[],
  ) =>
    'error' in described
      ? uncheckable(id, title, described.error, 'cloudformation:DescribeStacks')
      : stackCheck({ id, title, stage, region, requiredOutputs }, described.facts);
  const statefulCheck = stackResult(
    'stateful-stack',
    'Data stack deployed',
    stateful,
    Object.values(statefulOutputKeys),
  );
  const statelessCheck = stackResult(
    'stateless-stack',
    'Code stack deployed',
    stateless,
    Object.values(statelessOutputKeys),
  );
  const statefulFacts = 'facts' in stateful ? stateful.facts : undefined;
  const statelessFacts = 'facts' in stateless ? stateless.facts : undefined;
  const fromStateful = (key: string) => output(statefulFacts, key);
  const fromStateless = (key: string) => output(statelessFacts, key);
  const statefulMissing = `the data stack ${names.stateful} is not usable`;
  const statelessMissing = `the code stack ${names.stateless} is not usable`;

  // 2. Everything the outputs name, and the account settings.
  const secretNamed = async (id: string, title: string, key: string, what: string) => {
    const name = fromStateful(key);
    if (name === undefined) return { check: skippedCheck(id, title, statefulMissing), facts: undefined };
    let facts: SecretFacts;
    try {
      facts = await aws.secret(name);
    } catch (error) {
      facts = { state: 'unreadable', name, reason: error instanceof Error ? error.message : String(error) };
    }
    return { check: secretCheck(id, title, facts, what), facts };
  };

  const mailFrom = fromStateless(statelessOutputKeys.mailFrom);
  const topicArn = fromStateless(statelessOutputKeys.alarmTopicArn);
  const deployedAt = statelessFacts?.found ? statelessFacts.createdAt : now;
  const window = { since: new Date(now.getTime() - runLookBackHours * 60 * 60_000), until: now };
  const lastRun = (
    id: string,
    title: string,
    key: string,
    schedule: string,
    usualCause: string,
  ): Promise<DoctorCheck> => {
    const functionName = fromStateless(key);
    if (functionName === undefined) return Promise.resolve(skippedCheck(id, title, statelessMissing));
    return attempt(id, title, 'cloudwatch:GetMetricData', async () =>
      lastRunCheck(
        { id, title, schedule, usualCause, deployedAt },
        await aws.functionActivity(functionName, window),
      ),
    );
  };

  const [clientSecret, accessToken, sender, sesAccount, apiGateway, subscription, backfill, digest] =
    await Promise.all([
      secretNamed(
        'hubspot-client-secret',
        'HubSpot app client secret stored',
        statefulOutputKeys.hubspotClientSecretName,
        'HubSpot app client secret',
      ),
      secretNamed(
        'hubspot-access-token',
        'HubSpot access token stored',
        statefulOutputKeys.hubspotAccessTokenName,
        'HubSpot access token',
      ),
      mailFrom === undefined
        ? skippedCheck('ses-sender', 'SES sender verified', statelessMissing)
        : attempt('ses-sender', 'SES sender verified', 'ses:GetEmailIdentity', async () => {
            const [byAddress, ...byDomain] = await Promise.all(
              [mailFrom, ...senderDomains(mailFrom)].map((identity) => aws.emailIdentity(identity)),
            );
            if (byAddress === undefined) throw new Error('SES was not asked about the sender');
            return senderIdentityCheck(
              'ses-sender',
              'SES sender verified',
              { address: mailFrom, byAddress, byDomain },
              region,
            );
          }),
      attempt('ses-production-access', 'SES out of the sandbox', 'ses:GetAccount', async () =>
        sesProductionAccessCheck(
          'ses-production-access',
          'SES out of the sandbox',
          await aws.sesAccount(),
          region,
        ),
      ),
      attempt('api-gateway-cloudwatch-role', 'API Gateway CloudWatch role', 'apigateway:GET', async () =>
        apiGatewayRoleCheck(
          'api-gateway-cloudwatch-role',
          'API Gateway CloudWatch role',
          await aws.apiGatewayAccount(),
          region,
        ),
      ),
      topicArn === undefined
        ? skippedCheck('alarm-subscription', 'Alarm email confirmed', statelessMissing)
        : attempt('alarm-subscription', 'Alarm email confirmed', 'sns:ListSubscriptionsByTopic', async () =>
            alarmSubscriptionCheck(
              'alarm-subscription',
              'Alarm email confirmed',
              await aws.alarmSubscriptions(topicArn),
            ),
          ),
      lastRun(
        'backfill-last-run',
        'Last backfill run succeeded',
        statelessOutputKeys.backfillFunctionName,
        'the backfill schedule (EventBridge Scheduler)',
        'a run fails when the HubSpot access token is missing, refused or lacks the forms scope',
      ),
      lastRun(
        'digest-last-run',
        'Last ledger digest run succeeded',
        statelessOutputKeys.ledgerDigestFunctionName,
        'the ledger digest rule (EventBridge, daily)',
        'a run fails when the digest bucket or the ledger table cannot be reached',
      ),
    ]);

  // 3. The token itself, when it could be read.
  const tokenId = 'hubspot-token';
  const tokenTitle = 'HubSpot token valid with the scopes Dealreg needs';
  let token: DoctorCheck;
  if (accessToken.facts?.state === 'read' && accessToken.check.status === 'pass') {
    const portal = Number(fromStateless(statelessOutputKeys.hubspotPortalId));
    token = hubSpotTokenCheck(
      {
        id: tokenId,
        title: tokenTitle,
        secretName: accessToken.facts.name,
        stage,
        portalId: Number.isInteger(portal) && portal > 0 ? portal : undefined,
      },
      await deps.hubspot.inspect(accessToken.facts.value.trim()).catch((error: unknown) => ({
        kind: 'unreachable' as const,
        message: error instanceof Error ? error.message : String(error),
      })),
    );
  } else {
    token = skippedCheck(tokenId, tokenTitle, 'the HubSpot access token is not stored');
  }

  return [
    statefulCheck,
    statelessCheck,
    clientSecret.check,
    accessToken.check,
    token,
    sender,
    sesAccount,
    apiGateway,
    subscription,
    backfill,
    digest,
  ];
}
