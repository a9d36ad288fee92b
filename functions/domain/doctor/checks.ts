import { missingHubSpotScopes } from '../hubspot-scopes.ts';
import { counted, plural } from '../plural.ts';
import type {
  AlarmSubscriptionFacts,
  ApiGatewayAccountFacts,
  FunctionActivityFacts,
  HubSpotTokenFacts,
  SecretFacts,
  SenderFacts,
  SesAccountFacts,
  StackFacts,
} from './facts.ts';
import { isReservedExampleDomain, placeholderPortalId } from './placeholders.ts';

/**
 * The verdicts of `dealreg doctor`: each check turns facts about a deployed stage into one line a
 * RevOps lead can act on — what is wrong, in plain words, and how to fix it.
 */
export type CheckStatus = 'pass' | 'fail' | 'skipped';

export interface DoctorCheck {
  /** Stable id, for `--format json`. */
  readonly id: string;
  readonly title: string;
  readonly status: CheckStatus;
  /** What was found. Never a secret's value. */
  readonly detail: string;
  /** What to do, on a failed or skipped check. */
  readonly fix?: string;
}

const pass = (id: string, title: string, detail: string): DoctorCheck => ({
  id,
  title,
  status: 'pass',
  detail,
});
const fail = (id: string, title: string, detail: string, fix: string): DoctorCheck => ({
  id,
  title,
  status: 'fail',
  detail,
  fix,
});

/** A check that could not run because an earlier one failed. */
export function skippedCheck(id: string, title: string, because: string): DoctorCheck {
  return {
    id,
    title,
    status: 'skipped',
    detail: `not checked: ${because}`,
    fix: 'fix the checks above first',
  };
}

/** A check whose facts AWS or HubSpot would not give (permissions, network). */
export function uncheckable(id: string, title: string, reason: string, needs: string): DoctorCheck {
  const denied = /AccessDenied|not authorized|UnrecognizedClient|security token/i.test(reason);
  return fail(
    id,
    title,
    `could not check: ${reason}`,
    denied
      ? `run with AWS credentials allowed ${needs}`
      : `check your AWS credentials, --profile and --region and that AWS can be reached, then run again (it needs ${needs})`,
  );
}

/** Whether every check passed: the only case `dealreg doctor` exits 0. */
export function allPassed(checks: readonly DoctorCheck[]): boolean {
  return checks.every((check) => check.status === 'pass');
}

export interface StackCheckInput {
  readonly id: string;
  readonly title: string;
  readonly stage: string;
  readonly region: string;
  readonly requiredOutputs: readonly string[];
}

/** The deploy command of the README, for fixes that say "deploy". */
function deployCommand(stage: string): string {
  return deployCommandWith(`dealreg:stage=${stage}`);
}

function deployCommandWith(context: string): string {
  return `npx cdk deploy --all --strict -c ${context} … (README, "Deploy to AWS")`;
}

/** A stack is usable when its last operation completed without a rollback and it has the outputs. */
export function stackCheck(input: StackCheckInput, facts: StackFacts): DoctorCheck {
  const { id, title, stage, region } = input;
  if (!facts.found) {
    return fail(
      id,
      title,
      `${facts.name} is not deployed in ${region}`,
      `deploy it with ${deployCommand(stage)}, or pass the --region/--profile of the account it is in`,
    );
  }
  const reason = facts.statusReason ? ` (${facts.statusReason})` : '';
  if (facts.status === 'ROLLBACK_COMPLETE' || facts.status === 'ROLLBACK_FAILED') {
    return fail(
      id,
      title,
      `${facts.name} could not be created: ${facts.status}${reason}`,
      `read its events in the CloudFormation console, fix the cause, delete the stack and deploy again (${deployCommand(stage)})`,
    );
  }
  if (facts.status.includes('ROLLBACK') || facts.status.endsWith('_FAILED')) {
    return fail(
      id,
      title,
      `the last deployment of ${facts.name} failed: ${facts.status}${reason}`,
      `read its events in the CloudFormation console, fix the cause and deploy again (${deployCommand(stage)})`,
    );
  }
  if (facts.status.endsWith('_IN_PROGRESS')) {
    return fail(
      id,
      title,
      `${facts.name} is changing: ${facts.status}`,
      'wait for the deployment to finish, then run dealreg doctor again',
    );
  }
  if (!facts.status.endsWith('_COMPLETE') || facts.status.startsWith('DELETE')) {
    return fail(
      id,
      title,
      `${facts.name} is ${facts.status}${reason}`,
      `deploy it with ${deployCommand(stage)}`,
    );
  }
  const missing = input.requiredOutputs.filter((key) => (facts.outputs[key] ?? '').trim() === '');
  if (missing.length > 0) {
    return fail(
      id,
      title,
      `${facts.name} (${facts.status}) lacks the ${plural(missing.length, 'output')} ${missing.join(', ')}`,
      `deploy the current version of Dealreg: ${deployCommand(stage)}`,
    );
  }
  return pass(id, title, `${facts.name} is ${facts.status}`);
}

