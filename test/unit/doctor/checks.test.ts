import { describe, expect, it } from 'vitest';
import {
  alarmSubscriptionCheck,
  allPassed,
  apiGatewayRoleCheck,
  hubSpotTokenCheck,
  lastRunCheck,
  secretCheck,
  senderDomains,
  senderIdentityCheck,
  sesProductionAccessCheck,
  skippedCheck,
  stackCheck,
} from '#domain/doctor/checks.ts';
import type { StackFacts } from '#domain/doctor/facts.ts';
import { requiredHubSpotScopes } from '#domain/hubspot-scopes.ts';

const stackInput = {
  id: 'stateless-stack',
  title: 'Code stack deployed',
  stage: 'prod',
  region: 'eu-west-1',
  requiredOutputs: ['AlarmTopicArn', 'MailFrom'],
};

function deployed(status: string, outputs: Record<string, string> = {}): StackFacts {
  return {
    found: true,
    name: 'Dealreg-prod-Stateless',
    status,
    statusReason: status.includes('ROLLBACK') ? 'Resource handler returned message: "Invalid"' : undefined,
    createdAt: new Date('2026-11-01T00:00:00Z'),
    outputs: {
      AlarmTopicArn: 'arn:aws:sns:eu-west-1:111111111111:alarms',
      MailFrom: 'deals@x.com',
      ...outputs,
    },
  };
}

describe('stack check', () => {
  it('passes a completed stack with its outputs', () => {
    const check = stackCheck(stackInput, deployed('UPDATE_COMPLETE'));

    expect(check).toMatchObject({ status: 'pass', detail: 'Dealreg-prod-Stateless is UPDATE_COMPLETE' });
  });

  it('fails a missing stack, naming the region and the deploy command', () => {
    const check = stackCheck(stackInput, { found: false, name: 'Dealreg-prod-Stateless' });

    expect(check.status).toBe('fail');
    expect(check.detail).toBe('Dealreg-prod-Stateless is not deployed in eu-west-1');
    expect(check.fix).toContain('npx cdk deploy --all --strict -c dealreg:stage=prod');
  });

  it('fails a stack whose last update rolled back, with the reason CloudFormation gave', () => {
    const check = stackCheck(stackInput, deployed('UPDATE_ROLLBACK_COMPLETE'));

    expect(check.status).toBe('fail');
    expect(check.detail).toContain(
      'the last deployment of Dealreg-prod-Stateless failed: UPDATE_ROLLBACK_COMPLETE',
    );
    expect(check.detail).toContain('Invalid');
    expect(check.fix).toContain('CloudFormation console');
  });

  it('tells to delete and redeploy a stack whose creation rolled back', () => {
    const check = stackCheck(stackInput, deployed('ROLLBACK_COMPLETE'));

    expect(check.status).toBe('fail');
    expect(check.fix).toContain('delete the stack and deploy again');
  });

  it('fails a stack still changing', () => {
    const check = stackCheck(stackInput, deployed('UPDATE_IN_PROGRESS'));

    expect(check).toMatchObject({ status: 'fail', fix: expect.stringContaining('wait for the deployment') });
  });

  it('fails a stack deployed by an older version, without an output the doctor needs', () => {
    const check = stackCheck(stackInput, deployed('CREATE_COMPLETE', { MailFrom: '' }));

    expect(check.status).toBe('fail');
    expect(check.detail).toContain('lacks the output MailFrom');
  });
});

