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