/** A HubSpot credential is set when its secret holds something other than the deployment's placeholder. */
export function secretCheck(id: string, title: string, facts: SecretFacts, what: string): DoctorCheck {
  const putValue = `aws secretsmanager put-secret-value --secret-id ${facts.name} --secret-string '<${what}>'`;
  switch (facts.state) {
    case 'missing':
      return fail(
        id,
        title,
        `the secret ${facts.name} does not exist`,
        'deploy the stateful stack, which creates it',
      );
    case 'unreadable':
      return uncheckable(
        id,
        title,
        `${facts.name}: ${facts.reason}`,
        `secretsmanager:GetSecretValue and secretsmanager:DescribeSecret on ${facts.name}`,
      );
    case 'read':
      if (facts.value.trim() === '') return fail(id, title, `${facts.name} is empty`, putValue);
      if (facts.labelledVersions <= 1) {
        return fail(
          id,
          title,
          `${facts.name} still holds the random placeholder created at deployment`,
          putValue,
        );
      }
      return pass(id, title, `${facts.name} is set`);
  }
}

export interface TokenCheckInput {
  readonly id: string;
  readonly title: string;
  /** Where the token is stored, for the fix. */
  readonly secretName: string;
  /** The portal the stage was deployed for (`dealreg:hubspotPortalId`), when known. */
  readonly portalId?: number | undefined;
  /** The stage checked, for the command that rebuilds its HubSpot app. */
  readonly stage?: string | undefined;
}

/** The stored token must be accepted by HubSpot, belong to the stage's portal and hold every scope Dealreg uses. */
export function hubSpotTokenCheck(input: TokenCheckInput, facts: HubSpotTokenFacts): DoctorCheck {
  const { id, title, secretName } = input;
  // Since 26 October 2026 no portal can create a legacy private app: Dealreg's app is a project.
  const appSettings =
    'HubSpot → Development → Projects → dealreg → the app Dealreg → Auth (or Development → Keys → Service keys → the key)';
  switch (facts.kind) {
    case 'refused':
      return fail(
        id,
        title,
        `HubSpot does not accept the stored token (${facts.status}): ${facts.message}`,
        `put the current access token from ${appSettings} into ${secretName}`,
      );
    case 'unreachable':
      return fail(
        id,
        title,
        `could not ask HubSpot about the token: ${facts.message}`,
        'check that this machine can reach api.hubapi.com, then run dealreg doctor again',
      );
    case 'valid': {
      if (input.portalId === placeholderPortalId && facts.hubId !== input.portalId) {
        return fail(
          id,
          title,
          `the stage was deployed with the placeholder portal id ${input.portalId} of cdk.json; the stored token belongs to portal ${facts.hubId}`,
          `deploy again with your portal: ${deployCommandWith(`dealreg:hubspotPortalId=${facts.hubId}`)}`,
        );
      }
      if (input.portalId !== undefined && facts.hubId !== input.portalId) {
        return fail(
          id,
          title,
          `the stored token belongs to portal ${facts.hubId}, but the stage was deployed for portal ${input.portalId}`,
          `put a token of portal ${input.portalId} into ${secretName}, or redeploy with -c dealreg:hubspotPortalId=${facts.hubId}`,
        );
      }
      const missing = missingHubSpotScopes(facts.scopes);
      if (missing.length > 0) {
        return fail(
          id,
          title,
          `the token of portal ${facts.hubId} lacks the ${plural(missing.length, 'scope')} ${missing.join(', ')}`,
          // An app on the developer platform takes its scopes from `auth.requiredScopes` of its
          // app-hsmeta.json ("Scopes": "When you specify the scopes within the auth property of
          // your app-hsmeta.json configuration file…"), not from a settings page: the repository's
          // requests every one, so an app missing some is an older upload. A Service Key's scopes
          // are chosen on the key.
          `the app's token: build and upload the app again, whose hubspot/src/app/app-hsmeta.json requests ${plural(missing.length, 'it', 'them')} (npx dealreg hubspot project --stage ${input.stage ?? '<stage>'}, then npx -p @hubspot/cli hs project upload in its directory); a Service Key: add ${plural(missing.length, 'it', 'them')} in Development → Keys → Service keys → the key → Scopes. If HubSpot issues a new token, put it into ${secretName}`,
        );
      }
      return pass(
        id,
        title,
        `HubSpot accepts the token of portal ${facts.hubId}, with every scope Dealreg needs`,
      );
    }
  }
}

