import { parseKnownFiles } from '@smithy/core/config';
import { UsageError } from './usage-error.ts';

/** An AWS region code: `eu-west-1`, `us-gov-west-1`, `ap-southeast-4`. */
const regionPattern = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/**
 * The `--region` option as given, checked for the shape of a region code so a typo is named
 * (exit 2) instead of surfacing as a credentials or connection failure. Undefined stays undefined:
 * the SDK then takes AWS_REGION or the profile's region.
 */
export function checkedRegionOption(region: string | undefined): string | undefined {
  if (region === undefined || regionPattern.test(region)) return region;
  throw new UsageError(`--region must be an AWS region such as eu-west-1, got "${region}"`);
}

/**
 * The `--profile` option as given; an empty one is named (exit 2) instead of leaving the SDK to
 * look for a profile without a name. Undefined stays undefined: AWS_PROFILE or the default chain.
 */
export function checkedProfileOption(profile: string | undefined): string | undefined {
  if (profile === undefined || profile.trim() !== '') return profile;
  throw new UsageError(
    '--profile is empty; name an AWS profile (aws configure list-profiles), or leave --profile out to use AWS_PROFILE or the default credential chain',
  );
}

/** The `--region` and `--profile` of a command that reads a deployed stage. */
export interface AwsOptions {
  readonly region?: string | undefined;
  readonly profile?: string | undefined;
}

/** Where the AWS SDK reads named profiles from, as the user would look for them. */
function sharedFiles(env: NodeJS.ProcessEnv): string {
  return `${env.AWS_CONFIG_FILE || '~/.aws/config'} or ${env.AWS_SHARED_CREDENTIALS_FILE || '~/.aws/credentials'}`;
}

/**
 * `--region` and `--profile` checked before any AWS client is built. A named profile (`--profile`,
 * else AWS_PROFILE) must be one of the AWS SDK's shared config and credentials files; otherwise
 * the SDK reports it only as "no region" or "could not load credentials", which does not say that
 * the name is wrong. The files are read by the SDK's own loader, so AWS_CONFIG_FILE and
 * AWS_SHARED_CREDENTIALS_FILE apply as they do for the clients ("Configuration and credential
 * file settings in the AWS CLI", AWS CLI User Guide).
 */
export async function checkedAwsOptions(
  options: AwsOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<AwsOptions> {
  const region = checkedRegionOption(options.region);
  const profile = checkedProfileOption(options.profile);
  const named = profile ?? (env.AWS_PROFILE || undefined);
  if (named !== undefined) {
    const profiles = Object.keys(await parseKnownFiles({ profile: named, ignoreCache: true }))
      // sso-session and services sections are keyed "sso-session.NAME", "services.NAME".
      .filter((name) => !name.includes('.'))
      .sort();
    if (!profiles.includes(named)) {
      const source = profile === undefined ? `AWS_PROFILE=${named}` : `--profile ${named}`;
      const known =
        profiles.length === 0
          ? `there is no profile in ${sharedFiles(env)}; create one with aws configure --profile ${named}`
          : `the profiles in ${sharedFiles(env)} are ${profiles.join(', ')}`;
      throw new UsageError(`${source}: no AWS profile "${named}"; ${known}`);
    }
  }
  return { region, profile };
}

/**
 * The message for a region the SDK could not find, naming the profile it looked in (`--profile`,
 * else AWS_PROFILE, else `default`).
 */
export function noRegionMessage(options: AwsOptions, env: NodeJS.ProcessEnv = process.env): string {
  const profile = options.profile ?? (env.AWS_PROFILE || 'default');
  return `no AWS region: pass --region, set AWS_REGION, or set region in the AWS profile "${profile}" (aws configure set region eu-west-1 --profile ${profile})`;
}

/** An AWS SDK v3 client, whose resolved config holds its credential provider. */
export interface CredentialedClient {
  readonly config: { credentials(): Promise<unknown> };
}

/**
 * Loads the client's AWS credentials once, before any request, so that a command finding none
 * says so in one sentence naming how to give them ("Configuration and credential file settings in
 * the AWS CLI" and "Environment variables to configure the AWS CLI", AWS CLI User Guide), instead
 * of every request failing with "Could not load credentials from any providers". `does` says what
 * the credentials are for ("dealreg doctor reads the deployed stage with them").
 */
export async function requireAwsCredentials(
  client: CredentialedClient,
  options: AwsOptions,
  does: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  try {
    await client.config.credentials();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const named = options.profile ?? (env.AWS_PROFILE || undefined);
    const message =
      named === undefined
        ? `no AWS credentials (${reason}): ${does}. Pass --profile NAME or set AWS_PROFILE (a profile of ${sharedFiles(env)}: aws configure --profile NAME, or aws configure sso and aws sso login), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials)`
        : `the AWS profile "${named}" gave no credentials (${reason}): ${does}. Sign in again (aws sso login --profile ${named}) or fix the profile (aws configure --profile ${named}), or pass another --profile`;
    throw new UsageError(message, { cause: error });
  }
}