describe('secret check', () => {
  const name = 'dealreg/prod/hubspot-access-token';

  it('passes a secret replaced since deployment, without showing its value', () => {
    const check = secretCheck(
      't',
      'Token stored',
      { state: 'read', name, value: 'pat-na1-abc', labelledVersions: 2 },
      'token',
    );

    expect(check.status).toBe('pass');
    expect(JSON.stringify(check)).not.toContain('pat-na1-abc');
  });

  it('fails an empty secret with the put-secret-value command', () => {
    const check = secretCheck(
      't',
      'Token stored',
      { state: 'read', name, value: '  ', labelledVersions: 2 },
      'token',
    );

    expect(check).toMatchObject({ status: 'fail', detail: `${name} is empty` });
    expect(check.fix).toBe(
      `aws secretsmanager put-secret-value --secret-id ${name} --secret-string '<token>'`,
    );
  });

  it('fails a secret that still holds the placeholder generated at deployment', () => {
    const check = secretCheck(
      't',
      'Token stored',
      { state: 'read', name, value: 'Zq8XW1c9oVQm2bP7aT4kL0sD6fG3hJ5y', labelledVersions: 1 },
      'token',
    );

    expect(check.status).toBe('fail');
    expect(check.detail).toContain('placeholder');
  });

  it('fails a missing or unreadable secret, naming the permissions', () => {
    expect(secretCheck('t', 'Token stored', { state: 'missing', name }, 'token').status).toBe('fail');
    const unreadable = secretCheck(
      't',
      'Token stored',
      { state: 'unreadable', name, reason: 'AccessDenied' },
      'token',
    );
    expect(unreadable.fix).toContain('secretsmanager:GetSecretValue');
  });
});

describe('HubSpot token check', () => {
  const input = {
    id: 'hubspot-token',
    title: 'Token',
    secretName: 'dealreg/prod/hubspot-access-token',
    portalId: 42,
    stage: 'prod',
  };

  it('passes a token of the stage portal with every scope', () => {
    const check = hubSpotTokenCheck(input, {
      kind: 'valid',
      hubId: 42,
      scopes: [...requiredHubSpotScopes, 'oauth'],
    });

    expect(check.status).toBe('pass');
  });

  it('fails a token missing a scope, naming it', () => {
    const check = hubSpotTokenCheck(input, {
      kind: 'valid',
      hubId: 42,
      scopes: requiredHubSpotScopes.filter((scope) => scope !== 'crm.objects.deals.write'),
    });

    expect(check.status).toBe('fail');
    expect(check.detail).toBe('the token of portal 42 lacks the scope crm.objects.deals.write');
    // The app's scopes are its app-hsmeta.json's, set by uploading it, not on a settings page.
    expect(check.fix).toContain(
      "the app's token: build and upload the app again, whose hubspot/src/app/app-hsmeta.json requests it (npx dealreg hubspot project --stage prod, then npx -p @hubspot/cli hs project upload in its directory)",
    );
    expect(check.fix).toContain(
      'a Service Key: add it in Development → Keys → Service keys → the key → Scopes',
    );
    expect(check.fix).not.toContain('Auth → Scopes');
  });

  it('fails a token HubSpot refuses, telling where to put a current one', () => {
    const check = hubSpotTokenCheck(input, { kind: 'refused', status: 401, message: 'expired' });

    expect(check).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('dealreg/prod/hubspot-access-token'),
    });
  });

  it('fails a token of another portal', () => {
    const check = hubSpotTokenCheck(input, { kind: 'valid', hubId: 7, scopes: [...requiredHubSpotScopes] });

    expect(check.detail).toContain('belongs to portal 7');
  });

  it('names a stage deployed with the placeholder portal id of cdk.json, and the -c key to deploy it again with', () => {
    const check = hubSpotTokenCheck(
      { ...input, portalId: 1234567 },
      { kind: 'valid', hubId: 44556677, scopes: [...requiredHubSpotScopes] },
    );

    expect(check.status).toBe('fail');
    expect(check.detail).toBe(
      'the stage was deployed with the placeholder portal id 1234567 of cdk.json; the stored token belongs to portal 44556677',
    );
    expect(check.fix).toContain('npx cdk deploy --all --strict -c dealreg:hubspotPortalId=44556677');
  });

  it('sends to the app project’s Auth tab for a new token, not to legacy private apps', () => {
    const check = hubSpotTokenCheck(input, { kind: 'refused', status: 401, message: 'expired' });

    expect(check.fix).toContain('Development → Projects → dealreg → the app Dealreg → Auth');
    expect(check.fix).not.toContain('Legacy');
  });
});