/** The domain part of an address (`deals@example.com` → `example.com`). */
export function senderDomain(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

/**
 * The domains whose verification covers the address: its domain, then each parent down to two
 * labels (`deals@eu.mail.example.com` → `eu.mail.example.com`, `mail.example.com`, `example.com`).
 */
export function senderDomains(address: string): string[] {
  const labels = senderDomain(address).split('.');
  const domains: string[] = [];
  for (let start = 0; start <= labels.length - 2; start += 1) domains.push(labels.slice(start).join('.'));
  return domains.length > 0 ? domains : [senderDomain(address)];
}

/** SES sends from the address when it, its domain or a parent domain is a verified identity. */
export function senderIdentityCheck(
  id: string,
  title: string,
  facts: SenderFacts,
  region: string,
): DoctorCheck {
  const candidates = [facts.byAddress, ...facts.byDomain];
  const verified = candidates.find((identity) => identity.found && identity.verifiedForSending);
  if (verified !== undefined) {
    return pass(
      id,
      title,
      verified === facts.byAddress
        ? `${facts.address} is verified in SES (${region})`
        : `${facts.address} sends as the verified domain ${verified.identity} (${region})`,
    );
  }
  const pending = candidates.find((identity) => identity.found);
  if (pending?.found) {
    const isDomain = pending !== facts.byAddress;
    return fail(
      id,
      title,
      `the SES identity ${pending.identity} is not verified yet (${pending.verificationStatus ?? 'unknown status'})`,
      isDomain
        ? `publish the DKIM records SES shows for ${pending.identity} (SES console → Identities) in your DNS, and wait for SES to see them`
        : `click the verification link SES emailed to ${pending.identity}, or verify the domain ${senderDomain(facts.address)} instead`,
    );
  }
  if (isReservedExampleDomain(senderDomain(facts.address))) {
    return fail(
      id,
      title,
      `${facts.address} is a placeholder: a domain reserved for examples (RFC 2606), where no mail is delivered`,
      `deploy again with your SES-verified sender: ${deployCommandWith('dealreg:mailFrom=<sender address>')}`,
    );
  }
  return fail(
    id,
    title,
    `neither ${facts.address} nor its domain is an SES identity in ${region}: Dealreg cannot send mail`,
    `verify the address or its domain in SES in ${region} (SES console → Identities → Create identity)`,
  );
}

/** Out of the SES sandbox, Dealreg can mail partners and approvers at any address. */
export function sesProductionAccessCheck(
  id: string,
  title: string,
  facts: SesAccountFacts,
  region: string,
): DoctorCheck {
  if (!facts.sendingEnabled) {
    return fail(
      id,
      title,
      `SES sending is paused for this account in ${region}`,
      'open the SES console → Account dashboard, resolve what paused it and re-enable sending',
    );
  }
  if (!facts.productionAccessEnabled) {
    return fail(
      id,
      title,
      `the account is in the SES sandbox in ${region}: mail to partners and approvers whose addresses are not verified in SES is refused`,
      `request production access (SES console → Account dashboard → Request production access) in ${region}`,
    );
  }
  return pass(id, title, `the account has SES production access in ${region}`);
}

/** API Gateway writes the intake API's logs to CloudWatch only with the account's CloudWatch role set. */
export function apiGatewayRoleCheck(
  id: string,
  title: string,
  facts: ApiGatewayAccountFacts,
  region: string,
): DoctorCheck {
  const arn = facts.cloudwatchRoleArn?.trim() ?? '';
  if (arn === '') {
    return fail(
      id,
      title,
      `API Gateway has no CloudWatch role in ${region}, so the intake API's logs cannot be written`,
      'create an IAM role that apigateway.amazonaws.com may assume, with the managed policy ' +
        'AmazonAPIGatewayPushToCloudWatchLogs, and set it: aws apigateway update-account ' +
        `--region ${region} --patch-operations op=replace,path=/cloudwatchRoleArn,value=<role ARN>`,
    );
  }
  return pass(id, title, `set to ${arn}`);
}

const emailProtocols = new Set(['email', 'email-json']);

/** Alarms reach a person only through a confirmed email subscription. */
export function alarmSubscriptionCheck(
  id: string,
  title: string,
  facts: AlarmSubscriptionFacts,
): DoctorCheck {
  const emails = facts.subscriptions.filter((subscription) => emailProtocols.has(subscription.protocol));
  if (emails.length === 0) {
    return fail(
      id,
      title,
      'no email address is subscribed to the alarm topic: nobody hears of failures',
      `redeploy with -c dealreg:alarmEmail=<address> and confirm the email AWS sends, or subscribe an address to ${facts.topicArn}`,
    );
  }
  const pending = emails.filter((subscription) => subscription.subscriptionArn === 'PendingConfirmation');
  if (pending.length > 0) {
    const who = pending.map((subscription) => subscription.endpoint).join(', ');
    return fail(
      id,
      title,
      `${who} ${plural(pending.length, 'has', 'have')} not confirmed the alarm subscription`,
      `open the "AWS Notification - Subscription Confirmation" email sent to ${who} and click "Confirm subscription" (if it expired, redeploy or subscribe the address again)`,
    );
  }
  return pass(
    id,
    title,
    `alarms are emailed to ${emails.map((subscription) => subscription.endpoint).join(', ')}`,
  );
}

export interface LastRunCheckInput {
  readonly id: string;
  readonly title: string;
  /** What schedules the function, for the fix when it does not run. */
  readonly schedule: string;
  /** Why a run typically fails, for the fix. */
  readonly usualCause: string;
  /** When the stack holding the schedule was created: a schedule younger than a day may not have fired yet. */
  readonly deployedAt: Date;
}

const hour = 60 * 60_000;

function minuteText(at: Date): string {
  return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * The last run succeeded when, in the last minute the function was invoked, it reported no error.
 * Lambda counts an invocation that threw or timed out in `Errors`, in the minute it ended.
 */
export function lastRunCheck(input: LastRunCheckInput, facts: FunctionActivityFacts): DoctorCheck {
  const { id, title } = input;
  const runs = facts.minutes.filter((minute) => minute.invocations > 0);
  const windowHours = Math.round((facts.until.getTime() - facts.since.getTime()) / hour);
  const last = runs.reduce<(typeof runs)[number] | undefined>(
    (latest, minute) => (latest === undefined || minute.at > latest.at ? minute : latest),
    undefined,
  );
  if (last === undefined) {
    const ageHours = (facts.until.getTime() - input.deployedAt.getTime()) / hour;
    if (ageHours < 24) {
      return pass(
        id,
        title,
        `no run yet: the stage was deployed ${counted(Math.max(0, Math.round(ageHours)), 'hour')} ago`,
      );
    }
    return fail(
      id,
      title,
      `${facts.functionName} has not run in the last ${counted(windowHours, 'hour')}`,
      `check that ${input.schedule} is enabled and targets ${facts.functionName}`,
    );
  }
  const invocations = runs.reduce((sum, minute) => sum + minute.invocations, 0);
  const failed = runs.reduce((sum, minute) => sum + Math.min(minute.errors, minute.invocations), 0);
  const history = `${counted(invocations, 'run')} in the last ${counted(windowHours, 'hour')}, ${failed} failed`;
  if (last.errors > 0) {
    return fail(
      id,
      title,
      `the last run, at ${minuteText(last.at)}, failed (${history})`,
      `read its logs around that time (Lambda console → ${facts.functionName} → Monitor → View CloudWatch logs); ${input.usualCause}`,
    );
  }
  return pass(id, title, `the last run, at ${minuteText(last.at)}, succeeded (${history})`);
}
