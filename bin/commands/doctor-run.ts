import { AwsDeployedStage, awsDeployedStageClients } from '#adapters/aws/aws-deployed-stage.ts';
import { HubSpotAccessTokenInfo } from '#adapters/hubspot/access-token-info.ts';
import { allPassed } from '#domain/doctor/checks.ts';
import { doctorReportJson, doctorReportLines } from '#rendering/doctor-report.ts';
import { checkDeployedStage } from '#use-cases/check-deployed-stage.ts';
import { checkedAwsOptions, noRegionMessage, requireAwsCredentials } from './aws-region.ts';
import type { DoctorOptions } from './doctor.ts';
import { UsageError } from './usage-error.ts';

const stagePattern = /^[a-z][a-z0-9-]{0,19}$/;

/**
 * Wires the AWS and HubSpot adapters to the checks and prints the report; answers the exit code
 * (0 only when every check passed). `HUBSPOT_BASE_URL` points the token check elsewhere (the
 * local sandbox), as for the other HubSpot commands.
 */
export async function runDoctor(
  options: DoctorOptions,
  env: NodeJS.ProcessEnv = process.env,
  write: (text: string) => void = (text) => console.log(text),
): Promise<number> {
  if (!stagePattern.test(options.stage)) {
    throw new UsageError(
      `--stage must be a stage name as deployed (at most 20 lower-case letters, digits and dashes, starting with a letter), got "${options.stage}"`,
    );
  }
  const aws = await checkedAwsOptions(options, env);
  const clients = awsDeployedStageClients(aws);
  let region: string;
  try {
    region = await clients.cloudFormation.config.region();
  } catch (error) {
    throw new UsageError(noRegionMessage(aws, env), { cause: error });
  }
  // Every check reads AWS (the HubSpot token too is read from Secrets Manager): without
  // credentials none can run, which is said once.
  await requireAwsCredentials(
    clients.cloudFormation,
    aws,
    'dealreg doctor reads the deployed stage with them, so none of its checks ran',
    env,
  );
  const checks = await checkDeployedStage(
    {
      aws: new AwsDeployedStage(clients),
      hubspot: new HubSpotAccessTokenInfo({ basePath: env.HUBSPOT_BASE_URL || undefined }),
      now: () => new Date(),
    },
    { stage: options.stage, region },
  );
  const heading = { stage: options.stage, region };
  write(
    options.format === 'json'
      ? doctorReportJson(heading, checks)
      : doctorReportLines(heading, checks).join('\n'),
  );
  return allPassed(checks) ? 0 : 1;
}