describe('SES checks', () => {
  const found = (identity: string, verified: boolean) =>
    ({
      identity,
      found: true,
      verifiedForSending: verified,
      verificationStatus: verified ? 'SUCCESS' : 'PENDING',
    }) as const;

  it('passes an address sending as its verified domain', () => {
    const check = senderIdentityCheck(
      'ses-sender',
      'Sender',
      {
        address: 'deals@x.com',
        byAddress: { identity: 'deals@x.com', found: false },
        byDomain: [found('x.com', true)],
      },
      'eu-west-1',
    );

    expect(check).toMatchObject({ status: 'pass', detail: expect.stringContaining('verified domain x.com') });
  });

  it('fails an identity whose verification is pending', () => {
    const check = senderIdentityCheck(
      'ses-sender',
      'Sender',
      {
        address: 'deals@x.com',
        byAddress: found('deals@x.com', false),
        byDomain: [{ identity: 'x.com', found: false }],
      },
      'eu-west-1',
    );

    expect(check.status).toBe('fail');
    expect(check.detail).toContain('PENDING');
    expect(check.fix).toContain('verification link');
  });

  it('names a stage deployed with a placeholder sender, and the -c key to deploy it again with', () => {
    const check = senderIdentityCheck(
      'ses-sender',
      'Sender',
      {
        address: 'dealreg@example.com',
        byAddress: { identity: 'dealreg@example.com', found: false },
        byDomain: [{ identity: 'example.com', found: false }],
      },
      'eu-west-1',
    );

    expect(check.status).toBe('fail');
    expect(check.detail).toBe(
      'dealreg@example.com is a placeholder: a domain reserved for examples (RFC 2606), where no mail is delivered',
    );
    expect(check.fix).toContain('npx cdk deploy --all --strict -c dealreg:mailFrom=<sender address>');
  });

  it('fails an address SES does not know', () => {
    const check = senderIdentityCheck(
      'ses-sender',
      'Sender',
      {
        address: 'deals@x.com',
        byAddress: { identity: 'deals@x.com', found: false },
        byDomain: [{ identity: 'x.com', found: false }],
      },
      'eu-west-1',
    );

    expect(check.fix).toContain('Create identity');
  });

  it('fails an account still in the SES sandbox, saying mail to partners would be refused', () => {
    const check = sesProductionAccessCheck(
      'ses-production-access',
      'SES',
      { productionAccessEnabled: false, sendingEnabled: true },
      'eu-west-1',
    );

    expect(check.status).toBe('fail');
    expect(check.detail).toContain('SES sandbox');
    expect(check.fix).toContain('Request production access');
  });

  it('fails an account whose sending is paused', () => {
    const check = sesProductionAccessCheck(
      's',
      'SES',
      { productionAccessEnabled: true, sendingEnabled: false },
      'eu-west-1',
    );

    expect(check.detail).toContain('paused');
  });
});

describe('API Gateway CloudWatch role check', () => {
  it('fails without a role, with the command that sets one', () => {
    const check = apiGatewayRoleCheck('a', 'Role', {}, 'eu-west-1');

    expect(check.status).toBe('fail');
    expect(check.fix).toContain('path=/cloudwatchRoleArn');
  });

  it('passes with a role', () => {
    expect(
      apiGatewayRoleCheck('a', 'Role', { cloudwatchRoleArn: 'arn:aws:iam::1:role/apigw' }, 'eu-west-1')
        .status,
    ).toBe('pass');
  });
});

describe('alarm subscription check', () => {
  const topicArn = 'arn:aws:sns:eu-west-1:111111111111:alarms';

  it('fails while the email subscription awaits confirmation', () => {
    const check = alarmSubscriptionCheck('s', 'Alarm email', {
      topicArn,
      subscriptions: [
        { protocol: 'email', endpoint: 'revops@x.com', subscriptionArn: 'PendingConfirmation' },
      ],
    });

    expect(check.status).toBe('fail');
    expect(check.detail).toBe('revops@x.com has not confirmed the alarm subscription');
  });

  it('fails without any email subscription', () => {
    const check = alarmSubscriptionCheck('s', 'Alarm email', { topicArn, subscriptions: [] });

    expect(check.fix).toContain('dealreg:alarmEmail');
  });

  it('passes a confirmed subscription', () => {
    const check = alarmSubscriptionCheck('s', 'Alarm email', {
      topicArn,
      subscriptions: [{ protocol: 'email', endpoint: 'revops@x.com', subscriptionArn: `${topicArn}:1234` }],
    });

    expect(check.status).toBe('pass');
  });
});

describe('last run check', () => {
  const until = new Date('2026-12-06T06:00:00Z');
  const since = new Date('2026-12-03T06:00:00Z');
  const input = {
    id: 'backfill-last-run',
    title: 'Last backfill run',
    schedule: 'the backfill schedule',
    usualCause: 'the token',
    deployedAt: new Date('2026-11-01T00:00:00Z'),
  };
  const minute = (iso: string, invocations: number, errors: number) => ({
    at: new Date(iso),
    invocations,
    errors,
  });

  it('fails when the latest run reported an error, even after earlier successes', () => {
    const check = lastRunCheck(input, {
      functionName: 'sweeper',
      since,
      until,
      minutes: [minute('2026-12-06T05:30:00Z', 1, 0), minute('2026-12-06T05:45:00Z', 1, 1)],
    });

    expect(check.status).toBe('fail');
    expect(check.detail).toBe(
      'the last run, at 2026-12-06 05:45 UTC, failed (2 runs in the last 72 hours, 1 failed)',
    );
  });

  it('passes when the latest run succeeded after an earlier failure', () => {
    const check = lastRunCheck(input, {
      functionName: 'sweeper',
      since,
      until,
      minutes: [minute('2026-12-06T05:30:00Z', 1, 1), minute('2026-12-06T05:45:00Z', 1, 0)],
    });

    expect(check.status).toBe('pass');
  });

  it('fails when the function has not run in the whole window', () => {
    const check = lastRunCheck(input, { functionName: 'sweeper', since, until, minutes: [] });

    expect(check).toMatchObject({ status: 'fail', fix: expect.stringContaining('the backfill schedule') });
  });

  it('passes a stage deployed less than a day ago that has not run yet', () => {
    const check = lastRunCheck(
      { ...input, deployedAt: new Date('2026-12-06T03:00:00Z') },
      { functionName: 'digest', since, until, minutes: [] },
    );

    expect(check).toMatchObject({
      status: 'pass',
      detail: 'no run yet: the stage was deployed 3 hours ago',
    });
  });

  it('counts one run and one hour in the singular', () => {
    const failedOnce = lastRunCheck(input, {
      functionName: 'sweeper',
      since,
      until,
      minutes: [minute('2026-12-06T05:45:00Z', 1, 1)],
    });
    const young = lastRunCheck(
      { ...input, deployedAt: new Date('2026-12-06T05:00:00Z') },
      { functionName: 'digest', since, until, minutes: [] },
    );

    expect(failedOnce.detail).toBe(
      'the last run, at 2026-12-06 05:45 UTC, failed (1 run in the last 72 hours, 1 failed)',
    );
    expect(young.detail).toBe('no run yet: the stage was deployed 1 hour ago');
  });
});

describe('the verdict', () => {
  it('is a pass only when every check passed; a skipped check is not a pass', () => {
    const passed = apiGatewayRoleCheck('a', 'Role', { cloudwatchRoleArn: 'arn' }, 'eu-west-1');

    expect(allPassed([passed])).toBe(true);
    expect(allPassed([passed, skippedCheck('b', 'B', 'the stack is missing')])).toBe(false);
  });
});

describe('sender domains', () => {
  it('lists the domain of the address and each parent domain, nearest first', () => {
    expect(senderDomains('Deals@EU.mail.example.com')).toEqual([
      'eu.mail.example.com',
      'mail.example.com',
      'example.com',
    ]);
  });

  it('passes an address of a subdomain sending as a verified parent domain', () => {
    const check = senderIdentityCheck(
      'ses-sender',
      'Sender',
      {
        address: 'deals@eu.example.com',
        byAddress: { identity: 'deals@eu.example.com', found: false },
        byDomain: [
          { identity: 'eu.example.com', found: false },
          { identity: 'example.com', found: true, verifiedForSending: true, verificationStatus: 'SUCCESS' },
        ],
      },
      'eu-west-1',
    );

    expect(check).toMatchObject({
      status: 'pass',
      detail: expect.stringContaining('verified domain example.com'),
    });
  });
});
